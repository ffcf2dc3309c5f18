// rate-limiting's schema, case for case after Kong's spec/03-plugins/23-rate-limiting/01-schema_spec.lua
// and kong/plugins/rate-limiting/schema.lua: defaults, period order, at least one period, the limit_by
// conditionals, the redis record and the deprecated redis_* fields, policy redis with its sync_rate rules
// and host conditional, the Enterprise record's fields (a Tollgate extension), and the refusal of policy
// cluster (naming config.policy).

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { doc, issuesOf, SOURCE } from '../../unit/config/issues.ts'

const plugin = (config: Record<string, unknown>) => doc({ plugins: [{ name: 'rate-limiting', config }] })
const load = (config: Record<string, unknown>) => loadConfigObject(plugin(config), SOURCE, {}).entities.plugins[0].config
const issues = (config: Record<string, unknown>) => issuesOf(plugin(config)).map((i) => [i.path, i.message])

t.test('proper configs validate, with Kong\'s defaults', async (t) => {
  const loaded = load({ second: 10 })
  const { redis, ...rest } = loaded as Record<string, unknown>
  t.match(redis, { host: null, port: 6379, timeout: 2000, database: 0, ssl: false, ssl_verify: false, connect_timeout: null, cluster_max_redirections: 5 }, 'the redis record with Kong\'s defaults')
  t.strictSame(rest, {
    second: 10,
    minute: null,
    hour: null,
    day: null,
    month: null,
    year: null,
    limit_by: 'consumer',
    header_name: null,
    path: null,
    policy: 'local',
    fault_tolerant: true,
    hide_client_headers: false,
    error_code: 429,
    error_message: 'API rate limit exceeded',
    sync_rate: -1
  })
  t.equal(load({ second: 10, hour: 20 }).hour, 20, '(bis)')
  t.equal(load({ second: 10, limit_by: 'header', header_name: 'X-App-Key' }).header_name, 'X-App-Key', '(header)')
  t.equal(load({ second: 10, limit_by: 'path', path: '/request' }).path, '/request', '(path)')
  t.equal(load({ minute: 1.5 }).minute, 1.5, 'a limit is a number, not only an integer')
})

t.test('limits: a smaller unit cannot have a bigger limit', async (t) => {
  t.strictSame(issues({ second: 20, hour: 10 }), [['plugins[0].config', 'The limit for hour(10.0) cannot be lower than the limit for second(20.0)']])
  t.strictSame(issues({ second: 20, month: 60, year: 50 }), [['plugins[0].config', 'The limit for year(50.0) cannot be lower than the limit for month(60.0)']])
})

t.test('at least one period; limits are > 0', async (t) => {
  t.strictSame(issues({}), [['plugins[0].config', "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'"]])
  t.equal(issues({ second: 0 }).length, 1, 'zero is refused')
  t.equal(issues({ second: 0 })[0][0], 'plugins[0].config.second')
})

