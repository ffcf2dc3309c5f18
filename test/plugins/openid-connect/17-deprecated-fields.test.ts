// Deprecated fields Kong 3.x still accepts (shorthand_fields with a deprecation): openid-connect's
// session_* forms and the shared Redis record's timeout / sentinel_addresses / cluster_addresses. Each is
// translated to its replacement, which is then held to the rule for Kong-only fields (Kong's default or
// null, else "not supported by Tollgate yet"), and announced once per field per load.

import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { logDeprecations } from '../../../src/config/deprecations.ts'
import { loadConfigFile, loadConfigObject } from '../../../src/config/load.ts'
import { redact, validate, type ConfigNotice, type FieldSchema, type Shorthand } from '../../../src/config/schema/engine.ts'
import { NOT_SUPPORTED } from '../../../src/plugins/openid-connect/config/kong-fields-schema.ts'
import { OIDC_SHORTHANDS } from '../../../src/plugins/openid-connect/config/deprecated-fields.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
import { requestTerminationSchema } from '../../../src/plugins/request-termination/schema.ts'
import { REDIS_SHORTHANDS } from '../../../src/plugins/redis-shorthands.ts'

const OIDC_LUA = 'kong/plugins/openid-connect/schema.lua shorthand_fields'
const REDIS_LUA = 'kong/enterprise_edition/tools/redis/v2/schema.lua shorthand_fields'
const MISMATCH_SPEC = 'spec/01-unit/01-db/01-schema/01-schema_spec.lua "notifes of error if values mismatch with replaced field"'
const MATCH_SPEC = 'spec/01-unit/01-db/01-schema/01-schema_spec.lua "accepts config if both new field and deprecated field defined and their values match"'

const DUMP = new URL('../../fixtures/config/deck-oidc-deprecated-dump.json', import.meta.url).pathname
const BIN = new URL('../../../bin/tollgate.js', import.meta.url).pathname
const HOWTO = {
  issuer: 'http://keycloak:8080/realms/master',
  auth_methods: ['client_credentials'],
}

function check (input: Record<string, unknown>): { issues: unknown[], notices: ConfigNotice[] } {
  const notices: ConfigNotice[] = []
  const { issues } = validate(openIdConnectSchema.configSchema, { ...HOWTO, ...input }, 'config', notices)
  return { issues, notices }
}

/** A record whose every field takes anything: shows exactly what the shorthands write. */
function expanded (shorthands: readonly Shorthand[], names: readonly string[], input: Record<string, unknown>): unknown {
  const fields: Record<string, FieldSchema> = Object.fromEntries(names.map((name) => [name, { type: 'any' }]))
  return validate({ type: 'record', fields, shorthands }, input, 'r').value
}

interface Row {
  readonly from: string
  readonly config: Record<string, unknown>
  readonly issues: ReadonlyArray<{ path: string, message: string }>
  /** the deprecation messages announced */
  readonly notices?: readonly string[]
}

const redisNotice = (member: string) => `openid-connect: config.session_redis_${member} is deprecated, please use config.redis.${member} instead`

