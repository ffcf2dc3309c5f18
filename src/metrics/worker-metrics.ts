// A proxy worker's side of the proxy metrics memory (layout.ts). One WorkerMetrics per worker thread
// reaches the compiled Runtime through compile's dependencies (CompileDeps.metrics): at compile time each
// route gets the index of its slot (slotOf), and at the end of each request the proxy hands record() plain
// numbers, which become a handful of typed-array increments there. This file knows no request object:
// which status to report and how many bytes a request moved are the proxy's facts
// (src/proxy/request-metrics.ts).

import type { Route, Service } from '../config/types.ts'
import {
  BANDWIDTH_EGRESS, BANDWIDTH_INGRESS, CODE_COLUMN, CODE_COUNT, CODE_OTHER, DIRECTORY_COUNT,
  DIRECTORY_HEADER_WORDS, KEY_BYTES, KEY_WORDS, KONG_LATENCY, KONG_LATENCY_BOUNDS, REQUEST_LATENCY, REQUESTS,
  SOURCE_KONG, SOURCE_SERVICE, UPSTREAM_LATENCY, UPSTREAM_LATENCY_BOUNDS, WORD_BYTES, slotBase,
} from './layout.ts'
import { ALL_FAMILIES, FAMILY_BANDWIDTH, FAMILY_LATENCY, FAMILY_STATUS } from './families.ts'
import type { ProxyMetricsShared } from './route-series.ts'
import { seriesKey, seriesLabels } from './series-key.ts'

/** Where the proxy reports finished requests. Arguments are plain numbers so a report allocates nothing. */
export interface RequestMetricsWriter {
  /**
   * Called at compile time: the slot a route's requests are recorded in, or -1 when they are not counted;
   * with a consumer's username, the slot of that route and consumer (per_consumer), -1 when it has none.
   */
  slotOf (route: Route, service: Service | null, consumer?: string): number
  /**
   * One finished request. `fromService`: the upstream's answer reached the client (Kong's source
   * "service"), else the gateway answered (source "kong"). A negative latency is not observed; bytes are
   * those the client connection moved for this request. `families`: which families to record
   * (families.ts, all by default); `consumerSlot`: where the status and bandwidth go (the consumer's
   * series with per_consumer; `slot` by default), latencies always go to `slot`.
   */
  record (slot: number, status: number, fromService: boolean, kongMs: number, upstreamMs: number,
    requestMs: number, ingress: number, egress: number, families?: number, consumerSlot?: number): void
}

/** For a Runtime that counts nothing (a thread without the shared memory: benchmarks, unit tests). */
export const NO_REQUEST_METRICS: RequestMetricsWriter = Object.freeze({
  slotOf (): number { return -1 },
  record (): void {},
})

export class WorkerMetrics implements RequestMetricsWriter {
  readonly #shared: ProxyMetricsShared
  readonly #worker: number
  /**
   * A fixed-length view over the counters buffer, replaced when the main thread has grown it. Fixed on
   * purpose: a length-tracking view of a growable buffer made increments ~35x slower in V8 (measured).
   */
  #counters: Float64Array = new Float64Array(0)
  /** series key -> series, filled from the directory as it grows (append-only) */
  readonly #seriesByKey = new Map<string, number>()

  constructor (shared: ProxyMetricsShared, worker: number) {
    this.#shared = shared
    this.#worker = worker
  }

  slotOf (route: Route, service: Service | null, consumer = ''): number {
    // as Kong: no service, no series
    if (service === null) return -1
    const key = seriesKey(seriesLabels(route, service, consumer))
    let series = this.#seriesByKey.get(key)
    if (series === undefined) {
      this.#readDirectory()
      series = this.#seriesByKey.get(key)
      if (series === undefined) return -1
    }
    return slotBase(series, this.#shared.workers, this.#worker)
  }

  record (slot: number, status: number, fromService: boolean, kongMs: number, upstreamMs: number,
    requestMs: number, ingress: number, egress: number, families = ALL_FAMILIES, consumerSlot = slot): void {
    recordObservation(this.#counters, slot, status, fromService ? SOURCE_SERVICE : SOURCE_KONG,
      kongMs, upstreamMs, requestMs, ingress, egress, families, consumerSlot)
  }

  #readDirectory (): void {
    const { directory, counters } = this.#shared
    const words = new Int32Array(directory, 0, DIRECTORY_HEADER_WORDS)
    const count = Atomics.load(words, DIRECTORY_COUNT)
    for (let series = this.#seriesByKey.size; series < count; series++) {
      const offset = (DIRECTORY_HEADER_WORDS + series * KEY_WORDS) * WORD_BYTES
      this.#seriesByKey.set(Buffer.from(directory, offset, KEY_BYTES).toString('hex'), series)
    }
    if (this.#counters.byteLength !== counters.byteLength) {
      this.#counters = new Float64Array(counters, 0, counters.byteLength / Float64Array.BYTES_PER_ELEMENT)
    }
  }
}

/**
 * The increments themselves, apart from the writer so they can be tested alone. A negative latency is not
 * observed. Only the families in `families` are recorded; status and bandwidth go to `consumerBase`.
 */
export function recordObservation (m: Float64Array, base: number, status: number, source: number,
  kongMs: number, upstreamMs: number, requestMs: number, ingress: number, egress: number,
  families = ALL_FAMILIES, consumerBase = base): void {
  if ((families & FAMILY_STATUS) !== 0) {
    const column = status < CODE_COLUMN.length ? CODE_COLUMN[status] : CODE_OTHER
    m[consumerBase + REQUESTS + source * CODE_COUNT + column]++
  }
  if ((families & FAMILY_BANDWIDTH) !== 0) {
    if (ingress > 0) m[consumerBase + BANDWIDTH_INGRESS] += ingress
    if (egress > 0) m[consumerBase + BANDWIDTH_EGRESS] += egress
  }
  if ((families & FAMILY_LATENCY) !== 0) {
    observe(m, base + KONG_LATENCY, KONG_LATENCY_BOUNDS, kongMs)
    observe(m, base + UPSTREAM_LATENCY, UPSTREAM_LATENCY_BOUNDS, upstreamMs)
    observe(m, base + REQUEST_LATENCY, UPSTREAM_LATENCY_BOUNDS, requestMs)
  }
}

function observe (m: Float64Array, at: number, bounds: readonly number[], value: number): void {
  if (value < 0) return
  // a linear scan: latencies are small, so it usually stops at the first bound
  let bucket = 0
  while (bucket < bounds.length && value > bounds[bucket]) bucket++
  m[at + bucket]++
  m[at + bounds.length + 1] += value
}
