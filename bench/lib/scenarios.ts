// The scenarios of issue 6 (and issue 13's resource-server ones), each naming what it isolates. `target`
// says which process is under test: the upstream itself, one of the two floor forwarders, or a gateway
// with 1 worker, with --workers workers, or with 1 worker and the verified-token cache off
// (`oidc_verified_token_cache_size` 0, a restart-bound setting, so a gateway of its own). The plugin
// scenarios of issue 14 run on the 1-worker gateway beside `proxy`; their configs are in plugin-setup.ts.
// The TLS scenarios of issue 16 run on that gateway's `ssl` and `ssl http2` listeners, each against the
// floor forwarder behind the same kind of server (`floor-tls`, `floor-h2`), all presenting one certificate
// made at the start of the run (bench/lib/bench-certificate.ts). The Redis scenarios of issue 17 need a
// redis-server (started by the suite, skipped with a line when it is missing): `oidc-hot-redis` on the
// 1-worker gateway, and `cluster-cold` on two 1-worker gateways (`gateway-pair`) sharing that Redis.

import type { LoadDriver } from './load-types.ts'
import { BENCH_API_KEY, BENCH_ORIGIN } from './plugin-setup.ts'

export type ScenarioTarget = 'upstream' | 'floor' | 'floor-bare' | 'floor-tls' | 'floor-h2' | 'floor-kong' | 'floor-tls-kong' | 'floor-h2-kong'
  | 'gateway' | 'gateway-workers' | 'gateway-verify-each' | 'gateway-pair'