const ROWS: readonly Row[] = [
  { from: OIDC_LUA, config: { session_redis_host: '127.0.0.1' }, issues: [], notices: [redisNotice('host')] },
  { from: OIDC_LUA, config: { session_redis_host: 'redis.internal' }, issues: [{ path: 'config.redis.host', message: NOT_SUPPORTED }] },
  {
    from: MISMATCH_SPEC,
    config: { session_redis_host: 'a.example', redis: { host: 'b.example' } },
    issues: [{ path: 'config.session_redis_host', message: 'both deprecated and new field are used but their values mismatch: session_redis_host = a.example vs redis.host = b.example' }],
  },
  { from: MATCH_SPEC, config: { session_redis_port: 6379, redis: { port: 6379 } }, issues: [], notices: [redisNotice('port')] },
  // a null deprecated field is what Kong's dumps write when the replacement is unset: no notice (Kong warns only on a value)
  { from: OIDC_LUA, config: { session_redis_cluster_nodes: null, session_redis_password: null }, issues: [], notices: [] },
  {
    from: `${MISMATCH_SPEC}, never showing a secret`,
    config: { session_redis_password: 'p-old', redis: { password: 'p-new' } },
    issues: [{ path: 'config.session_redis_password', message: 'both deprecated and new field are used but their values mismatch: session_redis_password = <redacted> vs redis.password = <redacted>' }],
  },
  {
    from: OIDC_LUA,
    config: { session_redis_cluster_nodes: [{ ip: '10.0.0.1', port: 6379 }] },
    issues: [{ path: 'config.redis.cluster_nodes', message: NOT_SUPPORTED }],
  },
  { from: `${OIDC_LUA} (Kong 3.4-3.7 spelling)`, config: { session_redis_cluster_maxredirections: 5 }, issues: [], notices: ['openid-connect: config.session_redis_cluster_maxredirections is deprecated, please use config.redis.cluster_max_redirections instead'] },
  // the four Kong ignores: any value of their type, never an error
  { from: OIDC_LUA, config: { session_strategy: 'regenerate' }, issues: [], notices: ['openid-connect: config.session_strategy option does not exist anymore'] },
  { from: OIDC_LUA, config: { session_compressor: 'zlib' }, issues: [], notices: ['openid-connect: config.session_compressor option does not exist anymore'] },
  { from: OIDC_LUA, config: { session_cookie_renew: 600 }, issues: [], notices: ['openid-connect: config.session_cookie_renew option does not exist anymore'] },
  { from: OIDC_LUA, config: { session_cookie_maxsize: 4000 }, issues: [], notices: ['openid-connect: config.session_cookie_maxsize option does not exist anymore'] },
  { from: OIDC_LUA, config: { session_cookie_maxsize: 'big' }, issues: [{ path: 'config.session_cookie_maxsize', message: 'expected an integer' }] },
  // renamed: "off" meant the default; the real field wins over the deprecated one
  { from: OIDC_LUA, config: { session_cookie_samesite: 'off', authorization_cookie_samesite: 'off' }, issues: [] },
  { from: OIDC_LUA, config: { session_cookie_lifetime: 7200 }, issues: [{ path: 'config.session_rolling_timeout', message: NOT_SUPPORTED }] },
  { from: OIDC_LUA, config: { session_cookie_lifetime: 7200, session_rolling_timeout: 3600 }, issues: [] },
  // the shared Redis record, in both places openid-connect has one
  { from: REDIS_LUA, config: { redis: { timeout: 2000 } }, issues: [], notices: ['redis schema field `timeout` is deprecated, use `connect_timeout`, `send_timeout` and `read_timeout`'] },
  {
    from: REDIS_LUA,
    // the cluster cache is implemented (config/cluster-cache-fields.ts): its record takes any timeout
    config: { cluster_cache_redis: { timeout: 5000 } },
    issues: [],
    notices: ['redis schema field `timeout` is deprecated, use `connect_timeout`, `send_timeout` and `read_timeout`'],
  },
  {
    from: MISMATCH_SPEC,
    config: { redis: { timeout: 5000, connect_timeout: 2000 } },
    issues: [{ path: 'config.redis.timeout', message: 'both deprecated and new field are used but their values mismatch: timeout = 5000 vs connect_timeout = 2000' }],
  },
  { from: REDIS_LUA, config: { redis: { cluster_addresses: ['10.0.0.1:6379'] } }, issues: [{ path: 'config.redis.cluster_nodes', message: NOT_SUPPORTED }] },
  { from: REDIS_LUA, config: { redis: { cluster_addresses: ['10.0.0.1'] } }, issues: [{ path: 'config.redis.cluster_addresses[0]', message: 'Invalid Redis host address: 10.0.0.1' }] },
  { from: REDIS_LUA, config: { redis: { cluster_addresses: null, sentinel_addresses: null }, cluster_cache_redis: { sentinel_addresses: null } }, issues: [], notices: [] },
]

t.test('each deprecated field: accepted, translated, refused only as Kong or the not-supported rule says', async (t) => {
  for (const row of ROWS) {
    const { issues, notices } = check(row.config)
    t.same(issues, row.issues, `${JSON.stringify(row.config)} (${row.from})`)
    if (row.notices !== undefined) t.same(notices.map((notice) => notice.message), row.notices, `notices of ${JSON.stringify(row.config)}`)
  }
})

