// Kong's openid-connect plugin config (kong/plugins/openid-connect/schema.lua), restricted to what Tollgate's
// auth methods use: client_credentials, bearer and introspection, with consumer mapping and claim headers
// (auth-method-fields.ts). Field names, types and defaults are Kong's. Where Tollgate does less than Kong
// (the other auth methods), the config is refused with a message saying so, never silently accepted.
// Every other Kong field (kong-fields.ts) is accepted unset or at Kong's default, so that a decK dump loads
// as is, and is then left out of the loaded config; set to anything else it is an error.

import type { ConfigIssue } from '../../../core/errors.ts'
import type { FieldSchema } from '../../../config/schema/engine.ts'
import type { PluginSchema } from '../../types.ts'
import { isSet } from '../../../config/schema/checks.ts'
import { AUTH_METHOD_FIELDS, checkAuthMethodFields, checkPair, CLIENT_AUTH_METHODS, headerName } from './auth-method-fields.ts'
import { completeSigningJwk, JWS_ALGS, jwkRecord } from './jwk-schema.ts'
import { OIDC_SHORTHANDS } from './deprecated-fields.ts'
import { KONG_FIELDS } from './kong-fields.ts'
import { CLUSTER_CACHE_FIELDS } from './cluster-cache-fields.ts'
import { kongFieldSchemas } from './kong-fields-schema.ts'

/** Kong's nine auth methods, its default when auth_methods is absent. */
export const KONG_AUTH_METHODS = [
  'password', 'client_credentials', 'authorization_code', 'bearer', 'introspection', 'userinfo', 'kong_oauth2',
  'refresh_token', 'session'
]
export const SUPPORTED_AUTH_METHODS: readonly string[] = ['client_credentials', 'bearer', 'introspection']

const GRANTS = ['password', 'client_credentials', 'authorization_code', 'refresh_token', 'session', 'introspection', 'userinfo']

const UPSTREAM_HEADER = /^(authorization:(bearer|basic|dpop)|[A-Za-z0-9_-]+)$/i

const strings: FieldSchema = { type: 'array', elements: { type: 'string' } }
const url: FieldSchema = { type: 'string', url: true }
const seconds: FieldSchema = { type: 'number', between: [0, 2147483647] }

function authMethod (value: string): string | null {
  return SUPPORTED_AUTH_METHODS.includes(value) ? null : `auth method '${value}' is not supported by Tollgate yet`
}

function checkAuthMethods (config: Record<string, unknown>): ConfigIssue[] {
  const methods = config.auth_methods
  if (Array.isArray(methods) && methods.length > 0) return []
  return [{
    path: 'auth_methods',
    message: `required: Kong's default enables all nine auth methods (${KONG_AUTH_METHODS.join(', ')}) and ` +
      `Tollgate implements only ${SUPPORTED_AUTH_METHODS.join(', ')}, so set it explicitly to those you use, ` +
      'e.g. ["client_credentials"] or ["bearer", "introspection"]'
  }]
}

function length (value: unknown): number {
  return Array.isArray(value) ? value.length : 0
}

const COMPANIONS = ['client_secret', 'client_auth', 'client_jwk', 'client_alg']

/** Entries of the client companion arrays belong to the client_id at the same position. */
function checkClients (config: Record<string, unknown>): ConfigIssue[] {
  const clients = length(config.client_id)
  const longer = COMPANIONS
    .filter((field) => length(config[field]) > clients)
    .map((field) => ({ path: field, message: `has more entries than client_id (${clients})` }))
  return longer.length > 0 ? longer : checkBrokerClients(config, clients)
}

/**
 * Broker mode (Tollgate's extension): some client_auth entry is private_key_jwt and client_secret has a
 * non-empty entry. The gateway then vouches for client_id[i] with client_secret[i], client_auth[i],
 * client_jwk[i] and client_alg[i] only: Kong's fallback to a companion array's first entry
 * (kong/plugins/openid-connect/clients.lua) would let one client's secret unlock another client's token, so
 * a companion array that is set must have an entry for every client_id. A client that is not brokered says
 * so at its own position with a client_auth other than private_key_jwt (its client_secret entry is unused).
 */
function checkBrokerClients (config: Record<string, unknown>, clients: number): ConfigIssue[] {
  const auth = Array.isArray(config.client_auth) ? config.client_auth as unknown[] : []
  const secrets = Array.isArray(config.client_secret) ? config.client_secret as unknown[] : []
  if (!auth.includes('private_key_jwt') || !secrets.some(isSecret)) return []
  const shorter = COMPANIONS
    .filter((field) => isSet(config[field]) && length(config[field]) < clients)
    .map((field) => ({
      path: field,
      message: `has ${length(config[field])} entries for ${clients} client_id entries: in broker mode (client_auth ` +
        'private_key_jwt with a client_secret) each client uses only its own entry, so every client_id needs one'
    }))
  if (shorter.length > 0) return shorter
  // a broker's own key is completed (alg, kid) when the plugin is built: it must be completable now
  const jwks = Array.isArray(config.client_jwk) ? config.client_jwk as Array<Record<string, unknown>> : []
  const algs = Array.isArray(config.client_alg) ? config.client_alg as string[] : []
  const issues: ConfigIssue[] = []
  jwks.forEach((jwk, i) => {
    if (auth[i] !== 'private_key_jwt' || !isSecret(secrets[i])) return
    const { issue } = completeSigningJwk(jwk, algs[i], i)
    if (issue !== null) issues.push(issue)
  })
  return issues
}

