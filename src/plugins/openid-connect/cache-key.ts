// The token cache key (KONG-REFERENCE §3.4): SHA-256 over Kong's key material
//   <issuer>#grant_type=client_credentials&<client id>&<client secret>[&<salt>][&<url-encoded scopes>]
// The plugin instance id is not part of it, as in Kong: cache_tokens_salt is what separates instances.
// One deviation: a '&' or '%' inside the id or secret is %-escaped, so that ("a&b", "c") and ("a", "b&c")
// cannot share a key; credentials without those characters give Kong's exact material.

import { hash } from 'node:crypto'
import { formUrlEncode } from './form-urlencoded.ts'

/** The config fields the key depends on, as the schema validates them. */
export interface CacheKeyConfig {
  readonly cache_tokens_salt?: string | null
  readonly token_cache_key_include_scope?: boolean | null
  readonly scopes?: readonly string[] | null
}

export interface CacheKeyParts {
  /** `<issuer>#grant_type=client_credentials` */
  readonly prefix: string
  /** what follows the credentials: `&<salt>` and `&<scopes>`, each when configured */
  readonly suffix: string
}

/** Once per plugin instance: the constant parts of the material. */
export function createCacheKeyParts (config: CacheKeyConfig, issuer: string): CacheKeyParts {
  let suffix = ''
  if (typeof config.cache_tokens_salt === 'string' && config.cache_tokens_salt !== '') suffix += `&${config.cache_tokens_salt}`
  if (config.token_cache_key_include_scope === true) suffix += `&${formUrlEncode((config.scopes ?? []).join(' '))}`
  return { prefix: `${issuer}#grant_type=client_credentials`, suffix }
}

/** The 32-byte digest identifying the token of these credentials. */
export function tokenCacheKey (parts: CacheKeyParts, clientId: string, clientSecret: string): Uint8Array {
  const material = `${parts.prefix}&${escapeSeparator(clientId)}&${escapeSeparator(clientSecret)}${parts.suffix}`
  return hash('sha256', material, 'buffer')
}

function escapeSeparator (value: string): string {
  if (!value.includes('&') && !value.includes('%')) return value
  return value.replaceAll('%', '%25').replaceAll('&', '%26')
}
