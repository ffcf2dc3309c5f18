// Kong's rate-limiting plugin schema (kong/plugins/rate-limiting/schema.lua, 3.x): field names, types,
// defaults, its custom_validator (validate_periods_order), entity_checks and shorthand_fields (the
// deprecated redis_* fields). Tollgate counts in shared memory only: `policy: local`. `redis` and
// `cluster` are refused at load, naming config.policy; the `redis` record (and the redis_* shorthands) is
// validated as Kong's and left out of the loaded config, so Kong's own dumps load.

import type { ConfigIssue } from '../../core/errors.ts'
import { isSet } from '../../config/schema/checks.ts'
import { host, NOT_BUILT, port } from '../../config/schema/typedefs.ts'
import type { FieldSchema, Shorthand } from '../../config/schema/engine.ts'
import type { PluginSchema } from '../types.ts'
import { PERIODS } from './windows.ts'

const PLUGIN = 'rate-limiting'
/** handler.lua / schema.lua SYNC_RATE_REALTIME: no sync (counters are updated per request) */
export const SYNC_RATE_REALTIME = -1

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
  if (value === 'redis') return `policy 'redis' ${NOT_BUILT} (comes with the Redis cluster issue); use 'local'`
  if (value === 'cluster') return "policy 'cluster' needs a database, and Tollgate has none (as Kong in DB-less mode); use 'local'"
  return null
}

const limit: FieldSchema = { type: 'number', gt: 0 }

/** kong/tools/redis/schema.lua config_schema, accepted for compatibility (policy redis is refused) */
const redis: FieldSchema = {
  type: 'record',
  required: true,
  omit: true,
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
  // policy is always local here (redis and cluster are refused by the field itself)
  if (config.sync_rate !== SYNC_RATE_REALTIME) return [{ path: '', message: 'sync_rate can only be used with the redis policy' }]
  return []
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
      /** what happens when the counters fail (a full table): true proxies without limiting, false answers 500 */
      fault_tolerant: { type: 'boolean', required: true, default: true },
      redis,
      hide_client_headers: { type: 'boolean', required: true, default: false },
      error_code: { type: 'number', default: 429, gt: 0 },
      error_message: { type: 'string', default: 'API rate limit exceeded' },
      /** -1: counters are updated per request; any other value needs policy redis */
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
