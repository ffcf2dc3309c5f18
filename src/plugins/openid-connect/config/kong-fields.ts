// Every field of Kong's openid-connect config with Kong's default, as data. Source: Kong's published
// plugin schema (OpenidConnectPluginConfig, the 3.14-era one: it has consumer_claims, upstream_headers,
// jwks_endpoint and token_exchange), plus fields of other 3.x versions (Kong's docs schemas 3.4 and 3.15).
// Deprecated forms Kong still accepts are not fields: they are shorthands (deprecated-fields.ts).
// A decK dump lists all of them, so Tollgate must recognise each one; schema.ts implements some and
// kong-fields-schema.ts accepts the rest only when unset or at these defaults.
// Kong's schema lists array defaults in sorted order (Kong's own order can differ, e.g. logout_methods is
// POST, DELETE): they are compared as sets, so either order is accepted.

import type { Shorthand } from '../../../config/schema/shorthand.ts'
import { REDIS_SHORTHANDS } from '../../redis-shorthands.ts'

export type KongValue = null | boolean | number | string | readonly KongValue[]

export interface KongLeaf {
  readonly name: string
  /** Kong's default; null where Kong has none */
  readonly default: KongValue
  /** an array field without a default: [] means unset, like null */
  readonly array?: boolean
  /** Kong encrypts it (or it is a credential): never shown back */
  readonly secret?: boolean
  /** other Kong 3.x versions' defaults, accepted too (a dump of that version writes them) */
  readonly also?: readonly KongValue[]
}

/** A nested record; its default is the object of its members' defaults (kongDefault). */
export interface KongRecord {
  readonly name: string
  readonly fields: readonly KongField[]
  /** Kong's shorthand_fields of the record (its deprecated forms) */
  readonly shorthands?: readonly Shorthand[]
}

export type KongField = KongLeaf | KongRecord

function value (name: string, fallback: KongValue = null): KongLeaf {
  return { name, default: fallback }
}

function list (name: string): KongLeaf {
  return { name, default: null, array: true }
}

function secret (name: string, array = false): KongLeaf {
  return { name, default: null, array, secret: true }
}

function record (name: string, fields: readonly KongField[], shorthands?: readonly Shorthand[]): KongRecord {
  return shorthands === undefined ? { name, fields } : { name, fields, shorthands }
}

const ALL_AUTH_METHODS = [
  'authorization_code', 'bearer', 'client_credentials', 'introspection', 'kong_oauth2', 'password', 'refresh_token',
  'session', 'userinfo'
]
const PARAM_TYPES = ['body', 'header', 'query']

export const CLOUD_AUTHENTICATION = record('cloud_authentication', [
  value('auth_provider'),
  secret('aws_access_key_id'),
  secret('aws_assume_role_arn'),
  value('aws_cache_name'),
  value('aws_is_serverless', true),
  value('aws_region'),
  secret('aws_role_session_name'),
  secret('aws_secret_access_key'),
  secret('azure_client_id'),
  secret('azure_client_secret'),
  secret('azure_tenant_id'),
  secret('gcp_service_account_json')
])

/** Kong's shared Redis record; `redis` (sessions) adds prefix and socket. */
const REDIS: readonly KongField[] = [
  CLOUD_AUTHENTICATION,
  value('cluster_max_redirections', 5),
  list('cluster_nodes'),
  value('connect_timeout', 2000),
  value('connection_is_proxied', false),
  value('database', 0),
  value('host', '127.0.0.1'),
  value('keepalive_backlog'),
  value('keepalive_pool_size', 256),
  secret('password'),
  value('port', 6379),
  value('read_timeout', 2000),
  value('send_timeout', 2000),
  value('sentinel_master'),
  list('sentinel_nodes'),
  secret('sentinel_password'),
  value('sentinel_role'),
  value('sentinel_username'),
  value('server_name'),
  value('ssl', false),
  // false in 3.4-3.9 (kong/enterprise_edition/tools/redis/v2/schema.lua; session_redis_ssl_verify before it)
  { name: 'ssl_verify', default: true, also: [false] },
  value('username')
]

const TOKEN_EXCHANGE = record('token_exchange', [
  record('cache', [value('enabled', true), value('ttl')]),
  record('request', [list('audience'), value('empty_audience', false), value('empty_scopes', false), list('scopes')]),
  list('subject_token_issuers')
])

