// Kong 3.15's cluster cache fields (config/cluster-cache-fields.ts): cluster_cache_strategy off | redis,
// cluster_cache_redis (Kong's Enterprise Redis record: defaults, Sentinel/Cluster checks, the deprecated
// timeout shorthand, secrets redacted), cluster_cache_items tokens | introspection: Kong's default items
// with the introspection auth method and strategy redis load (both items are shared).

import t from 'tap'
import { redact, validate } from '../../../src/config/schema/engine.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
import { redisRecord } from '../../../src/redis/record.ts'

const schema = openIdConnectSchema.configSchema
const BASE = { issuer: 'https://idp.example/', auth_methods: ['client_credentials'] }

function check (input: Record<string, unknown>) {
  const { value, issues } = validate(schema, { ...BASE, ...input }, 'config')
  return { value: value as Record<string, unknown>, issues }
}

t.test("defaults: off, Kong's record defaults, items ['introspection']", async (t) => {
  const { value, issues } = check({})
  t.same(issues, [])
  t.equal(value.cluster_cache_strategy, 'off')
  t.same(value.cluster_cache_items, ['introspection'])
  const kongDefaults = {
    host: '127.0.0.1', port: 6379, database: 0, ssl: false, ssl_verify: true, connect_timeout: 2000, send_timeout: 2000, read_timeout: 2000, keepalive_pool_size: 256, cluster_max_redirections: 5, connection_is_proxied: false, password: null
  }
  t.match(value.cluster_cache_redis, kongDefaults)
})

t.test('redis with tokens: the record as the Redis clients read it', async (t) => {
  const { value, issues } = check({
    cluster_cache_strategy: 'redis',
    cluster_cache_items: ['tokens'],
    cluster_cache_redis: { host: 'redis.internal', port: 6380, password: 'pw', timeout: 500 }
  })
  t.same(issues, [])
  t.match(redisRecord(value.cluster_cache_redis as Record<string, unknown>), {
    host: 'redis.internal', port: 6380, password: 'pw', connect_timeout: 500, read_timeout: 500, send_timeout: 500
  })
  t.match(redact(schema, value), { cluster_cache_redis: { password: '<redacted>' } }, 'the password never shows')
  const cluster = check({ cluster_cache_strategy: 'redis', cluster_cache_items: ['tokens'], cluster_cache_redis: { cluster_nodes: [{ ip: '10.0.0.1', port: 7000 }] } })
  t.same(cluster.issues, [])
})

t.test('refusals name the field', async (t) => {
  t.same(check({ cluster_cache_strategy: 'memcached' }).issues, [{ path: 'config.cluster_cache_strategy', message: 'expected one of: off, redis' }])
  t.same(check({ cluster_cache_items: ['sessions'] }).issues, [{ path: 'config.cluster_cache_items[0]', message: 'expected one of: tokens, introspection' }])
  t.match(check({ cluster_cache_redis: { sentinel_master: 'm' } }).issues, [{ path: 'config.cluster_cache_redis', message: /all or none of these fields must be set/ }])
  t.match(check({ cluster_cache_redis: { port: 70000 } }).issues, [{ path: 'config.cluster_cache_redis.port' }])
  t.match(check({ cluster_cache_redis: { cloud_authentication: { auth_provider: 'aws' } } }).issues, [{ path: 'config.cluster_cache_redis.cloud_authentication.auth_provider', message: /not supported/ }])
  t.same(check({ cluster_cache_strategy: 'redis' }).issues, [], "client_credentials only: Kong's default items load (nothing to share there)")
})

t.test("Kong's default items with introspection and redis: load, as a Kong file does", async (t) => {
  const introspection = { auth_methods: ['introspection'], introspection_endpoint: 'https://idp.example/introspect', cluster_cache_strategy: 'redis' }
  const { value, issues } = check(introspection)
  t.same(issues, [], 'no refusal any more: introspection answers are shared')
  t.same(value.cluster_cache_items, ['introspection'])
  for (const items of [['tokens'], ['introspection'], ['tokens', 'introspection'], []]) {
    t.same(check({ ...introspection, auth_methods: ['introspection', 'client_credentials'], cluster_cache_items: items }).issues, [], `items ${JSON.stringify(items)}`)
  }
})
