// The validated openid-connect config as a proxy worker reads it: config/schema.ts validates every field and
// applies Kong's defaults; test/unit/config/config-shapes.ts holds this type to that schema.

import type { CredentialLocation } from './credentials.ts'

/** bearer_token_param_type: the client credential locations and a cookie (bearer_token_cookie_name) */
export type BearerLocation = CredentialLocation | 'cookie'
/** consumer_by: the consumer field a claim value is matched with */
export type ConsumerField = 'id' | 'username' | 'custom_id'
export type IntrospectionAccept = 'application/json' | 'application/token-introspection+jwt' | 'application/jwt'
/** a claim name, or the names leading to a claim nested in objects; never empty */
export type ClaimPath = readonly string[]

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
  /** 'off' | 'redis' (config/cluster-cache-fields.ts) */
  readonly cluster_cache_strategy: string
  /** Kong's Enterprise Redis record, defaults applied (src/redis/record.ts reads it) */
  readonly cluster_cache_redis: Readonly<Record<string, unknown>> | null
  readonly cluster_cache_items: readonly string[]
  /** client_credentials, bearer and/or introspection (the schema refuses the others and an empty list) */
  readonly auth_methods: readonly string[] | null
  // bearer
  readonly bearer_token_param_type: readonly BearerLocation[]
  readonly bearer_token_cookie_name: string | null
  /** null: Authorization */
  readonly bearer_token_header_name: string | null
  // required claims and where each is found
  readonly audience_required: readonly string[] | null
  readonly audience_claim: ClaimPath
  readonly scopes_required: readonly string[] | null
  readonly scopes_claim: ClaimPath
  readonly groups_required: readonly string[] | null
  readonly groups_claim: ClaimPath
  readonly roles_required: readonly string[] | null
  readonly roles_claim: ClaimPath
  // introspection (RFC 7662)
  readonly introspection_endpoint: string | null
  readonly introspection_endpoint_auth_method: string | null
  readonly introspection_hint: string
  readonly introspection_check_active: boolean
  readonly introspection_accept: IntrospectionAccept
  readonly introspection_token_param_name: string
  readonly introspection_post_args_names: readonly string[] | null
  readonly introspection_post_args_values: readonly string[] | null
  readonly introspection_post_args_client: readonly string[] | null
  readonly introspection_post_args_client_headers: readonly string[] | null
  readonly introspection_headers_names: readonly string[] | null
  readonly introspection_headers_values: readonly string[] | null
  readonly introspection_headers_client: readonly string[] | null
  readonly introspect_jwt_tokens: boolean
  readonly cache_introspection: boolean
  // consumer mapping
  readonly consumer_claims: readonly ClaimPath[] | null
  readonly consumer_by: readonly ConsumerField[]
  readonly consumer_optional: boolean
  readonly by_username_ignore_case: boolean
  /** a consumer id or username */
  readonly anonymous: string | null
  readonly credential_claim: ClaimPath
  // claim headers: names[i] carries the value of claims[i]
  readonly upstream_headers_claims: readonly string[] | null
  readonly upstream_headers_names: readonly string[] | null
  readonly downstream_headers_claims: readonly string[] | null
  readonly downstream_headers_names: readonly string[] | null
  readonly upstream_introspection_header: string | null
  readonly downstream_introspection_header: string | null
}
