// What the suite asks the load generator process for, and what it gets back.

/** Which Authorization header each request carries. */
export type CredentialPlan =
  | { readonly kind: 'none' }
  /** one credential, a static header (autocannon sends a prebuilt request) */
  | { readonly kind: 'fixed', readonly set: string, readonly index: number }
  /** a uniformly random credential of the set for each request (the many-keys spread) */
  | { readonly kind: 'random', readonly set: string }
  /** credentials [from, to) in order, each used once: every request a new cache key */
  | { readonly kind: 'sequence', readonly set: string, readonly from: number, readonly to: number }

/**
 * The client that sends the load: autocannon (HTTP/1.1, keep-alive; https URLs over TLS), `h2` (node:http2
 * sessions, several concurrent streams each: bench/procs/h2-load.ts) or `tls-handshake` (a new TLS
 * connection per request, a full handshake each: bench/procs/handshake-load.ts).
 */
export type LoadDriver = 'autocannon' | 'h2' | 'tls-handshake'

export interface LoadJob {
  readonly url: string
  /** absent: autocannon */
  readonly driver?: LoadDriver
  /** concurrent requests in flight (autocannon connections, h2 streams over all sessions, handshaking clients) */
  readonly connections: number
  readonly durationS: number
  /** total requests per second, paced evenly over the connections; null: as fast as possible */
  readonly rate: number | null
  readonly credentials: CredentialPlan
  /** request headers sent with every request besides the credentials; absent: none */
  readonly headers?: Readonly<Record<string, string>>
  /** response timeout in seconds */
  readonly timeoutS: number
}

/** Latency percentiles in the unit their name says. */
export interface Percentiles {
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly p99_9: number
  readonly max: number
  readonly count: number
}

export const HISTOGRAM_NAMES = ['client_us', 'kong_proxy_ms', 'kong_upstream_ms', 'proxy_us', 'upstream_us'] as const
export type HistogramName = typeof HISTOGRAM_NAMES[number]

export interface LoadOutcome {
  readonly requests: number
  readonly durationS: number
  readonly rps: number
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
  readonly statusCodes: Readonly<Record<string, number>>
  /** autocannon's own client latency (whole milliseconds, as autocannon records them); the other drivers
   * give the client_us histogram's percentiles in ms */
  readonly autocannonMs: Omit<Percentiles, 'count'>
  /** hdr-histogram-js histograms, compressed base64; null when nothing was recorded */
  readonly histograms: Readonly<Record<HistogramName, string | null>>
  /** a sequence plan ran out before the duration was over: the run is shorter */
  readonly endedEarly: boolean
}
