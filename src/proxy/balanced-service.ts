// A route whose service names an upstream (Kong: kong/runloop/balancer/init.lua execute, "if the hostname
// matches an 'upstream' pool, then it must be balanced in that pool"): per peer, the connection pool for
// this service's protocol, timeouts and TLS options, and the Host header sent to it. Built for the peers in
// force and again when the upstream's peers change (UpstreamBalancer.version), never per request.

import type { Dispatcher } from 'undici'
import type { Route, Service } from '../config/types.ts'
import type { UpstreamBalancer } from '../balancer/upstream-balancer.ts'
import type { Peer } from '../balancer/types.ts'
import { compileRouteRegex } from '../router/route-regex.ts'
import { UpstreamPools } from './upstream-pools.ts'
import type { UpstreamTls } from './upstream-tls.ts'

export interface PeerRoute {
  readonly pool: Dispatcher
  readonly poolKey: string
  /** Host sent upstream unless preserve_host: set_host_header's hostname, with the port unless the scheme's default */
  readonly host: string
}

export class BalancedService {
  readonly upstream: UpstreamBalancer
  /** the route's regex paths, for a hash on uri_capture; empty otherwise */
  readonly captureRegexes: readonly RegExp[]
  readonly #service: Service
  readonly #tls: UpstreamTls | null
  readonly #pools: UpstreamPools
  #version: number
  #routes: Map<Peer, PeerRoute>

  constructor (upstream: UpstreamBalancer, route: Route, service: Service, tls: UpstreamTls | null, pools: UpstreamPools) {
    this.upstream = upstream
    this.#service = service
    this.#tls = tls
    this.#pools = pools
    this.captureRegexes = upstream.needsCaptures ? captureRegexes(route) : []
    this.#version = upstream.version
    this.#routes = this.#build()
  }

  routeFor (peer: Peer): PeerRoute {
    if (this.#version !== this.upstream.version) {
      this.#version = this.upstream.version
      this.#routes = this.#build()
    }
    return this.#routes.get(peer)!
  }

  /** The pool keys of the peers in force (a reload closes pools no Runtime names). */
  poolKeys (): string[] {
    return [...this.#routes.values()].map((route) => route.poolKey)
  }

  #build (): Map<Peer, PeerRoute> {
    const service = this.#service
    const hostHeader = this.upstream.upstream.host_header
    const defaultPort = service.protocol === 'https' ? 443 : 80
    const routes = new Map<Peer, PeerRoute>()
    for (const peer of this.upstream.peers) {
      const address = peer.address.includes(':') ? `[${peer.address}]` : peer.address
      const options = { origin: `${service.protocol}://${address}:${peer.port}`, connectTimeout: service.connect_timeout, tls: this.#tls }
      // set_host_header: the upstream's host_header, else the target's name; the port unless the default
      const name = hostHeader ?? peer.hostname
      const host = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name
      routes.set(peer, {
        pool: this.#pools.get(options),
        poolKey: UpstreamPools.keyOf(options),
        host: peer.port === defaultPort ? host : `${host}:${peer.port}`
      })
    }
    return routes
  }
}

/** Kong's uri_capture reads the captures of the route's regex path that matched (ngx.ctx.router_matches.uri_captures). */
function captureRegexes (route: Route): RegExp[] {
  const regexes: RegExp[] = []
  for (const path of route.paths ?? []) {
    if (path.charCodeAt(0) !== 126 /* ~ */) continue
    const compiled = compileRouteRegex(path.slice(1), '^', '')
    if (typeof compiled !== 'string') regexes.push(compiled)
  }
  return regexes
}

/** The captures by name and by number of the first regex path matching `path`, or null. */
export function uriCaptures (regexes: readonly RegExp[], path: string): Record<string, string | undefined> | null {
  for (let i = 0; i < regexes.length; i++) {
    const match = regexes[i].exec(path)
    if (match === null) continue
    const captures: Record<string, string | undefined> = { ...match.groups }
    for (let n = 0; n < match.length; n++) captures[String(n)] = match[n]
    return captures
  }
  return null
}
