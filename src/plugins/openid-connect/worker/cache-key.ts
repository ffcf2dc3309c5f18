// The token cache key: SHA-256 over Kong's key material (kong/plugins/openid-connect/cache.lua), extended
// so that a key names everything that decides the token:
//   <issuer>#grant_type=client_credentials&<client id>&<client secret>&<salt>[&<url-encoded scopes>]
//     &<instance fingerprint>[&<broker tag>]
// - salt: cache_tokens_salt; unset, the plugin's id. Kong's schema declares cache_tokens_salt `auto = true`
//   (kong/plugins/openid-connect/schema.lua): each instance gets its own random salt, so instances never
//   share tokens unless given one salt. Tollgate's plugin ids are stable (src/config/ids.ts), so the default
//   salt survives reloads and restarts as Kong's stored one does.
// - scopes: only with token_cache_key_include_scope, as in Kong (the fingerprint covers them anyway).
// - instance fingerprint (Tollgate): base64url SHA-256 of the canonical JSON of the instance's config
//   fields that decide which token is fetched and how long it is trusted: everything but the fields in
//   ANSWER_ONLY and the per-client arrays, plus client_alg[0] (the pass-through client_secret_jwt alg).
//   Instances sharing a salt share tokens only when these agree; a reload that changes them cannot reach
//   the tokens fetched under the old ones, and an unchanged instance keeps its tokens across reloads.
// - broker tag (Tollgate's broker mode): `private_key_jwt:<alg>:<key digest | gateway>`; a pass-through
//   caller has none, so a client no longer brokered cannot reach the token the gateway fetched for it.
// Without an instance (createCacheKeyParts(config, issuer)) the material is Kong's exactly, salt only when
// set and no fingerprint. A '&' or '%' inside the id or secret is %-escaped, so that ("a&b", "c") and
// ("a", "b&c") cannot share a key; credentials without those characters give Kong's exact material.

import { hash } from 'node:crypto'
import { formUrlEncode } from './form-urlencoded.ts'

/** The config fields the key depends on, as the schema validates them. */
export interface CacheKeyConfig {
  readonly cache_tokens_salt?: string | null
  readonly token_cache_key_include_scope?: boolean | null
  readonly scopes?: readonly string[] | null
  readonly client_alg?: readonly string[] | null
}

export interface CacheKeyParts {
  /** `<issuer>#grant_type=client_credentials` */
  readonly prefix: string
  /** what follows the credentials: `&<salt>`, `&<scopes>` and `&<fingerprint>`, each when it applies */
  readonly suffix: string
}

// Fields that shape only the gateway's answer or its IdP connection, never the token or its trust: a
// reload that changes them keeps the cached tokens. Also left out: what the material has elsewhere (salt,
// the scopes switch) and the per-client arrays (the caller's id and secret and the broker tag cover them).
const ANSWER_ONLY = new Set([
  'client_credentials_param_type', 'upstream_access_token_header', 'hide_credentials', 'display_errors',
  'expose_error_code', 'unauthorized_error_message', 'forbidden_error_message', 'run_on_preflight', 'timeout',
  'keepalive', 'rediscovery_lifetime', 'cache_tokens', 'cache_ttl_neg', 'cache_ttl_resurrect',
  'cache_tokens_salt', 'token_cache_key_include_scope',
  // where tokens are shared between nodes, never which token: nodes with and without Redis share keys
  'cluster_cache_strategy', 'cluster_cache_redis', 'cluster_cache_items',
  'client_id', 'client_secret', 'client_auth', 'client_jwk', 'client_alg'
])

/**
 * Once per plugin instance: the constant parts of the material. `pluginId` given (the gateway always gives
 * it): the default salt and the instance fingerprint; null: Kong's material exactly.
 */
export function createCacheKeyParts (config: CacheKeyConfig, issuer: string, pluginId: string | null = null): CacheKeyParts {
  let suffix = ''
  const salt = typeof config.cache_tokens_salt === 'string' && config.cache_tokens_salt !== '' ? config.cache_tokens_salt : pluginId
  if (salt !== null) suffix += `&${salt}`
  if (config.token_cache_key_include_scope === true) suffix += `&${formUrlEncode((config.scopes ?? []).join(' '))}`
  if (pluginId !== null) suffix += `&${instanceFingerprint(config)}`
  return { prefix: `${issuer}#grant_type=client_credentials`, suffix }
}

/** base64url SHA-256 of the token-relevant fields, keys sorted, so that field order never matters. */
export function instanceFingerprint (config: CacheKeyConfig): string {
  const fields: Array<[string, unknown]> = Object.entries(config).filter(([name]) => !ANSWER_ONLY.has(name))
  fields.push(['client_alg[0]', config.client_alg?.[0] ?? null])
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return hash('sha256', JSON.stringify(fields), 'base64url')
}

/** The 32-byte digest identifying the token of these credentials; `brokerTag` only for a broker client. */
export function tokenCacheKey (parts: CacheKeyParts, clientId: string, clientSecret: string, brokerTag: string | null = null): Uint8Array {
  let material = `${parts.prefix}&${escapeSeparator(clientId)}&${escapeSeparator(clientSecret)}${parts.suffix}`
  if (brokerTag !== null) material += `&${brokerTag}`
  return hash('sha256', material, 'buffer')
}

function escapeSeparator (value: string): string {
  if (!value.includes('&') && !value.includes('%')) return value
  return value.replaceAll('%', '%25').replaceAll('&', '%26')
}
