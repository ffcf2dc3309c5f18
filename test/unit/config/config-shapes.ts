// The loaded config's types written once as shapes (shapes.ts), held two ways:
//   - by tsc (npm run typecheck): each hand-written type in src/config/types.ts (and the openid-connect
//     OidcConfig) must be exactly the type its shape describes (the Assert<IsExact<...>> lines below);
//   - by config-types.test.ts: each shape must be what the entity's schema can produce (nullable iff the
//     field has no default and is not required), and loaded values must fit it.
// So a field the schema can leave null cannot be typed non-null without one of the two failing.

import type {
  CaCertificate, Certificate, Consumer, ConsumerGroup, ForeignKey, Healthchecks, ListenAddress, Plugin, Route, Service, Settings, Sni, Target, Upstream,
} from '../../../src/config/types.ts'
import type { OidcPluginConfig } from '../../../src/plugins/openid-connect/main/main-service.ts'
import type { OidcConfig } from '../../../src/plugins/openid-connect/worker/oidc-config.ts'
import type { RequestTerminationConfig } from '../../../src/plugins/request-termination/handler.ts'
import type { CorsConfig } from '../../../src/plugins/cors/handler.ts'
import { METHODS as CORS_METHODS } from '../../../src/plugins/cors/schema.ts'
import type { CorrelationIdConfig } from '../../../src/plugins/correlation-id/handler.ts'
import { GENERATORS } from '../../../src/plugins/correlation-id/schema.ts'
import type { RateLimitingConfig } from '../../../src/plugins/rate-limiting/handler.ts'
import type { KeyAuthConfig } from '../../../src/plugins/key-auth/handler.ts'
import type { JwtConfig } from '../../../src/plugins/jwt/handler.ts'
import type { BasicAuthConfig } from '../../../src/plugins/basic-auth/handler.ts'
import type { AclConfig } from '../../../src/plugins/acl/verdict.ts'
import type { DnsServerAddress } from '../../../src/dns/types.ts'
import {
  array, boolean, built, filled, integer, map, nullable, number, object, oneOf, oneOfText, restricted, set, shape, string,
  unknown, type Assert, type IsExact, type RecordOf,
} from './shapes.ts'

const foreignKey = shape<ForeignKey>('any', (v) => typeof (v as ForeignKey | null)?.id === 'string' && Object.keys(v as object).length === 1)
const tags = nullable(set(string))
const timestamp = filled(integer)
const id = filled(string)

export const SERVICE = {
  id,
  name: nullable(string),
  protocol: restricted('http', 'https'),
  host: string,
  /** entity-records.ts: 80 when neither port nor url gives one (Kong's default) */
  port: filled(integer),
  path: nullable(string),
  retries: integer,
  connect_timeout: integer,
  write_timeout: integer,
  read_timeout: integer,
  tls_verify: nullable(boolean),
  tls_verify_depth: nullable(integer),
  ca_certificates: nullable(array(string)),
  /** resolved to {id} (resolve-certificates.ts) */
  client_certificate: built(nullable(foreignKey)),
  enabled: boolean,
  tags,
  created_at: timestamp,
  updated_at: timestamp,
}

export const ROUTE = {
  id,
  name: nullable(string),
  service: built(nullable(foreignKey)),
  protocols: set(restricted('http', 'https')),
  /** entity-records.ts: an empty list is null */
  methods: nullable(set(string)),
  hosts: nullable(array(string)),
  paths: nullable(array(string)),
  headers: nullable(map(array(string))),
  /** refused unless empty (stream routing): always null once loaded, typed as Kong's Admin API shows it */
  snis: built(nullable(array(string))),
  strip_path: boolean,
  preserve_host: boolean,
  path_handling: oneOf('v0', 'v1'),
  regex_priority: integer,
  https_redirect_status_code: oneOf(426, 301, 302, 307, 308),
  request_buffering: boolean,
  response_buffering: boolean,
  tags,
  created_at: timestamp,
  updated_at: timestamp,
}

