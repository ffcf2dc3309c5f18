// One undici Pool per upstream origin, connect timeout and TLS options per worker, kept across config
// reloads so warm keep-alive connections survive a reload; pools no config uses any more are closed
// gracefully (in-flight requests finish first). Services to one https origin with different tls_verify,
// tls_verify_depth, ca_certificates or client certificate never share a pool, nor its connections or TLS sessions: Kong's keepalive pool name holds
// them too (kong/init.lua balancer phase).
// A service host that is a name is resolved by the worker's own DnsResolver (src/dns: TTL cache, stale
// answers, the dns_* settings), as Kong's balancer resolves one through its DNS client (kong/runloop/
// balancer/init.lua execute, toip), not by getaddrinfo on every new connection.

import { Pool } from 'undici'
import type { Settings } from '../config/types.ts'
import { tlsConnectOptions, tlsKey, type UpstreamTls } from './upstream-tls.ts'
import { createDnsResolver } from '../dns/create-resolver.ts'
import { createLookup, type ConnectLookup } from '../dns/lookup.ts'
import type { DnsResolver } from '../dns/resolver.ts'

export interface PoolOptions {
  readonly origin: string
  readonly connectTimeout: number
  /** how an https origin's certificate is checked; null for http */
  readonly tls: UpstreamTls | null
}

export class UpstreamPools {
  readonly #pools = new Map<string, Pool>()
  readonly #settings: Settings
  readonly #resolver: DnsResolver
  readonly #lookup: ConnectLookup

  constructor (settings: Settings) {
    this.#settings = settings
    this.#resolver = createDnsResolver(settings)
    this.#lookup = createLookup(this.#resolver)
  }

  static keyOf (options: PoolOptions): string {
    const tls = options.tls
    const base = `${options.origin}|${options.connectTimeout}`
    return tls === null ? base : `${base}|${tlsKey(tls)}`
  }

  get (options: PoolOptions): Pool {
    const key = UpstreamPools.keyOf(options)
    let pool = this.#pools.get(key)
    if (pool === undefined) {
      pool = this.#create(options)
      this.#pools.set(key, pool)
    }
    return pool
  }

  #create (options: PoolOptions): Pool {
    const s = this.#settings
    const maxRequests = s.upstream_keepalive_max_requests
    // one request per connection is no keep-alive at all
    const keepAlive = s.upstream_keepalive_pool_size > 0 && maxRequests !== 1
    return new Pool(options.origin, {
      // null: no cap on parallel connections, as nginx; the keep-alive pool size bounds idle ones only
      connections: null,
      // 0 is undici's switch for closing each connection after its response
      pipelining: keepAlive ? 1 : 0,
      connect: options.tls === null
        ? { timeout: options.connectTimeout, lookup: this.#lookup }
        : { timeout: options.connectTimeout, lookup: this.#lookup, ...tlsConnectOptions(options.tls) },
      keepAliveTimeout: keepAlive ? s.upstream_keepalive_idle_timeout * 1000 : 1,
      keepAliveMaxTimeout: keepAlive ? s.upstream_keepalive_idle_timeout * 1000 : 1,
      // undici closes a connection after maxRequestsPerClient + 1 requests (client-h1.js counts from 0);
      // 0 means unlimited in both undici and Kong
      maxRequestsPerClient: keepAlive && maxRequests > 1 ? maxRequests - 1 : 0,
      // no undici timeouts: the service's read_timeout is kept by read-timeout.ts, one sweep per worker
      headersTimeout: 0,
      bodyTimeout: 0
    })
  }

  /** Closes every pool whose key is not in `inUse`; their queued and running requests complete first. */
  retainOnly (inUse: ReadonlySet<string>): void {
    for (const [key, pool] of this.#pools) {
      if (!inUse.has(key)) {
        this.#pools.delete(key)
        pool.close().catch(noop)
      }
    }
  }

  async closeAll (): Promise<void> {
    const closing = [...this.#pools.values()].map(async (pool) => await pool.close().catch(noop))
    this.#pools.clear()
    this.#resolver.close()
    await Promise.all(closing)
  }
}

function noop (): void {}
