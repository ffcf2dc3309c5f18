// A proxy worker's side of the proxy metrics memory (layout.ts). At config compile time each route gets
// the index of its slot (routeMetricsIndex); at the end of each request recordRequest does a handful of
// typed-array increments there. Module state is per worker thread; in a thread that never attached
// (the main thread, unit tests) every route gets -1 and nothing is recorded.

import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { Route, Service } from '../config/types.ts'
import type { RequestContext } from '../proxy/context.ts'
import {
  BANDWIDTH_EGRESS, BANDWIDTH_INGRESS, CODE_COLUMN, CODE_COUNT, CODE_OTHER, DIRECTORY_COUNT,
  DIRECTORY_HEADER_WORDS, KEY_BYTES, KEY_WORDS, KONG_LATENCY, KONG_LATENCY_BOUNDS, REQUEST_LATENCY, REQUESTS,
  SOURCE_KONG, SOURCE_SERVICE, UPSTREAM_LATENCY, UPSTREAM_LATENCY_BOUNDS, WORD_BYTES, slotBase,
} from './layout.ts'
import type { ProxyMetricsShared } from './route-series.ts'
import { seriesKey, seriesLabels } from './series-key.ts'

let shared: ProxyMetricsShared | null = null
let workerIndex = 0
/**
 * A fixed-length view over the counters buffer, replaced when the main thread has grown it. Fixed on
 * purpose: a length-tracking view of a growable buffer made increments ~35x slower in V8 (measured).
 */
let counters: Float64Array = new Float64Array(0)
/** series key -> series, filled from the directory as it grows (append-only) */
const seriesByKey = new Map<string, number>()

export function attachWorkerMetrics (metrics: ProxyMetricsShared, worker: number): void {
  shared = metrics
  workerIndex = worker
  seriesByKey.clear()
  counters = new Float64Array(0)
}

function readDirectory (metrics: ProxyMetricsShared): void {
  const words = new Int32Array(metrics.directory, 0, DIRECTORY_HEADER_WORDS)
  const count = Atomics.load(words, DIRECTORY_COUNT)
  for (let series = seriesByKey.size; series < count; series++) {
    const offset = (DIRECTORY_HEADER_WORDS + series * KEY_WORDS) * WORD_BYTES
    seriesByKey.set(Buffer.from(metrics.directory, offset, KEY_BYTES).toString('hex'), series)
  }
  if (counters.byteLength !== metrics.counters.byteLength) {
    counters = new Float64Array(metrics.counters, 0, metrics.counters.byteLength / Float64Array.BYTES_PER_ELEMENT)
  }
}

/** The first counter field of the route's slot in this worker, or -1 when it is not counted. */
export function routeMetricsIndex (route: Route, service: Service | null): number {
  if (shared === null || service === null) return -1
  const key = seriesKey(seriesLabels(route, service))
  let series = seriesByKey.get(key)
  if (series === undefined) {
    readDirectory(shared)
    series = seriesByKey.get(key)
    if (series === undefined) return -1
  }
  return slotBase(series, shared.workers, workerIndex)
}

const kReadMark = Symbol('tollgate.metrics.bytesRead')
const kWrittenMark = Symbol('tollgate.metrics.bytesWritten')

interface MarkedSocket extends Socket {
  [kReadMark]?: number
  [kWrittenMark]?: number
}

/**
 * Records a finished request: status by source, bandwidth, and the three latency histograms. Bandwidth
 * is the socket's byte counts since the previous request recorded on the connection, so every byte of a
 * keep-alive connection is counted once; a response the gateway makes before routing (400/404) has no
 * route and its bytes count with the next routed request on that connection.
 */
export function recordRequest (ctx: RequestContext): void {
  const base = ctx.target.metricsIndex
  if (base < 0) return
  const now = performance.now()
  const res = ctx.res
  // the client went away before a status line was sent: nginx (and so Kong) logs 499
  const status = res.headersSent ? res.statusCode : 499
  const fromService = ctx.firstByteAt !== 0 && !ctx.responded
  const kongMs = ctx.dispatchedAt !== 0 ? ctx.dispatchedAt - ctx.startedAt : now - ctx.startedAt
  const upstreamMs = ctx.firstByteAt !== 0 ? ctx.firstByteAt - ctx.dispatchedAt : -1
  const socket = ctx.socket as MarkedSocket
  const read = socket.bytesRead
  // undefined once the socket is destroyed and its write state released
  const written = socket.bytesWritten ?? socket[kWrittenMark] ?? 0
  const ingress = read - (socket[kReadMark] ?? 0)
  const egress = written - (socket[kWrittenMark] ?? 0)
  socket[kReadMark] = read
  socket[kWrittenMark] = written
  recordObservation(counters, base, status, fromService ? SOURCE_SERVICE : SOURCE_KONG,
    kongMs, upstreamMs, now - ctx.startedAt, ingress, egress)
}

/** The increments themselves, apart from the request so they can be tested alone. A negative latency is not observed. */
export function recordObservation (m: Float64Array, base: number, status: number, source: number,
  kongMs: number, upstreamMs: number, requestMs: number, ingress: number, egress: number): void {
  const column = status < CODE_COLUMN.length ? CODE_COLUMN[status] : CODE_OTHER
  m[base + REQUESTS + source * CODE_COUNT + column]++
  if (ingress > 0) m[base + BANDWIDTH_INGRESS] += ingress
  if (egress > 0) m[base + BANDWIDTH_EGRESS] += egress
  observe(m, base + KONG_LATENCY, KONG_LATENCY_BOUNDS, kongMs)
  observe(m, base + UPSTREAM_LATENCY, UPSTREAM_LATENCY_BOUNDS, upstreamMs)
  observe(m, base + REQUEST_LATENCY, UPSTREAM_LATENCY_BOUNDS, requestMs)
}

function observe (m: Float64Array, at: number, bounds: readonly number[], value: number): void {
  if (value < 0) return
  // a linear scan: latencies are small, so it usually stops at the first bound
  let bucket = 0
  while (bucket < bounds.length && value > bounds[bucket]) bucket++
  m[at + bucket]++
  m[at + bounds.length + 1] += value
}
