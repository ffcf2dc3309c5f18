// Messages between the supervisor (main thread) and proxy workers. A config swap is two-phase: every
// worker compiles the new config (prepare) and only when all succeeded do they switch (commit), so all
// workers serve the same config and a config one worker cannot build is rejected everywhere.

import type { ListenAddress, LoadedConfig } from '../config/types.ts'
import type { ServerTlsDefaults } from '../tls/default-certificate.ts'
import type { ProxyMetricsShared } from '../metrics/route-series.ts'
import type { BalancingData, PeerSnapshot } from '../balancer/peer-snapshot.ts'

export interface WorkerData {
  readonly index: number
  readonly generation: number
  readonly config: LoadedConfig
  /** proxy_listen with port 0 already resolved, so every worker binds the same port (reusePort) */
  readonly listen: readonly ListenAddress[]
  /** what TLS listeners need besides the config (src/tls/default-certificate.ts); null: no `ssl` listener */
  readonly serverTls: ServerTlsDefaults | null
  readonly statsBuffer: SharedArrayBuffer
  /** the Redis clients' counters (src/redis/stats.ts), shared by all workers */
  readonly redisStats: SharedArrayBuffer
  /** the per-route metrics memory (src/metrics/layout.ts), shared by all workers */
  readonly metrics: ProxyMetricsShared
  /** per-plugin data the main thread shares with workers (token cache buffers, ports), by plugin name */
  readonly pluginData: Readonly<Record<string, unknown>>
  /** the upstreams' health table and the peers in force */
  readonly balancing: BalancingData
}

export type ToWorker =
  | { readonly type: 'prepare', readonly generation: number, readonly config: LoadedConfig, readonly peers: PeerSnapshot }
  | { readonly type: 'commit', readonly generation: number }
  | { readonly type: 'abort', readonly generation: number }
  | { readonly type: 'drain' }
  | { readonly type: 'plugin', readonly plugin: string, readonly payload: unknown }
  /** DNS changed the addresses of the running config's upstreams */
  | { readonly type: 'peers', readonly peers: PeerSnapshot }

export type FromWorker =
  | { readonly type: 'listening', readonly addresses: readonly string[] }
  | { readonly type: 'prepared', readonly generation: number }
  | { readonly type: 'prepare-failed', readonly generation: number, readonly message: string }
  | { readonly type: 'committed', readonly generation: number }
  | { readonly type: 'drained' }
  | { readonly type: 'plugin', readonly plugin: string, readonly payload: unknown }
