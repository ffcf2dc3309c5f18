// The shapes a loaded config has once it is validated, defaulted, flattened and frozen.
// Entity fields follow Kong's Admin API shapes so the Admin API can serve them as they are.
// Producers: src/config/load.ts. Consumers: router, proxy, plugins, admin.

import type { DnsOrderEntry, DnsServerAddress } from '../dns/types.ts'

export type Protocol = 'http' | 'https' | 'grpc' | 'grpcs' | 'tcp' | 'tls' | 'udp' | 'ws' | 'wss'
/** what a route serves: its schema refuses Kong's other protocols (schema/typedefs.ts httpProtocol) */
export type RouteProtocol = 'http' | 'https'
/** what a plugin's schema accepts (schema/typedefs.ts pluginProtocols); only http and https ever match */
export type PluginProtocol = 'grpc' | 'grpcs' | 'http' | 'https' | 'ws' | 'wss'

export interface ForeignKey { readonly id: string }

export interface Service {
  readonly id: string
  readonly name: string | null
  readonly protocol: 'http' | 'https'
  readonly host: string
  readonly port: number
  readonly path: string | null
  readonly retries: number
  readonly connect_timeout: number
  readonly write_timeout: number
  readonly read_timeout: number
  /** verify an https upstream's certificate; null: the proxy_ssl_verify setting decides */
  readonly tls_verify: boolean | null
  /** most intermediate CA certificates allowed between the upstream's certificate and a trusted one; null: no limit */
  readonly tls_verify_depth: number | null
  /** ca_certificates ids the upstream's certificate must chain to, instead of Node's default store; null: that store */
  readonly ca_certificates: readonly string[] | null
  /** the certificates entity presented to the upstream (mTLS); null: none, or the upstream's own */
  readonly client_certificate: ForeignKey | null
  readonly enabled: boolean
  readonly tags: readonly string[] | null
  readonly created_at: number
  readonly updated_at: number
}

export interface Route {
  readonly id: string
  readonly name: string | null
  readonly service: ForeignKey | null
  readonly protocols: readonly RouteProtocol[]
  readonly methods: readonly string[] | null
  readonly hosts: readonly string[] | null
  readonly paths: readonly string[] | null
  /** header name (lower-cased) -> accepted values; AND across names, OR across values */
  readonly headers: Readonly<Record<string, readonly string[]>> | null
  readonly snis: readonly string[] | null
  readonly strip_path: boolean
  readonly preserve_host: boolean
  readonly path_handling: 'v0' | 'v1'
  readonly regex_priority: number
  readonly https_redirect_status_code: 426 | 301 | 302 | 307 | 308
  readonly request_buffering: boolean
  readonly response_buffering: boolean
  readonly tags: readonly string[] | null
  readonly created_at: number
  readonly updated_at: number
}

export interface Plugin {
  readonly id: string
  readonly name: string
  readonly instance_name: string | null
  /** validated against the plugin's schema, defaults applied, frozen */
  readonly config: Readonly<Record<string, unknown>>
  readonly enabled: boolean
  readonly protocols: readonly PluginProtocol[]
  readonly tags: readonly string[] | null
  readonly service: ForeignKey | null
  readonly route: ForeignKey | null
  readonly consumer: ForeignKey | null
  /** Kong Enterprise's consumer group scope (plugins.lua consumer_group); only plugins that allow it */
  readonly consumer_group: ForeignKey | null
  readonly created_at: number
  readonly updated_at: number
}

export interface Consumer {
  readonly id: string
  readonly username: string | null
  readonly custom_id: string | null
  readonly tags: readonly string[] | null
  readonly created_at: number
  readonly updated_at: number
}

/** Kong Enterprise's consumer_groups entity (kong/db/schema/entities/consumer_groups.lua): endpoint key name */
export interface ConsumerGroup {
  readonly id: string
  readonly name: string
  readonly tags: readonly string[] | null
  readonly created_at: number
  readonly updated_at: number
}

/**
 * One consumer's membership of one group (consumer_group_consumers.lua, primary key both references); from
 * consumers[].groups and consumer_groups[].consumers, each pair once, in the order first declared
 */
export interface ConsumerGroupConsumer {
  readonly consumer_group: ForeignKey
  readonly consumer: ForeignKey
}

/** Kong's credential entities (each auth plugin's daos.lua): no updated_at, a required consumer */
interface CredentialBase {
  readonly id: string
  readonly consumer: ForeignKey
  readonly tags: readonly string[] | null
  readonly created_at: number
}

export interface KeyAuthCredential extends CredentialBase {
  readonly key: string
  /** seconds after created_at the key stops working; null: never */
  readonly ttl: number | null
}