export interface Scenario {
  readonly name: string
  readonly isolates: string
  readonly target: ScenarioTarget
  /** request path on the target */
  readonly path: string
  readonly oidc: boolean
  /** the credentials it sends: none, one, a spread over many, a new one per request, or one bearer token
   * (a JWT access token, or an opaque one to introspect); `cluster-cold`: a new one per request pair, each
   * credential sent once to each of two gateway nodes at about the same time */
  readonly credentials: 'none' | 'one' | 'many' | 'cold' | 'jwt' | 'opaque' | 'cluster-cold'
  /** needs a redis-server (openid-connect's cluster cache) */
  readonly redis?: boolean
  /** request headers sent with every request besides the credentials (lower-case names) */
  readonly headers?: Readonly<Record<string, string>>
  /** nothing to warm (its route was probed before any load): --quick skips its warm-up and measures a quarter */
  readonly quickBrief?: boolean
  /** a gateway's listener: `tls` (proxy_listen `ssl`) or `h2` (`ssl http2`); absent: the plain HTTP one */
  readonly listener?: 'tls' | 'h2'
  /** the client sending the load; absent: autocannon */
  readonly driver?: LoadDriver
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'direct', isolates: 'load straight at the upstream: the physical limit of this machine', target: 'upstream', path: '/', oidc: false, credentials: 'none' },
  { name: 'floor', isolates: 'raw node:http + undici Pool forwarder, every end-to-end header forwarded both ways: the least any Node proxy does', target: 'floor', path: '/', oidc: false, credentials: 'none' },
  { name: 'floor-bare', isolates: 'the same forwarder without the client\'s headers, two response headers back: the lower bound, not a proxy', target: 'floor-bare', path: '/', oidc: false, credentials: 'none' },
  { name: 'floor-kong', isolates: '`floor` writing the headers Tollgate adds as Kong does (X-Forwarded-*, X-Real-IP, Host, request id up; Via, latencies, request id back), computed the same way: what those headers cost any Node proxy', target: 'floor-kong', path: '/kong', oidc: false, credentials: 'none', quickBrief: true },
  { name: 'proxy', isolates: 'Tollgate, a route without plugins: routing and proxying', target: 'gateway', path: '/proxy', oidc: false, credentials: 'none' },
  { name: 'oidc-hot', isolates: 'openid-connect client credentials, one credential, warm cache: the hot path', target: 'gateway', path: '/oidc-hot', oidc: true, credentials: 'one' },
  { name: 'oidc-hot-redis', isolates: '`oidc-hot` with the cluster cache on (cluster_cache_strategy redis): the first level still serves every hit', target: 'gateway', path: '/oidc-hot-redis', oidc: true, credentials: 'one', redis: true },
  { name: 'oidc-many', isolates: 'openid-connect, many distinct credentials, all warm: the shared cache under a key spread', target: 'gateway', path: '/oidc-many', oidc: true, credentials: 'many' },
  { name: 'oidc-cold', isolates: 'openid-connect broker mode, a new credential per request: IdP round trip + private_key_jwt signing', target: 'gateway', path: '/oidc-cold', oidc: true, credentials: 'cold' },
  { name: 'cluster-cold', isolates: 'two 1-worker gateways sharing one Redis, each credential new and sent to both: IdP calls per credential (1, not 2) and cold latency', target: 'gateway-pair', path: '/cluster-cold', oidc: true, credentials: 'cluster-cold', redis: true },
  { name: 'oidc-bearer', isolates: 'openid-connect bearer, one JWT access token, verified once and memoised until exp: the resource-server hot path', target: 'gateway', path: '/oidc-bearer', oidc: true, credentials: 'jwt' },
  { name: 'oidc-introspect', isolates: 'openid-connect introspection, one opaque token, introspected once, then the shared cache: the introspection hot path', target: 'gateway', path: '/oidc-introspect', oidc: true, credentials: 'opaque' },
  { name: 'oidc-bearer-verify-each', isolates: '`oidc-bearer` with the verified-token cache off: an RS256 verify per request, what the cache buys', target: 'gateway-verify-each', path: '/oidc-bearer-verify-each', oidc: true, credentials: 'jwt' },
  { name: 'key-auth', isolates: 'key-auth, one consumer, one key in the `apikey` header', target: 'gateway', path: '/key-auth', oidc: false, credentials: 'none', headers: { apikey: BENCH_API_KEY }, quickBrief: true },
  { name: 'rate-limiting', isolates: 'rate-limiting, policy local, `second: 1000000` (never reached): the shared counters', target: 'gateway', path: '/rate-limiting', oidc: false, credentials: 'none', quickBrief: true },
  { name: 'cors', isolates: 'cors, a simple GET with an allowed Origin', target: 'gateway', path: '/cors', oidc: false, credentials: 'none', headers: { origin: BENCH_ORIGIN }, quickBrief: true },
  { name: 'request-transformer', isolates: 'request-transformer adding two request headers', target: 'gateway', path: '/request-transformer', oidc: false, credentials: 'none', quickBrief: true },
  { name: 'balanced', isolates: 'an upstream of 3 targets (one server on 3 loopback addresses), round-robin: the balancer\'s pick, per-peer pools, Host per target', target: 'gateway', path: '/balanced', oidc: false, credentials: 'none', quickBrief: true },
  { name: 'stack', isolates: 'key-auth + acl + rate-limiting + correlation-id on one route, as real files combine them', target: 'gateway', path: '/stack', oidc: false, credentials: 'none', headers: { apikey: BENCH_API_KEY }, quickBrief: true },
  { name: 'floor-tls', isolates: '`floor` behind node:https, HTTP/1.1 over TLS, keep-alive: what TLS costs any Node proxy', target: 'floor-tls', path: '/', oidc: false, credentials: 'none', quickBrief: true },
  { name: 'floor-tls-kong', isolates: '`floor-kong` behind node:https: `floor-tls` with Kong\'s headers', target: 'floor-tls-kong', path: '/kong', oidc: false, credentials: 'none', quickBrief: true },
  { name: 'tls', isolates: '`proxy` on an `ssl` listener, HTTP/1.1 over TLS, keep-alive', target: 'gateway', listener: 'tls', path: '/tls', oidc: false, credentials: 'none', quickBrief: true },
  { name: 'floor-h2', isolates: '`floor` behind node:http2\'s secure server (allowHTTP1, compatibility API), HTTP/2 streams over TLS', target: 'floor-h2', path: '/', oidc: false, credentials: 'none', driver: 'h2', quickBrief: true },
  { name: 'floor-h2-kong', isolates: '`floor-kong` behind node:http2\'s secure server: `floor-h2` with Kong\'s headers', target: 'floor-h2-kong', path: '/kong', oidc: false, credentials: 'none', driver: 'h2', quickBrief: true },
  { name: 'h2', isolates: '`proxy` on an `ssl http2` listener, HTTP/2 streams over TLS (ALPN h2)', target: 'gateway', listener: 'h2', path: '/h2', oidc: false, credentials: 'none', driver: 'h2', quickBrief: true },
  { name: 'floor-tls-handshake', isolates: '`floor-tls` with a new TLS connection (full handshake) per request: handshakes/s of any Node proxy', target: 'floor-tls', path: '/', oidc: false, credentials: 'none', driver: 'tls-handshake', quickBrief: true },
  { name: 'tls-handshake', isolates: '`tls` with a new TLS connection (full handshake) per request: the gateway\'s handshakes/s', target: 'gateway', listener: 'tls', path: '/tls-handshake', oidc: false, credentials: 'none', driver: 'tls-handshake', quickBrief: true },
  { name: 'workers:proxy', isolates: '`proxy` with --workers workers: scaling', target: 'gateway-workers', path: '/proxy', oidc: false, credentials: 'none' },
  { name: 'workers:oidc-hot', isolates: '`oidc-hot` with --workers workers: scaling', target: 'gateway-workers', path: '/oidc-hot', oidc: true, credentials: 'one' }
]

export function selectScenarios (only: readonly string[] | null): Scenario[] {
  if (only === null) return [...SCENARIOS]
  const unknown = only.filter((name) => !SCENARIOS.some((s) => s.name === name))
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`)
  return SCENARIOS.filter((s) => only.includes(s.name))
}
