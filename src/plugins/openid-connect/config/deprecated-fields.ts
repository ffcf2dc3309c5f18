// openid-connect's deprecated config fields, Kong's shorthand_fields (kong/plugins/openid-connect/schema.lua,
// "deprecated forms, to be removed in Kong 4.0"). Kong 3.x accepts each, translates it to the field that
// replaced it (the real field wins when both are given; different values are refused) and logs a
// deprecation; 3.8+ also writes the session_redis_* forms back into its own dumps. Tollgate does the
// same, and the replacement is then validated as any field: the session and redis ones are held to
// kong-fields-schema.ts's rule (Kong's default or null, else "not supported by Tollgate yet"). The four
// without a replacement are ignored by Kong, so any value of the right type is accepted. Messages are
// Kong's, but for consumer_claim's, written in their style: Kong 3.14 replaced that field with
// consumer_claims, and its shorthand is not in the Kong sources we cite.

import type { FieldSchema } from '../../../config/schema/engine.ts'
import type { Shorthand } from '../../../config/schema/shorthand.ts'

const PLUGIN = 'openid-connect'

function renamed (name: string, schema: FieldSchema, replacement: string, map: (value: unknown) => unknown = (value) => value): Shorthand {
  return {
    name,
    schema,
    expand: (value) => ({ [replacement]: map(value) }),
    deprecation: { message: `${PLUGIN}: config.${name} is deprecated, please use config.${replacement} instead` },
  }
}

function dropped (name: string, schema: FieldSchema): Shorthand {
  return { name, schema, expand: () => null, deprecation: { message: `${PLUGIN}: config.${name} option does not exist anymore` } }
}

/** session_redis_<member> -> redis.<member>; Kong refuses the pair when both are set and differ. */
function redis (name: string, schema: FieldSchema, member: string = name.slice('session_redis_'.length)): Shorthand {
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

/**
 * consumer_claim (one claim path, before Kong 3.14) -> consumer_claims (a list of claim paths): the one path
 * becomes the list's only entry; an empty path is unset. consumer_claims given as well wins, and a different
 * value is refused, as for Kong's other renamed fields.
 */
const consumerClaim: Shorthand = {
  name: 'consumer_claim',
  schema: { type: 'array', elements: { type: 'string' } },
  expand: (value) => Array.isArray(value) && value.length > 0 ? { consumer_claims: [value] } : null,
  deprecation: {
    message: `${PLUGIN}: config.consumer_claim is deprecated, please use config.consumer_claims instead`,
    replacedWith: [{ path: ['consumer_claims'], reverse: onlyClaim }],
  },
}

/** The one path of consumer_claims, compared with consumer_claim; the whole list when it holds more. */
function onlyClaim (record: Readonly<Record<string, unknown>>): unknown {
  const claims = record.consumer_claims
  return Array.isArray(claims) && claims.length === 1 ? claims[0] : claims
}

const string: FieldSchema = { type: 'string' }
const number: FieldSchema = { type: 'number' }
const integer: FieldSchema = { type: 'integer' }
const boolean: FieldSchema = { type: 'boolean' }
const port: FieldSchema = { type: 'integer', between: [0, 65535] }
const clusterNodes: FieldSchema = {
  type: 'array',
  elements: { type: 'record', fields: { ip: { type: 'string', default: '127.0.0.1' }, port: { ...port, default: 6379 } } },
}

export const OIDC_SHORTHANDS: readonly Shorthand[] = [
  renamed('authorization_cookie_lifetime', number, 'authorization_rolling_timeout'),
  renamed('authorization_cookie_samesite', string, 'authorization_cookie_same_site', (value) => value === 'off' ? 'Default' : value),
  renamed('authorization_cookie_httponly', boolean, 'authorization_cookie_http_only'),
  renamed('session_cookie_lifetime', number, 'session_rolling_timeout'),
  renamed('session_cookie_idletime', number, 'session_idling_timeout'),
  renamed('session_cookie_samesite', string, 'session_cookie_same_site', (value) => value === 'off' ? 'Lax' : value),
  renamed('session_cookie_httponly', boolean, 'session_cookie_http_only'),
  renamed('session_memcache_prefix', string, 'session_memcached_prefix'),
  renamed('session_memcache_socket', string, 'session_memcached_socket'),
  renamed('session_memcache_host', string, 'session_memcached_host'),
  renamed('session_memcache_port', integer, 'session_memcached_port'),
  dropped('session_cookie_renew', number),
  dropped('session_cookie_maxsize', integer),
  dropped('session_strategy', string),
  dropped('session_compressor', string),
  // Kong 3.4-3.7's spelling (a shorthand for session_redis_cluster_max_redirections then)
  redis('session_redis_cluster_maxredirections', integer, 'cluster_max_redirections'),
  redis('session_redis_prefix', string),
  redis('session_redis_socket', string),
  redis('session_redis_host', string),
  redis('session_redis_port', port),
  // Kong's message for this one names redis_host (a slip); it is named for what it is here
  redis('session_redis_username', string),
  redis('session_redis_password', { type: 'string', secret: true }),
  redis('session_redis_connect_timeout', integer),
  redis('session_redis_read_timeout', integer),
  redis('session_redis_send_timeout', integer),
  redis('session_redis_ssl', boolean),
  redis('session_redis_ssl_verify', boolean),
  redis('session_redis_server_name', string),
  redis('session_redis_cluster_nodes', clusterNodes),
  redis('session_redis_cluster_max_redirections', integer),
  consumerClaim,
]