export interface BasicAuthCredential extends CredentialBase {
  readonly username: string
  /** basic-auth/crypto.lua's hash: sha1 hex of password .. consumer id (or as given, when the file says it is hashed) */
  readonly password: string
}

export interface JwtSecret extends CredentialBase {
  readonly key: string
  readonly secret: string | null
  readonly rsa_public_key: string | null
  readonly algorithm: 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' |
    'PS256' | 'PS384' | 'PS512' | 'EdDSA'
}

export interface Acl extends CredentialBase {
  readonly group: string
}

/** HTTP statuses, as an upstream's health checks count them */
export type HttpStatuses = readonly number[]

/** kong/db/schema/entities/upstreams.lua healthchecks.active: probes sent by the gateway */
export interface ActiveHealthcheck {
  readonly type: 'tcp' | 'http' | 'https' | 'grpc' | 'grpcs'
  /** seconds a probe may take */
  readonly timeout: number
  /** probes in flight at once */
  readonly concurrency: number
  readonly http_path: string
  readonly https_sni: string | null
  readonly https_verify_certificate: boolean
  /** header name → values, sent with each probe */
  readonly headers: Readonly<Record<string, readonly string[]>> | null
  /** interval: seconds between probes of healthy targets (0: none); successes: 0 never marks a target healthy */
  readonly healthy: { readonly interval: number, readonly http_statuses: HttpStatuses, readonly successes: number }
  /** interval: seconds between probes of unhealthy targets (0: none); a 0 counter never marks a target unhealthy */
  readonly unhealthy: {
    readonly interval: number
    readonly http_statuses: HttpStatuses
    readonly tcp_failures: number
    readonly timeouts: number
    readonly http_failures: number
  }
}

/** healthchecks.passive: what proxied responses say about their target; a 0 counter is never reached */
export interface PassiveHealthcheck {
  readonly type: 'tcp' | 'http' | 'https' | 'grpc' | 'grpcs'
  readonly healthy: { readonly http_statuses: HttpStatuses, readonly successes: number }
  readonly unhealthy: {
    readonly http_statuses: HttpStatuses
    readonly tcp_failures: number
    readonly timeouts: number
    readonly http_failures: number
  }
}

export interface Healthchecks {
  readonly active: ActiveHealthcheck
  readonly passive: PassiveHealthcheck
  /** percentage of the total weight that must be healthy for the upstream to be (0-100) */
  readonly threshold: number
}

export type BalancerAlgorithm = 'round-robin' | 'consistent-hashing' | 'least-connections' | 'latency'
export type HashInput = 'none' | 'consumer' | 'ip' | 'header' | 'cookie' | 'path' | 'query_arg' | 'uri_capture'

/** kong/db/schema/entities/upstreams.lua; a service whose host is `name` is balanced over its targets */
export interface Upstream {
  readonly id: string
  readonly name: string
  readonly algorithm: BalancerAlgorithm
  readonly hash_on: HashInput
  readonly hash_fallback: HashInput
  readonly hash_on_header: string | null
  readonly hash_fallback_header: string | null
  readonly hash_on_cookie: string | null
  readonly hash_on_cookie_path: string
  readonly hash_on_query_arg: string | null
  readonly hash_fallback_query_arg: string | null
  readonly hash_on_uri_capture: string | null
  readonly hash_fallback_uri_capture: string | null
  /** the consistent-hashing ring's size (10-65536) */
  readonly slots: number
  readonly healthchecks: Healthchecks
  /** Host header sent to its targets; null: the usual rules (the target's host, or the client's with preserve_host) */
  readonly host_header: string | null
  /** the certificates entity presented to its targets by services without a client_certificate of their own */
  readonly client_certificate: ForeignKey | null
  /** send a target's SRV name, not the upstream's, as Host and SNI */
  readonly use_srv_name: boolean
  readonly tags: readonly string[] | null
  readonly created_at: number
  readonly updated_at: number
}

/** kong/db/schema/entities/targets.lua */
export interface Target {
  readonly id: string
  readonly upstream: ForeignKey
  /** "host:port" as kong/db/dao/targets.lua stores it: port 8000 when none was given, IPv6 expanded in brackets */
  readonly target: string
  /** 0-65535; 0 gets no traffic */
  readonly weight: number
  readonly tags: readonly string[] | null
  /** seconds, possibly with milliseconds (Kong's auto_timestamp_ms) */
  readonly created_at: number
  readonly updated_at: number
}

/** kong/db/schema/entities/certificates.lua: a server (or upstream client) certificate and its key */
export interface Certificate {
  readonly id: string
  /** PEM: the certificate, then any intermediates */
  readonly cert: string
  /** PEM private key of cert */
  readonly key: string
  /** a second pair of the other key type (RSA beside ECDSA); both or neither */
  readonly cert_alt: string | null
  readonly key_alt: string | null
  readonly tags: readonly string[] | null
  /** the names of its snis entities, as Kong's Admin API adds them */
  readonly snis: readonly string[]
  readonly created_at: number
  readonly updated_at: number
}