t.test('what each shorthand writes (the Kong schema\'s func)', async (t) => {
  const redisNames = ['connect_timeout', 'send_timeout', 'read_timeout', 'cluster_nodes', 'sentinel_nodes']
  t.same(expanded(REDIS_SHORTHANDS, redisNames, { timeout: 1500, cluster_addresses: ['a:1', 'b:2'], sentinel_addresses: ['s:26379'] }), {
    connect_timeout: 1500,
    send_timeout: 1500,
    read_timeout: 1500,
    cluster_nodes: [{ ip: 'a', port: 1 }, { ip: 'b', port: 2 }],
    sentinel_nodes: [{ host: 's', port: 26379 }],
  }, REDIS_LUA)
  t.same(expanded(REDIS_SHORTHANDS, redisNames, { cluster_addresses: ['a:1'], cluster_nodes: [{ ip: 'a', port: 1 }] }),
    { connect_timeout: null, send_timeout: null, read_timeout: null, cluster_nodes: [{ ip: 'a', port: 1 }], sentinel_nodes: null },
    `${MATCH_SPEC} (reverse_mapping_function: "ip:port")`)
  const oidcNames = ['redis', 'session_rolling_timeout', 'session_cookie_same_site', 'authorization_cookie_same_site', 'session_memcached_port']
  t.same(expanded(OIDC_SHORTHANDS, oidcNames, {
    session_redis_host: 'h',
    session_redis_port: 1,
    session_redis_ssl: true,
    session_cookie_lifetime: 10,
    session_cookie_samesite: 'off',
    authorization_cookie_samesite: 'Strict',
    session_memcache_port: 2,
    session_strategy: 'x',
  }), {
    redis: { host: 'h', port: 1, ssl: true },
    session_rolling_timeout: 10,
    session_cookie_same_site: 'Lax',
    authorization_cookie_same_site: 'Strict',
    session_memcached_port: 2,
  }, OIDC_LUA)
  t.same(expanded(OIDC_SHORTHANDS, oidcNames, { session_redis_host: 'h', redis: { port: 7 } }), {
    redis: { host: 'h', port: 7 }, session_rolling_timeout: null, session_cookie_same_site: null, authorization_cookie_same_site: null, session_memcached_port: null,
  }, 'merged into the record given beside it (kong/tools/table.lua null_aware_table_merge)')
})

t.test('a deprecated secret is redacted when a posted config is shown back', async (t) => {
  const shown = JSON.stringify(redact(openIdConnectSchema.configSchema, { ...HOWTO, session_redis_password: 'old-pass' }))
  t.notOk(shown.includes('old-pass'))
})

t.test('request-termination: every field of Kong 3.x\'s schema is known (it has no deprecated forms)', async (t) => {
  // kong/plugins/request-termination/schema.lua: status_code, message, content_type, body, echo, trigger
  const config = { status_code: 503, message: null, content_type: null, body: null, echo: false, trigger: null }
  t.same(validate(requestTerminationSchema.configSchema, config, 'config').issues, [])
})

t.test('decK dumps with deprecated fields load, and each field is announced once per load', async (t) => {
  const loaded = await loadConfigFile(DUMP, {})
  t.equal(loaded.entities.plugins.length, 2)
  for (const plugin of loaded.entities.plugins) t.match(plugin.config, { issuer: 'http://keycloak:8080/realms/master', auth_methods: ['client_credentials'] })
  const messages = loaded.deprecations.map((deprecation) => deprecation.message)
  t.equal(new Set(messages).size, messages.length, 'once per field')
  t.match(loaded.deprecations.find((deprecation) => deprecation.message === redisNotice('host')), {
    path: 'services[0].plugins[0].config.session_redis_host', uses: 2,
  }, 'the first use is named, and how many there are')
  t.match(loaded.deprecations.find((deprecation) => deprecation.message.startsWith('redis schema field `timeout`')), { uses: 2 },
    'the 3.9 dump writes timeout into redis and cluster_cache_redis')
  for (const dropped of ['session_strategy', 'session_compressor', 'session_cookie_renew', 'session_cookie_maxsize']) {
    t.ok(messages.includes(`openid-connect: config.${dropped} option does not exist anymore`), dropped)
  }
  t.notOk(messages.some((message) => message.includes('cluster_addresses')), 'null values are not announced')
  t.same(loadConfigObject({ _format_version: '3.0' }, 'plain', {}).deprecations, [], 'none without deprecated fields')
})

t.test('tollgate check prints each deprecation once, to stderr, and accepts the dump', async (t) => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'check', '--config', DUMP])
  t.match(stdout, /configuration is valid/)
  const lines = stderr.trim().split('\n')
  t.equal(lines.filter((line) => line.includes(redisNotice('host'))).length, 1)
  t.match(lines[0], `${DUMP}: services[0].plugins[0].config.`)
})

t.test('the gateway logs one warn line per deprecated field per load', async (t) => {
  const loaded = await loadConfigFile(DUMP, {})
  const lines: Array<{ level: string, event: string, fields: Record<string, unknown> }> = []
  const logger = { log: (level: string, event: string, fields: Record<string, unknown> = {}) => { lines.push({ level, event, fields }) } }
  logDeprecations(logger, loaded)
  t.equal(lines.length, loaded.deprecations.length)
  t.ok(lines.every((line) => line.level === 'warn' && line.event === 'config_deprecated_field'))
  t.match(lines.find((line) => line.fields.message === redisNotice('host'))?.fields, {
    source: DUMP, path: 'services[0].plugins[0].config.session_redis_host', uses: 2,
  })
  logDeprecations(logger, await loadConfigFile(DUMP, {}))
  t.equal(lines.length, 2 * loaded.deprecations.length, 'again on the next load (a reload)')
})