export const KONG_FIELDS: readonly KongField[] = [
  value('anonymous'),
  list('audience'),
  value('audience_claim', ['aud']),
  list('audience_required'),
  value('auth_methods', ALL_AUTH_METHODS),
  list('authenticated_groups_claim'),
  value('authorization_cookie_domain'),
  value('authorization_cookie_http_only', true),
  value('authorization_cookie_name', 'authorization'),
  value('authorization_cookie_path', '/'),
  value('authorization_cookie_same_site', 'Default'),
  value('authorization_cookie_secure'),
  value('authorization_endpoint'),
  list('authorization_query_args_client'),
  list('authorization_query_args_names'),
  list('authorization_query_args_values'),
  value('authorization_rolling_timeout', 600),
  value('bearer_token_cookie_name'),
  value('bearer_token_param_type', PARAM_TYPES),
  value('by_username_ignore_case', false),
  value('cache_introspection', true),
  value('cache_token_exchange', true),
  value('cache_tokens', true),
  value('cache_tokens_salt'),
  value('cache_ttl', 3600),
  value('cache_ttl_max'),
  value('cache_ttl_min'),
  value('cache_ttl_neg'),
  value('cache_ttl_resurrect'),
  value('cache_user_info', true),
  list('claims_forbidden'),
  list('client_alg'),
  value('client_arg', 'client_id'),
  list('client_auth'),
  value('client_credentials_param_type', PARAM_TYPES),
  secret('client_id', true),
  list('client_jwk'),
  secret('client_secret', true),
  record('cluster_cache_redis', REDIS, REDIS_SHORTHANDS),
  value('cluster_cache_strategy', 'off'),
  // Kong's own order (kong/plugins/openid-connect/schema.lua); the published schema sorts it
  value('consumer_by', ['username', 'custom_id']),
  list('consumer_claims'),
  list('consumer_groups_claim'),
  value('consumer_groups_optional', false),
  value('consumer_optional', false),
  value('credential_claim', ['sub']),
  list('disable_session'),
  list('discovery_headers_names'),
  list('discovery_headers_values'),
  value('display_errors', false),
  list('domains'),
  value('downstream_access_token_header'),
  value('downstream_access_token_jwk_header'),
  list('downstream_headers'),
  list('downstream_headers_claims'),
  list('downstream_headers_names'),
  value('downstream_id_token_header'),
  value('downstream_id_token_jwk_header'),
  value('downstream_introspection_header'),
  value('downstream_introspection_jwt_header'),
  value('downstream_refresh_token_header'),
  value('downstream_session_id_header'),
  value('downstream_user_info_header'),
  value('downstream_user_info_jwt_header'),
  value('dpop_proof_lifetime', 300),
  value('dpop_use_nonce', false),
  value('enable_hs_signatures', false),
  value('end_session_endpoint'),
  value('expose_error_code', true),
  list('extra_jwks_uris'),
  value('forbidden_destroy_session', true),
  value('forbidden_error_message', 'Forbidden'),
  list('forbidden_redirect_uri'),
  value('groups_claim', ['groups']),
  list('groups_required'),
  value('hide_credentials', true),
  value('http_proxy'),
  secret('http_proxy_authorization'),
  value('http_version', 1.1),
  value('https_proxy'),
  secret('https_proxy_authorization'),
  value('id_token_param_name'),
  value('id_token_param_type', PARAM_TYPES),
  value('ignore_signature', []),
  value('introspect_jwt_tokens', false),
  value('introspection_accept', 'application/json'),
  value('introspection_check_active', true),
  value('introspection_endpoint'),
  value('introspection_endpoint_auth_method'),
  list('introspection_headers_client'),
  list('introspection_headers_names'),
  secret('introspection_headers_values', true),
  value('introspection_hint', 'access_token'),
  list('introspection_post_args_client'),
  list('introspection_post_args_client_headers'),
  list('introspection_post_args_names'),
  list('introspection_post_args_values'),
  value('introspection_token_param_name', 'token'),
  value('issuer'),
  list('issuers_allowed'),
  value('jwks_endpoint'),
  value('jwt_session_claim', 'sid'),
  value('jwt_session_cookie'),
  value('keepalive', true),
  value('leeway', 0),
  value('login_action', 'upstream'),
  value('login_methods', ['authorization_code']),
  value('login_redirect_mode', 'fragment'),
  list('login_redirect_uri'),
  value('login_tokens', ['id_token']),
  value('logout_methods', ['DELETE', 'POST']),
  value('logout_post_arg'),
  value('logout_query_arg'),
  list('logout_redirect_uri'),
  value('logout_revoke', false),
  value('logout_revoke_access_token', true),
  value('logout_revoke_refresh_token', true),
  value('logout_uri_suffix'),
  value('max_age'),
  value('mtls_introspection_endpoint'),
  value('mtls_revocation_endpoint'),
  value('mtls_token_endpoint'),
  value('no_proxy'),
  value('password_param_type', PARAM_TYPES),
  value('preserve_query_args', false),
  value('proof_of_possession_auth_methods_validation', true),
  value('proof_of_possession_dpop', 'off'),
  value('proof_of_possession_mtls', 'off'),
  value('pushed_authorization_request_endpoint'),
  value('pushed_authorization_request_endpoint_auth_method'),
  list('redirect_uri'),
  record('redis', [...REDIS, value('prefix'), value('socket')], REDIS_SHORTHANDS),
  value('rediscovery_lifetime', 30),
  value('refresh_token_param_name'),
  value('refresh_token_param_type', PARAM_TYPES),
  value('refresh_tokens', true),
  value('require_proof_key_for_code_exchange'),
  value('require_pushed_authorization_requests'),
  value('require_signed_request_object'),
  value('resolve_distributed_claims', false),
  value('response_mode', 'query'),
  value('response_type', ['code']),
  value('reverify', false),
  value('revocation_endpoint'),
  value('revocation_endpoint_auth_method'),
  value('revocation_token_param_name', 'token'),
  value('roles_claim', ['roles']),
  list('roles_required'),
  value('run_on_preflight', true),
  value('scopes', ['openid']),
  value('scopes_claim', ['scope']),
  list('scopes_required'),
  value('search_user_info', false),
  value('session_absolute_timeout', 86400),
  value('session_audience', 'default'),
  list('session_bind'),
  value('session_cookie_domain'),
  value('session_cookie_http_only', true),
  value('session_cookie_name', 'session'),
  value('session_cookie_path', '/'),
  value('session_cookie_same_site', 'Lax'),
  value('session_cookie_secure'),
  value('session_enforce_same_subject', false),
  value('session_hash_storage_key', false),
  value('session_hash_subject', false),
  value('session_idling_timeout', 900),
  value('session_memcached_host', '127.0.0.1'),
  value('session_memcached_port', 11211),
  value('session_memcached_prefix'),
  value('session_memcached_socket'),
  value('session_memcached_ssl'),
  value('session_memcached_ssl_verify', true),
  value('session_remember', false),
  value('session_remember_absolute_timeout', 2592000),
  value('session_remember_cookie_name', 'remember'),
  value('session_remember_rolling_timeout', 604800),
  list('session_request_headers'),
  list('session_response_headers'),
  value('session_rolling_timeout', 3600),
  secret('session_secret'),
  value('session_storage', 'cookie'),
  value('session_store_metadata', false),
  value('ssl_verify', true),
  value('timeout', 10000),
  value('tls_client_auth_cert_id'),
  value('tls_client_auth_ssl_verify', true),
  value('token_cache_key_include_scope', false),
  value('token_endpoint'),
  value('token_endpoint_auth_method'),
  TOKEN_EXCHANGE,
  value('token_exchange_endpoint'),
  list('token_headers_client'),
  list('token_headers_grants'),
  list('token_headers_names'),
  value('token_headers_prefix'),
  list('token_headers_replay'),
  list('token_headers_values'),
  list('token_post_args_client'),
  list('token_post_args_names'),
  list('token_post_args_values'),
  value('unauthorized_destroy_session', true),
  value('unauthorized_error_message', 'Unauthorized'),
  list('unauthorized_redirect_uri'),
  list('unexpected_redirect_uri'),
  value('upstream_access_token_header', 'authorization:bearer'),
  value('upstream_access_token_jwk_header'),
  list('upstream_headers'),
  list('upstream_headers_claims'),
  list('upstream_headers_names'),
  value('upstream_id_token_header'),
  value('upstream_id_token_jwk_header'),
  value('upstream_introspection_header'),
  value('upstream_introspection_jwt_header'),
  value('upstream_refresh_token_header'),
  value('upstream_session_id_header'),
  value('upstream_user_info_header'),
  value('upstream_user_info_jwt_header'),
  value('userinfo_accept', 'application/json'),
  value('userinfo_endpoint'),
  list('userinfo_headers_client'),
  list('userinfo_headers_names'),
  list('userinfo_headers_values'),
  list('userinfo_query_args_client'),
  list('userinfo_query_args_names'),
  list('userinfo_query_args_values'),
  value('using_pseudo_issuer', false),
  value('verify_claims', true),
  value('verify_nonce', true),
  value('verify_parameters', false),
  value('verify_signature', true),
  // Not in that schema version (Kong's docs schema 3.15): 3.15 additions. consumer_claim, the pre-3.14 form
  // of consumer_claims that 3.9 dumps carry, is a deprecated form (deprecated-fields.ts).
  value('bearer_token_header_name'),
  value('cluster_cache_items', ['introspection'])
]

export function isKongRecord (field: KongField): field is KongRecord {
  return 'fields' in field
}

export type KongDefault = KongValue | { readonly [name: string]: KongDefault }

/** Kong's default for a field; for a nested record, the object of its members' defaults. */
export function kongDefault (field: KongField): KongDefault {
  if (!isKongRecord(field)) return field.default
  return Object.fromEntries(field.fields.map((member) => [member.name, kongDefault(member)]))
}