/** kong/db/schema/entities/snis.lua: a server name (exact, `*.example.com` or `example.*`) and its certificate */
export interface Sni {
  readonly id: string
  readonly name: string
  readonly certificate: ForeignKey
  readonly tags: readonly string[] | null
  readonly created_at: number
  readonly updated_at: number
}

/** kong/db/schema/entities/ca_certificates.lua: one CA certificate services may trust for their upstreams */
export interface CaCertificate {
  readonly id: string
  readonly cert: string
  /** sha256 of the certificate (DER), lower-case hex, as Kong computes it */
  readonly cert_digest: string
  readonly tags: readonly string[] | null
  readonly created_at: number
  readonly updated_at: number
}

/** ssl_cipher_suite: Kong's named suites (kong/conf_loader/constants.lua CIPHER_SUITES) or custom */
export type SslCipherSuite = 'modern' | 'intermediate' | 'old' | 'custom'
export type SslProtocol = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'

export interface ListenAddress {
  readonly host: string
  readonly port: number
  /** the flags as written after the address (ssl, http2, reuseport, ...), for display; listen.ts reads them */
  readonly flags: readonly string[]
  /** `ssl`: TLS on this listener (src/workers/proxy-server.ts) */
  readonly ssl: boolean
  /** `http2`: HTTP/2 offered by ALPN beside HTTP/1.1 (only with ssl) */
  readonly http2: boolean
  /** `backlog=N`, else listen.ts DEFAULT_BACKLOG */
  readonly backlog: number
  /** `ipv6only=on|off`; null: not given (the system's default) */
  readonly ipv6Only: boolean | null
  /** `so_keepalive`: null off (the default), 0 on with the system's idle time, else the idle time in seconds */
  readonly soKeepalive: number | null
}