export const PLUGIN = {
  id,
  name: string,
  instance_name: nullable(string),
  /** validated by the plugin's own schema (config/plugins.ts); {} when the plugin has no config */
  config: built(map(unknown)),
  enabled: boolean,
  protocols: set(oneOf('grpc', 'grpcs', 'http', 'https', 'ws', 'wss')),
  tags,
  service: built(nullable(foreignKey)),
  route: built(nullable(foreignKey)),
  consumer: built(nullable(foreignKey)),
  consumer_group: built(nullable(foreignKey)),
  created_at: timestamp,
  updated_at: timestamp,
}

export const CONSUMER_GROUP = {
  id,
  name: string,
  tags,
  created_at: timestamp,
  updated_at: timestamp,
}

export const CONSUMER = {
  id,
  username: nullable(string),
  custom_id: nullable(string),
  tags,
  created_at: timestamp,
  updated_at: timestamp,
}

/** a record with every nested field defaulted (schema/healthchecks.ts); upstreams.test.ts holds it to Kong's defaults */
const healthchecks = shape<Healthchecks>('record', (v) => typeof v === 'object' && v !== null && 'active' in v && 'passive' in v && 'threshold' in v)

export const UPSTREAM = {
  id,
  name: string,
  algorithm: oneOf('round-robin', 'consistent-hashing', 'least-connections', 'latency'),
  hash_on: oneOf('none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'),
  hash_fallback: oneOf('none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'),
  hash_on_header: nullable(string),
  hash_fallback_header: nullable(string),
  hash_on_cookie: nullable(string),
  hash_on_cookie_path: string,
  hash_on_query_arg: nullable(string),
  hash_fallback_query_arg: nullable(string),
  hash_on_uri_capture: nullable(string),
  hash_fallback_uri_capture: nullable(string),
  slots: integer,
  healthchecks,
  tags,
  host_header: nullable(string),
  /** resolved to {id} (resolve-certificates.ts) */
  client_certificate: built(nullable(foreignKey)),
  use_srv_name: boolean,
  created_at: timestamp,
  updated_at: timestamp,
}

export const TARGET = {
  id,
  /** by nesting or the top-level reference (resolve-upstreams.ts) */
  upstream: built(foreignKey),
  target: string,
  weight: integer,
  tags,
  /** Kong's auto_timestamp_ms: seconds with milliseconds */
  created_at: filled(number),
  updated_at: filled(number),
}

export const CERTIFICATE = {
  id,
  cert: string,
  key: string,
  cert_alt: nullable(string),
  key_alt: nullable(string),
  tags,
  /** the names of its snis, nested or top-level (resolve-certificates.ts) */
  snis: built(array(string)),
  created_at: timestamp,
  updated_at: timestamp,
}

export const SNI = {
  id,
  name: string,
  /** by nesting or the top-level reference (resolve-certificates.ts) */
  certificate: built(foreignKey),
  tags,
  created_at: timestamp,
  updated_at: timestamp,
}

export const CA_CERTIFICATE = {
  id,
  cert: string,
  /** computed (resolve-certificates.ts certDigest) */
  cert_digest: built(string),
  tags,
  created_at: timestamp,
  updated_at: timestamp,
}

const listen = shape<ListenAddress>('listen', (v) => {
  const address = v as ListenAddress
  return typeof address.host === 'string' && Number.isInteger(address.port) && Array.isArray(address.flags)
})

const dnsServer = shape<DnsServerAddress>('dns server', (v) => {
  const server = v as DnsServerAddress
  return typeof server.address === 'string' && Number.isInteger(server.port) && Object.keys(server).length === 2
})

