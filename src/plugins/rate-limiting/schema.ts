// Kong's rate-limiting plugin schema (kong/plugins/rate-limiting/schema.lua, 3.x): field names, types,
// defaults, its custom_validator (validate_periods_order and the sync_rate rules), entity_checks and
// shorthand_fields (the deprecated redis_* fields). Policies `local` (shared memory) and `redis`
// (redis-policy.ts); `cluster` needs Kong's database and is refused, naming config.policy. The `redis`
// record is Kong's OSS one (kong/tools/redis/schema.lua) plus, as a Tollgate extension, the fields of
// Kong's Enterprise record (src/redis/schema.ts: per-operation timeouts, Sentinel, Cluster).

import type { ConfigIssue } from '../../core/errors.ts'
import { isSet } from '../../config/schema/checks.ts'
import { host, port } from '../../config/schema/typedefs.ts'
import type { FieldSchema, Shorthand } from '../../config/schema/engine.ts'
import type { PluginSchema } from '../types.ts'
import { REDIS_SHORTHANDS } from '../redis-shorthands.ts'
import { checkRedisRecord, namesServers, redisRecordFields } from '../../redis/schema.ts'
import { PERIODS } from './windows.ts'

const PLUGIN = 'rate-limiting'
/** handler.lua / schema.lua SYNC_RATE_REALTIME: no sync (counters are updated per request) */
export const SYNC_RATE_REALTIME = -1
/** schema.lua: a batched sync_rate below this is refused */
const MIN_SYNC_RATE = 0.02

/** kong/tools/http.lua validate_header_name */
const HEADER_NAME = /^[A-Za-z0-9_-]+$/
function headerName (value: string): string | null {
  return HEADER_NAME.test(value) ? null : `bad header name '${value}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`
}