/** kong.conf-style settings read from the top level of config.json; README documents each with its default */
export interface Settings {
  /** "0.0.0.0:8000" */
  readonly proxy_listen: readonly ListenAddress[]
  /** "127.0.0.1:8001"; [] when "off" */
  readonly admin_listen: readonly ListenAddress[]
  /** "auto" (default) is resolved to the number of available CPUs */
  readonly worker_processes: number
  /** lower-cased header tokens: server_tokens, latency_tokens, x-kong-request-id (the default three),
   * or single header names (server, via, x-kong-proxy-latency, ...), microsecond_latency_tokens; [] for "off" */
  readonly headers: readonly string[]
  /** ["x-kong-request-id"] (default) or [] for "off" */
  readonly headers_upstream: readonly string[]
  /** debug | info | notice (default) | warn | error | crit */
  readonly log_level: 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit'
  /** "off" (default), "stdout" or "stderr": one JSON line per proxied request */
  readonly proxy_access_log: 'off' | 'stdout' | 'stderr'
  /** seconds a SIGTERM/SIGINT waits for in-flight requests (10) */
  readonly drain_timeout: number
  /** seconds to receive the request headers (60), as nginx client_header_timeout */
  readonly client_header_timeout: number
  /** seconds between two reads of the request body (60), as nginx client_body_timeout */
  readonly client_body_timeout: number
  /** bytes; 0 = unlimited (default), as Kong's nginx_http_client_max_body_size */
  readonly client_max_body_size: number
  /** bytes of a request body a plugin may hold in memory (8k), as Kong's nginx_http_client_body_buffer_size:
   * a larger body is streamed upstream unread, and plugins see no body (no body credentials) */
  readonly client_body_buffer_size: number
  /** bytes of request line + headers (16384) */
  readonly client_max_header_size: number
  /** seconds an idle downstream keep-alive connection stays open (60) */
  readonly keepalive_timeout: number
  /** connections kept per upstream origin and worker (512); 0 disables upstream keep-alive */
  readonly upstream_keepalive_pool_size: number
  /** requests per upstream connection before it is closed (10000) */
  readonly upstream_keepalive_max_requests: number
  /** seconds an idle upstream connection is kept (60) */
  readonly upstream_keepalive_idle_timeout: number
  /** verify https upstreams' certificates when a service's tls_verify is null (on), as nginx's proxy_ssl_verify */
  readonly proxy_ssl_verify: boolean
  /** CIDRs or addresses whose X-Forwarded-* headers are trusted ([]) */
  readonly trusted_ips: readonly string[]
  /** folder for files the gateway writes, such as its openid-connect keys (".tollgate") */
  readonly prefix: string
  /** shared token cache: number of slots (4096) and bytes per slot (2048) */
  readonly token_cache_slots: number
  readonly token_cache_slot_size: number
  /** bytes each proxy worker may hold of verified openid-connect bearer tokens ("4m"); 0 disables the cache,
   * so that every request verifies its token */
  readonly oidc_verified_token_cache_size: number
  /** threads that sign client assertions ("auto" = half the CPUs, at least 1) */
  readonly signing_threads: number
  /** largest Admin API request body in bytes (10 MiB) */
  readonly admin_max_body_size: number
  // Admin API hardening (src/admin/admin-guard.ts)
  /** when set, every Admin request must carry it in Kong-Admin-Token (null: no token) */
  readonly admin_token: string | null
  /** host names, besides IP addresses and localhost, that Admin requests may name in Host ([]) */
  readonly admin_allowed_hosts: readonly string[]
  /** Kong's router_flavor: traditional_compatible (default; path_handling is always v0) or traditional */
  readonly router_flavor: 'traditional' | 'traditional_compatible'
  // Kong's DNS client settings (src/dns/settings.ts, src/dns/resolver.ts)
  /** name servers to query ([]: those of /etc/resolv.conf) */
  readonly dns_resolver: readonly DnsServerAddress[]
  /** hosts file read once at start ("/etc/hosts"); its names are answered without a query */
  readonly dns_hostsfile: string
  /** record types tried in turn, upper-cased (LAST, SRV, A, CNAME) */
  readonly dns_order: readonly DnsOrderEntry[]
  /** seconds overriding every answer's TTL (null: the records' own TTL) */
  readonly dns_valid_ttl: number | null
  /** seconds an answer is still served past its TTL while refreshing fails (3600) */
  readonly dns_stale_ttl: number
  /** seconds an NXDOMAIN or empty answer is cached (30) */
  readonly dns_not_found_ttl: number
  /** seconds any other failure is cached (1) */
  readonly dns_error_ttl: number
  /** names the cache holds at most (10000), least recently used dropped first */
  readonly dns_cache_size: number
  /** off (default): concurrent resolutions of one name share one query */
  readonly dns_no_sync: boolean
  // TLS served on proxy_listen entries with `ssl` (src/tls/), Kong's kong.conf names and defaults
  /** PEM files of the default certificate(s), RSA and ECDSA side by side; []: the one generated under prefix/ssl */
  readonly ssl_cert: readonly string[]
  /** their keys, in the same order */
  readonly ssl_cert_key: readonly string[]
  /** modern | intermediate (default) | old | custom */
  readonly ssl_cipher_suite: SslCipherSuite
  /** OpenSSL cipher list; used only with ssl_cipher_suite custom */
  readonly ssl_ciphers: string | null
  /** used only with ssl_cipher_suite custom ("TLSv1.2 TLSv1.3") */
  readonly ssl_protocols: readonly SslProtocol[]
  /** used only with ssl_cipher_suite custom (on) */
  readonly ssl_prefer_server_ciphers: boolean
  /** ffdhe2048 ... ffdhe8192 or a PEM file of DH parameters; null: none (intermediate forces ffdhe2048) */
  readonly ssl_dhparam: string | null
  /** session resumption through tickets (on) */
  readonly ssl_session_tickets: boolean
  /** seconds a session may be resumed ("1d") */
  readonly ssl_session_timeout: number
}

export interface Entities {
  readonly services: readonly Service[]
  readonly routes: readonly Route[]
  readonly plugins: readonly Plugin[]
  readonly consumers: readonly Consumer[]
  readonly consumer_groups: readonly ConsumerGroup[]
  readonly consumer_group_consumers: readonly ConsumerGroupConsumer[]
  readonly keyauth_credentials: readonly KeyAuthCredential[]
  readonly basicauth_credentials: readonly BasicAuthCredential[]
  readonly jwt_secrets: readonly JwtSecret[]
  readonly acls: readonly Acl[]
  readonly upstreams: readonly Upstream[]
  readonly targets: readonly Target[]
  readonly certificates: readonly Certificate[]
  readonly snis: readonly Sni[]
  readonly ca_certificates: readonly CaCertificate[]
}

/** A deprecated field (Kong's shorthand_fields with a deprecation) used in the config, once per field. */
export interface ConfigDeprecation {
  /** Kong's deprecation message: the field and what replaces it */
  readonly message: string
  /** JSON path of its first use */
  readonly path: string
  /** how many times the config uses it */
  readonly uses: number
}

export interface LoadedConfig {
  /** absolute path of the file it came from, or a label such as "<admin>" */
  readonly source: string
  readonly format_version: string
  readonly settings: Settings
  readonly entities: Entities
  /** 32 hex digits over the canonical config, as Kong's configuration_hash */
  readonly hash: string
  /** deprecated fields it uses, logged (warn) once per field each time it is loaded; not part of the hash */
  readonly deprecations: readonly ConfigDeprecation[]
}