/** Settings have no FieldSchema (settings.ts parses kong.conf text): the test parses them and checks the values. */
export const SETTINGS = {
  proxy_listen: array(listen),
  admin_listen: array(listen),
  worker_processes: integer,
  headers: array(string),
  headers_upstream: array(string),
  log_level: oneOf('debug', 'info', 'notice', 'warn', 'error', 'crit'),
  proxy_access_log: oneOf('off', 'stdout', 'stderr'),
  drain_timeout: number,
  client_header_timeout: number,
  client_body_timeout: number,
  client_max_body_size: integer,
  client_body_buffer_size: integer,
  client_max_header_size: integer,
  keepalive_timeout: number,
  upstream_keepalive_pool_size: integer,
  upstream_keepalive_max_requests: integer,
  upstream_keepalive_idle_timeout: number,
  proxy_ssl_verify: boolean,
  trusted_ips: array(string),
  prefix: string,
  token_cache_slots: integer,
  token_cache_slot_size: integer,
  oidc_verified_token_cache_size: integer,
  signing_threads: integer,
  admin_max_body_size: integer,
  admin_token: nullable(string),
  admin_allowed_hosts: array(string),
  router_flavor: oneOf('traditional', 'traditional_compatible'),
  dns_resolver: array(dnsServer),
  dns_hostsfile: string,
  dns_order: array(oneOf('LAST', 'SRV', 'A', 'AAAA', 'CNAME')),
  dns_valid_ttl: nullable(number),
  dns_stale_ttl: number,
  dns_not_found_ttl: number,
  dns_error_ttl: number,
  dns_cache_size: integer,
  dns_no_sync: boolean,
  ssl_cert: array(string),
  ssl_cert_key: array(string),
  ssl_cipher_suite: oneOf('modern', 'intermediate', 'old', 'custom'),
  ssl_ciphers: nullable(string),
  ssl_protocols: array(oneOf('TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3')),
  ssl_prefer_server_ciphers: boolean,
  ssl_dhparam: nullable(string),
  ssl_session_tickets: boolean,
  ssl_session_timeout: number,
}

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']
const JWS_ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA']
const GRANTS = ['password', 'client_credentials', 'authorization_code', 'refresh_token', 'session', 'introspection', 'userinfo']
const KONG_AUTH_METHODS = [
  'password', 'client_credentials', 'authorization_code', 'bearer', 'introspection', 'userinfo', 'kong_oauth2', 'refresh_token', 'session',
]

