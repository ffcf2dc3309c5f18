// The validated openid-connect config as a proxy worker reads it: config/schema.ts validates every field and
// applies Kong's defaults; test/unit/config/config-shapes.ts holds this type to that schema.

import type { CredentialLocation } from './credentials.ts'

/** The validated plugin config fields the worker reads (schema.ts has them all, with Kong's defaults). */
export interface OidcConfig {
  readonly issuer: string
  readonly token_endpoint: string | null
  readonly client_id: readonly string[] | null
  readonly client_secret: readonly string[] | null
  readonly client_auth: readonly string[] | null
  readonly client_alg: readonly string[] | null
  readonly client_jwk: ReadonlyArray<Readonly<Record<string, unknown>>> | null
  readonly token_endpoint_auth_method: string | null
  readonly client_credentials_param_type: readonly CredentialLocation[]
  readonly scopes: readonly string[]
  readonly token_post_args_names: readonly string[] | null
  readonly token_post_args_values: readonly string[] | null
  readonly token_headers_names: readonly string[] | null
  readonly token_headers_values: readonly string[] | null
  readonly cache_tokens: boolean
  readonly cache_tokens_salt: string | null
  readonly token_cache_key_include_scope: boolean
  readonly cache_ttl: number
  readonly cache_ttl_min: number | null
  readonly cache_ttl_max: number | null
  readonly cache_ttl_neg: number | null
  readonly cache_ttl_resurrect: number | null
  readonly upstream_access_token_header: string
  readonly hide_credentials: boolean
  readonly leeway: number
  readonly verify_signature: boolean
  readonly verify_claims: boolean
  readonly enable_hs_signatures: boolean
  readonly ignore_signature: readonly string[]
  readonly issuers_allowed: readonly string[] | null
  readonly timeout: number
  readonly ssl_verify: boolean
  readonly keepalive: boolean
  readonly display_errors: boolean
  readonly expose_error_code: boolean
  readonly unauthorized_error_message: string
  readonly forbidden_error_message: string
  readonly run_on_preflight: boolean
}