/** kong/db/schema/typedefs.lua typedefs.path: starts_with "/", no empty segment, RFC 3986 characters */
const PATH_CHARS = /^\/[\w.\-~/%:@!$&'()*+,;=]*$/
function path (value: string): string | null {
  if (!value.startsWith('/')) return 'should start with: /'
  if (value.includes('//')) return 'must not have empty segments'
  if (!PATH_CHARS.test(value)) return `invalid path: '${value}' (characters outside of the reserved list of RFC 3986 found)`
  return null
}

function policy (value: string): string | null {
  if (value === 'cluster') return "policy 'cluster' needs a database, and Tollgate has none (as Kong in DB-less mode); use 'local'"
  return null
}

const limit: FieldSchema = { type: 'number', gt: 0 }

/** kong/tools/redis/schema.lua config_schema, and the Enterprise record's fields (src/redis/schema.ts) */
const redis: FieldSchema = {
  type: 'record',
  required: true,
  checks: checkRedisRecord,
  // the Enterprise record's deprecated address lists; its `timeout` is a field of the OSS record here
  shorthands: REDIS_SHORTHANDS.filter((shorthand) => shorthand.name !== 'timeout'),
  fields: {
    host,
    port: { ...port, default: 6379 },
    timeout: { type: 'integer', default: 2000, between: [0, 2147483646] },
    username: { type: 'string' },
    password: { type: 'string', secret: true, len_min: 0 },
    database: { type: 'integer', default: 0 },
    ssl: { type: 'boolean', default: false },
    ssl_verify: { type: 'boolean', default: false },
    server_name: { type: 'string' },
    ...redisRecordFields,
  },
}

/** schema.lua validate_periods_order and its sync_rate rules, message for message */
function checkConfig (config: Record<string, unknown>): ConfigIssue[] {
  for (let i = 0; i < PERIODS.length; i++) {
    const lower = config[PERIODS[i]]
    if (typeof lower !== 'number') continue
    for (let j = i + 1; j < PERIODS.length; j++) {
      const upper = config[PERIODS[j]]
      if (typeof upper === 'number' && upper < lower) {
        return [{ path: '', message: `The limit for ${PERIODS[j]}(${upper.toFixed(1)}) cannot be lower than the limit for ${PERIODS[i]}(${lower.toFixed(1)})` }]
      }
    }
  }
  const syncRate = config.sync_rate as number
  if (config.policy !== 'redis' && syncRate !== SYNC_RATE_REALTIME) return [{ path: '', message: 'sync_rate can only be used with the redis policy' }]
  if (config.policy === 'redis' && syncRate !== SYNC_RATE_REALTIME && syncRate < MIN_SYNC_RATE) {
    return [{ path: '', message: 'sync_rate must be greater than 0.02, or -1 to disable' }]
  }
  return []
}

/**
 * schema.lua's conditionals: policy redis requires config.redis.host, port and timeout. port and timeout
 * have defaults; host is not needed by a record that names Sentinel or Cluster nodes (Tollgate extension).
 */
function redisChecks (config: Record<string, unknown>): ConfigIssue[] {
  if (config.policy !== 'redis') return []
  const record = config.redis as Record<string, unknown>
  if (isSet(record.host) || namesServers(record)) return []
  return [{ path: 'redis.host', message: 'required field missing' }, { path: '', message: "failed conditional validation given value of field 'config.policy'" }]
}

/** schema.lua entity_checks: at_least_one_of the periods, and the two conditionals on limit_by */
function entityChecks (config: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  // an entity check in Kong, so its message names the fields from the plugin entity (config.second ...)
  if (!PERIODS.some((period) => isSet(config[period]))) {
    issues.push({ path: '', message: `at least one of these fields must be non-empty: ${PERIODS.map((p) => `'config.${p}'`).join(', ')}` })
  }
  if (config.limit_by === 'header' && !isSet(config.header_name)) issues.push({ path: 'header_name', message: 'required field missing' })
  if (config.limit_by === 'path' && !isSet(config.path)) issues.push({ path: 'path', message: 'required field missing' })
  issues.push(...redisChecks(config))
  return issues.length > 0 ? issues : checkConfig(config)
}

/** schema.lua shorthand_fields: config.redis_<member> -> config.redis.<member>, deprecated (removal in 4.0) */
function redisShorthand (member: string, schema: FieldSchema): Shorthand {
  const name = `redis_${member}`
  return {
    name,
    schema,
    expand: (value) => ({ redis: { [member]: value } }),
    deprecation: {
      message: `${PLUGIN}: config.${name} is deprecated, please use config.redis.${member} instead`,
      replacedWith: [{ path: ['redis', member] }],
    },
  }
}

export const rateLimitingSchema: PluginSchema = {
  name: PLUGIN,
  noConsumer: false,
  // may be scoped to a consumer group (Kong 3.6 changelog: consumer group scoping added)
  consumerGroups: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      second: limit,
      minute: limit,
      hour: limit,
      day: limit,
      month: limit,
      year: limit,
      limit_by: { type: 'string', default: 'consumer', one_of: ['consumer', 'credential', 'ip', 'service', 'header', 'path'] },
      header_name: { type: 'string', custom: headerName },
      path: { type: 'string', custom: path },
      policy: { type: 'string', default: 'local', len_min: 0, one_of: ['local', 'cluster', 'redis'], custom: policy },
      /** when the counters fail (a full table, Redis down): true proxies without limiting, false answers 500 */
      fault_tolerant: { type: 'boolean', required: true, default: true },
      redis,
      hide_client_headers: { type: 'boolean', required: true, default: false },
      error_code: { type: 'number', default: 429, gt: 0 },
      error_message: { type: 'string', default: 'API rate limit exceeded' },
      /** -1: Redis is counted per request; >= 0.02 (policy redis): seconds between batched syncs */
      sync_rate: { type: 'number', required: true, default: SYNC_RATE_REALTIME },
    },
    checks: entityChecks,
    shorthands: [
      redisShorthand('host', { type: 'string' }),
      redisShorthand('port', { type: 'integer' }),
      redisShorthand('password', { type: 'string', len_min: 0, secret: true }),
      redisShorthand('username', { type: 'string' }),
      redisShorthand('ssl', { type: 'boolean' }),
      redisShorthand('ssl_verify', { type: 'boolean' }),
      redisShorthand('server_name', { type: 'string' }),
      redisShorthand('timeout', { type: 'integer' }),
      redisShorthand('database', { type: 'integer' }),
    ],
  },
}