/** Every field the openid-connect schema implements (src/plugins/openid-connect/config/schema.ts `implemented`). */
export const OIDC = {
  issuer: string,
  rediscovery_lifetime: number,
  token_endpoint: nullable(string),
  client_id: nullable(array(string)),
  client_secret: nullable(array(string)),
  client_auth: nullable(array(oneOfText(...CLIENT_AUTH_METHODS))),
  client_jwk: nullable(array(object)),
  client_alg: nullable(array(oneOfText(...JWS_ALGS))),
  token_endpoint_auth_method: nullable(oneOfText(...CLIENT_AUTH_METHODS)),
  auth_methods: nullable(array(oneOfText(...KONG_AUTH_METHODS))),
  client_credentials_param_type: array(oneOf('header', 'query', 'body')),
  scopes: array(string),
  token_post_args_names: nullable(array(string)),
  token_post_args_values: nullable(array(string)),
  token_headers_names: nullable(array(string)),
  token_headers_values: nullable(array(string)),
  cache_tokens: boolean,
  cache_tokens_salt: nullable(string),
  token_cache_key_include_scope: boolean,
  cache_ttl: number,
  cache_ttl_min: nullable(number),
  cache_ttl_max: nullable(number),
  cache_ttl_neg: nullable(number),
  cache_ttl_resurrect: nullable(number),
  upstream_access_token_header: string,
  hide_credentials: boolean,
  leeway: number,
  verify_signature: boolean,
  verify_claims: boolean,
  enable_hs_signatures: boolean,
  ignore_signature: array(oneOfText(...GRANTS)),
  issuers_allowed: nullable(array(string)),
  timeout: number,
  keepalive: boolean,
  ssl_verify: boolean,
  display_errors: boolean,
  expose_error_code: boolean,
  unauthorized_error_message: string,
  forbidden_error_message: string,
  run_on_preflight: boolean,
  cluster_cache_strategy: oneOfText('off', 'redis'),
  cluster_cache_redis: nullable(object),
  cluster_cache_items: array(oneOfText('tokens', 'introspection')),
  bearer_token_param_type: array(oneOf('header', 'cookie', 'query', 'body')),
  bearer_token_cookie_name: nullable(string),
  bearer_token_header_name: nullable(string),
  audience_required: nullable(array(string)),
  audience_claim: array(string),
  scopes_required: nullable(array(string)),
  scopes_claim: array(string),
  groups_required: nullable(array(string)),
  groups_claim: array(string),
  roles_required: nullable(array(string)),
  roles_claim: array(string),
  introspection_endpoint: nullable(string),
  introspection_endpoint_auth_method: nullable(oneOfText(...CLIENT_AUTH_METHODS)),
  introspection_hint: string,
  introspection_check_active: boolean,
  introspection_accept: oneOf('application/json', 'application/token-introspection+jwt', 'application/jwt'),
  introspection_token_param_name: string,
  introspection_post_args_names: nullable(array(string)),
  introspection_post_args_values: nullable(array(string)),
  introspection_post_args_client: nullable(array(string)),
  introspection_post_args_client_headers: nullable(array(string)),
  introspection_headers_names: nullable(array(string)),
  introspection_headers_values: nullable(array(string)),
  introspection_headers_client: nullable(array(string)),
  introspect_jwt_tokens: boolean,
  cache_introspection: boolean,
  consumer_claims: nullable(array(array(string))),
  consumer_by: array(oneOf('id', 'username', 'custom_id')),
  consumer_optional: boolean,
  by_username_ignore_case: boolean,
  anonymous: nullable(string),
  credential_claim: array(string),
  upstream_headers_claims: nullable(array(string)),
  upstream_headers_names: nullable(array(string)),
  downstream_headers_claims: nullable(array(string)),
  downstream_headers_names: nullable(array(string)),
  upstream_introspection_header: nullable(string),
  downstream_introspection_header: nullable(string),
}

export const REQUEST_TERMINATION = {
  status_code: integer,
  message: nullable(string),
  content_type: nullable(string),
  body: nullable(string),
  echo: boolean,
  trigger: nullable(string),
}

export const CORS = {
  origins: nullable(array(string)),
  headers: nullable(array(string)),
  exposed_headers: nullable(array(string)),
  methods: array(oneOfText(...CORS_METHODS)),
  max_age: nullable(number),
  credentials: boolean,
  private_network: boolean,
  preflight_continue: boolean,
  allow_origin_absent: boolean,
}

// the transformers' nested records are typed in their compile.ts / transform.ts and tested there
export const REQUEST_TRANSFORMER = {
  http_method: nullable(string),
  remove: object,
  rename: object,
  replace: object,
  add: object,
  append: object,
}

export const RESPONSE_TRANSFORMER = {
  remove: object,
  rename: object,
  replace: object,
  add: object,
  append: object,
}

export const CORRELATION_ID = {
  header_name: string,
  generator: oneOf(...GENERATORS),
  echo_downstream: boolean,
}

export const PROMETHEUS = {
  per_consumer: boolean,
  status_code_metrics: boolean,
  ai_metrics: boolean,
  latency_metrics: boolean,
  bandwidth_metrics: boolean,
  upstream_health_metrics: boolean,
}

export const RATE_LIMITING = {
  second: nullable(number),
  minute: nullable(number),
  hour: nullable(number),
  day: nullable(number),
  month: nullable(number),
  year: nullable(number),
  limit_by: oneOfText('consumer', 'credential', 'ip', 'service', 'header', 'path'),
  header_name: nullable(string),
  path: nullable(string),
  /** 'local' and 'redis' load: the schema refuses cluster */
  policy: oneOfText('local', 'cluster', 'redis'),
  fault_tolerant: boolean,
  /** Kong's redis record, read by src/redis/record.ts */
  redis: object,
  hide_client_headers: boolean,
  error_code: number,
  error_message: string,
  sync_rate: number,
}