t.test('limit_by header needs header_name, limit_by path needs path', async (t) => {
  t.strictSame(issues({ second: 10, limit_by: 'header' }), [['plugins[0].config.header_name', 'required field missing']])
  t.strictSame(issues({ second: 10, limit_by: 'path' }), [['plugins[0].config.path', 'required field missing']])
  t.equal(issues({ second: 10, limit_by: 'cookie' })[0][0], 'plugins[0].config.limit_by')
  t.match(issues({ second: 10, limit_by: 'header', header_name: 'bad name' })[0], ['plugins[0].config.header_name', /bad header name/])
  t.match(issues({ second: 10, limit_by: 'path', path: 'no-slash' })[0], ['plugins[0].config.path', /should start with: \//])
  t.match(issues({ second: 10, limit_by: 'path', path: '/a//b' })[0], ['plugins[0].config.path', /empty segments/])
})

t.test('policy: local and redis load; cluster is refused with the reason', async (t) => {
  t.equal(load({ second: 10, policy: 'redis', redis: { host: 'localhost' } }).policy, 'redis')
  t.strictSame(issues({ second: 10, policy: 'redis' }), [
    ['plugins[0].config', "failed conditional validation given value of field 'config.policy'"],
    ['plugins[0].config.redis.host', 'required field missing']
  ], "schema.lua's conditional: policy redis requires config.redis.host")
  t.equal(load({ second: 10, policy: 'redis', redis_host: 'localhost' }).policy, 'redis', 'the deprecated redis_host gives it')
  t.equal(load({ second: 10, policy: 'redis', redis: { cluster_nodes: [{ ip: '10.0.0.1', port: 7000 }] } }).policy, 'redis', 'Cluster nodes instead of a host')
  t.equal(load({ second: 10, policy: 'redis', redis: { sentinel_master: 'm', sentinel_role: 'master', sentinel_nodes: [{ host: 's1', port: 26379 }] } }).policy, 'redis', 'Sentinel nodes instead of a host')
  const cluster = issues({ second: 10, policy: 'cluster' })
  t.equal(cluster[0][0], 'plugins[0].config.policy')
  t.match(cluster[0][1], /needs a database/)
  t.equal(issues({ second: 10, policy: 'memory' })[0][0], 'plugins[0].config.policy')
})

t.test('sync_rate: -1 only without policy redis; with it -1 or at least 0.02 (schema.lua)', async (t) => {
  t.strictSame(issues({ second: 10, sync_rate: 10 }), [['plugins[0].config', 'sync_rate can only be used with the redis policy']])
  t.equal(load({ second: 10, sync_rate: -1 }).sync_rate, -1)
  const redis = { host: 'localhost' }
  t.equal(load({ second: 10, policy: 'redis', redis, sync_rate: 0.02 }).sync_rate, 0.02)
  t.equal(load({ second: 10, policy: 'redis', redis, sync_rate: 10 }).sync_rate, 10)
  for (const rate of [0, 0.01, -2]) {
    t.strictSame(issues({ second: 10, policy: 'redis', redis, sync_rate: rate }), [['plugins[0].config', 'sync_rate must be greater than 0.02, or -1 to disable']], `${rate} refused`)
  }
})

t.test("the Enterprise record's fields and checks", async (t) => {
  const record = (redis: Record<string, unknown>) => issues({ second: 10, policy: 'redis', redis })
  t.strictSame(record({ sentinel_master: 'm', sentinel_nodes: [{ host: 's1' }] }),
    [['plugins[0].config.redis', "all or none of these fields must be set: 'sentinel_master', 'sentinel_role', 'sentinel_nodes'"]])
  t.match(record({ sentinel_master: 'm', sentinel_role: 'any', sentinel_nodes: [{ host: 's1' }], cluster_nodes: [{ ip: 'c1' }] })[0], ['plugins[0].config.redis', /mutually exclusive/])
  t.equal(record({ host: 'h', sentinel_role: 'primary' })[0][0], 'plugins[0].config.redis.sentinel_role')
  t.equal(record({ cluster_nodes: [{ ip: 'bad host!' }] })[0][0], 'plugins[0].config.redis.cluster_nodes[0].ip')
  const loaded = load({ second: 10, policy: 'redis', redis: { cluster_addresses: ['10.0.0.1:7000', '10.0.0.2:7001'] } }).redis as Record<string, unknown>
  t.strictSame(loaded.cluster_nodes, [{ ip: '10.0.0.1', port: 7000 }, { ip: '10.0.0.2', port: 7001 }], 'the deprecated cluster_addresses expands')
})

t.test('the redis record and the deprecated redis_* fields are accepted (Kong dumps them)', async (t) => {
  t.doesNotThrow(() => load({
    second: 10,
    redis: { host: 'localhost', port: 6379, timeout: 2000, username: null, password: null, database: 0, ssl: false, ssl_verify: false, server_name: null }
  }), 'new structure, as Kong dumps it')
  t.doesNotThrow(() => load({ second: 10, redis_host: 'localhost', redis_port: 6379, redis_timeout: 1100, redis_database: 2, redis_password: 'pw' }), 'legacy structure')
  t.equal(issues({ second: 10, redis: { port: 'x' } })[0][0], 'plugins[0].config.redis.port')
})