function isSecret (value: unknown): boolean {
  return typeof value === 'string' && value !== ''
}

function checkTtlRange (config: Record<string, unknown>): ConfigIssue[] {
  const { cache_ttl_min: min, cache_ttl_max: max } = config
  return typeof min === 'number' && typeof max === 'number' && min > max
    ? [{ path: 'cache_ttl_min', message: 'must not be greater than cache_ttl_max' }]
    : []
}

function checkConfig (config: Record<string, unknown>): ConfigIssue[] {
  return [
    ...checkAuthMethods(config),
    ...checkClients(config),
    ...checkPair(config, 'token_post_args_names', 'token_post_args_values'),
    ...checkPair(config, 'token_headers_names', 'token_headers_values'),
    ...checkTtlRange(config),
    ...checkAuthMethodFields(config)
  ]
}

const implemented: Record<string, FieldSchema> = {
  /** discovery URL or issuer; /.well-known/openid-configuration is appended when absent */
  issuer: { type: 'string', required: true, url: true },
  rediscovery_lifetime: { ...seconds, default: 30 },
  token_endpoint: url,
  client_id: strings,
  client_secret: { type: 'array', elements: { type: 'string', secret: true } },
  client_auth: { type: 'array', elements: { type: 'string', one_of: CLIENT_AUTH_METHODS } },
  client_jwk: { type: 'array', elements: jwkRecord },
  client_alg: { type: 'array', elements: { type: 'string', one_of: JWS_ALGS } },
  token_endpoint_auth_method: { type: 'string', one_of: CLIENT_AUTH_METHODS },
  auth_methods: { type: 'array', elements: { type: 'string', one_of: KONG_AUTH_METHODS, custom: authMethod } },
  client_credentials_param_type: {
    type: 'array', default: ['header', 'query', 'body'], elements: { type: 'string', one_of: ['header', 'query', 'body'] }
  },
  scopes: { ...strings, default: ['openid'] },
  token_post_args_names: strings,
  // may carry credentials (an API key, a client assertion): redacted like client_secret
  token_post_args_values: { type: 'array', elements: { type: 'string', secret: true } },
  token_headers_names: { type: 'array', elements: headerName },
  token_headers_values: { type: 'array', elements: { type: 'string', secret: true } },
  cache_tokens: { type: 'boolean', required: true, default: true },
  /**
   * part of the token cache key; unset, the plugin's stable id (Kong's schema declares it `auto` and
   * generates one per instance), so instances share tokens only when given one salt (worker/cache-key.ts)
   */
  cache_tokens_salt: { type: 'string', secret: true },
  token_cache_key_include_scope: { type: 'boolean', required: true, default: false },
  cache_ttl: { ...seconds, default: 3600 },
  cache_ttl_min: seconds,
  cache_ttl_max: seconds,
  cache_ttl_neg: seconds,
  cache_ttl_resurrect: seconds,
  upstream_access_token_header: {
    type: 'string',
    default: 'authorization:bearer',
    match: UPSTREAM_HEADER,
    match_description: 'authorization:bearer, authorization:basic, authorization:dpop or a header name'
  },
  hide_credentials: { type: 'boolean', required: true, default: false },
  leeway: { ...seconds, default: 0 },
  verify_signature: { type: 'boolean', required: true, default: true },
  verify_claims: { type: 'boolean', required: true, default: true },
  enable_hs_signatures: { type: 'boolean', required: true, default: false },
  ignore_signature: { type: 'array', default: [], elements: { type: 'string', one_of: GRANTS } },
  issuers_allowed: strings,
  /** ms, for connect, send and read on IdP calls */
  timeout: { type: 'number', default: 10000, gt: 0 },
  keepalive: { type: 'boolean', required: true, default: true },
  ssl_verify: { type: 'boolean', required: true, default: true },
  display_errors: { type: 'boolean', required: true, default: false },
  expose_error_code: { type: 'boolean', required: true, default: true },
  unauthorized_error_message: { type: 'string', default: 'Unauthorized' },
  forbidden_error_message: { type: 'string', default: 'Forbidden' },
  run_on_preflight: { type: 'boolean', required: true, default: true },
  ...AUTH_METHOD_FIELDS,
  ...CLUSTER_CACHE_FIELDS
}

const unsupported = kongFieldSchemas(KONG_FIELDS, new Set(Object.keys(implemented)))
export const openIdConnectSchema: PluginSchema = {
  name: 'openid-connect',
  noConsumer: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: { ...implemented, ...unsupported },
    checks: checkConfig,
    shorthands: OIDC_SHORTHANDS
  }
}