export const KEY_AUTH = {
  key_names: array(string),
  hide_credentials: boolean,
  anonymous: nullable(string),
  key_in_header: boolean,
  key_in_query: boolean,
  key_in_body: boolean,
  run_on_preflight: boolean,
  realm: nullable(string),
}

export const JWT = {
  uri_param_names: set(string),
  cookie_names: set(string),
  key_claim_name: string,
  secret_is_base64: boolean,
  claims_to_verify: nullable(set(oneOfText('exp', 'nbf'))),
  anonymous: nullable(string),
  run_on_preflight: boolean,
  maximum_expiration: number,
  header_names: set(string),
  realm: nullable(string),
}

export const BASIC_AUTH = {
  anonymous: nullable(string),
  hide_credentials: boolean,
  realm: string,
}

export const ACL = {
  allow: nullable(array(string)),
  deny: nullable(array(string)),
  hide_groups_header: boolean,
  always_use_authenticated_groups: boolean,
  include_consumer_groups: boolean,
}

// tsc holds the hand-written types to the shapes: an error here names the type that disagrees.
export type ServiceMatches = Assert<IsExact<Service, RecordOf<typeof SERVICE>>>
export type RouteMatches = Assert<IsExact<Route, RecordOf<typeof ROUTE>>>
export type PluginMatches = Assert<IsExact<Plugin, RecordOf<typeof PLUGIN>>>
export type ConsumerMatches = Assert<IsExact<Consumer, RecordOf<typeof CONSUMER>>>
export type ConsumerGroupMatches = Assert<IsExact<ConsumerGroup, RecordOf<typeof CONSUMER_GROUP>>>
export type UpstreamMatches = Assert<IsExact<Upstream, RecordOf<typeof UPSTREAM>>>
export type TargetMatches = Assert<IsExact<Target, RecordOf<typeof TARGET>>>
export type CertificateMatches = Assert<IsExact<Certificate, RecordOf<typeof CERTIFICATE>>>
export type SniMatches = Assert<IsExact<Sni, RecordOf<typeof SNI>>>
export type CaCertificateMatches = Assert<IsExact<CaCertificate, RecordOf<typeof CA_CERTIFICATE>>>
export type SettingsMatch = Assert<IsExact<Settings, RecordOf<typeof SETTINGS>>>
/** OidcConfig lists the fields the token flow reads: each is typed as the schema gives it */
export type OidcConfigMatches = Assert<IsExact<OidcConfig, Pick<RecordOf<typeof OIDC>, keyof OidcConfig>>>
/** the fields the main thread reads (issuer registry, signer) */
export type OidcPluginConfigMatches = Assert<IsExact<OidcPluginConfig, Pick<RecordOf<typeof OIDC>, keyof OidcPluginConfig>>>
export type RequestTerminationConfigMatches = Assert<IsExact<RequestTerminationConfig, RecordOf<typeof REQUEST_TERMINATION>>>
export type CorsConfigMatches = Assert<IsExact<CorsConfig, RecordOf<typeof CORS>>>
export type CorrelationIdConfigMatches = Assert<IsExact<CorrelationIdConfig, RecordOf<typeof CORRELATION_ID>>>
export type RateLimitingConfigMatches = Assert<IsExact<RateLimitingConfig, RecordOf<typeof RATE_LIMITING>>>
export type KeyAuthConfigMatches = Assert<IsExact<KeyAuthConfig, RecordOf<typeof KEY_AUTH>>>
export type JwtConfigMatches = Assert<IsExact<JwtConfig, RecordOf<typeof JWT>>>
export type BasicAuthConfigMatches = Assert<IsExact<BasicAuthConfig, RecordOf<typeof BASIC_AUTH>>>
export type AclConfigMatches = Assert<IsExact<AclConfig, RecordOf<typeof ACL>>>
