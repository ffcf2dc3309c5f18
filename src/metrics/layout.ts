// The byte layout of the proxy metrics shared memory. Two growable SharedArrayBuffers, both allocated and
// grown only by the main thread (src/metrics/route-series.ts):
//
//   counters   Float64 fields. One "slot" of SLOT_FIELDS per (series, worker), series-major:
//              slot (series s, worker w) starts at field (s * workers + w) * SLOT_STRIDE, so growing the
//              buffer appends series and never moves a worker's existing fields. A worker is the only
//              writer of its slots (plain stores), the main thread sums them at scrape time. The stride
//              pads a slot to whole cache-line pairs, so two workers' slots never share a line
//              (src/core/cache-lines.ts).
//   directory  Int32 words. DIRECTORY_COUNT holds how many series exist (Atomics, written after the
//              entry); entry s at DIRECTORY_HEADER_WORDS + s * KEY_WORDS is the 16-byte key of series s
//              (md5 of its labels), which workers look up when they compile a config.
//
// A series is one (service, route) label pair, Kong's prometheus labels. Series are append-only for the
// life of the process, so a counter never jumps between routes across reloads and survives worker
// restarts. Float64 keeps counts exact up to 2^53 without BigInt on the hot path.

import { linePairPadded } from '../core/cache-lines.ts'

/** Kong's prometheus KONG_LATENCY_BUCKETS (ms), used for kong_kong_latency_ms. */
export const KONG_LATENCY_BOUNDS: readonly number[] = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000]
/** Kong's prometheus UPSTREAM_LATENCY_BUCKETS (ms), used for kong_upstream_latency_ms and kong_request_latency_ms. */
export const UPSTREAM_LATENCY_BOUNDS: readonly number[] = [25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000]

/**
 * Status codes counted exactly; any other code counts under its class ("4xx" still matches code=~"4..")
 * or, outside 100-599, under "other". The list covers what the gateway itself answers and common
 * upstream answers, so the class buckets stay rare.
 */
export const EXACT_CODES: readonly number[] = [
  200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308,
  400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 413, 414, 415, 422, 426, 429, 494, 499,
  500, 501, 502, 503, 504,
]
/** label values of the code columns, in column order: the exact codes, then 1xx..5xx, then "other" */
export const CODE_LABELS: readonly string[] = [...EXACT_CODES.map(String), '1xx', '2xx', '3xx', '4xx', '5xx', 'other']
export const CODE_COUNT = CODE_LABELS.length
const CODE_CLASS_BASE = EXACT_CODES.length
export const CODE_OTHER = CODE_COUNT - 1

/** status code (0-999) -> code column; built once so the hot path does one array read */
export const CODE_COLUMN: Uint8Array = (() => {
  const table = new Uint8Array(1000).fill(CODE_OTHER)
  for (let code = 100; code < 600; code++) table[code] = CODE_CLASS_BASE + Math.floor(code / 100) - 1
  EXACT_CODES.forEach((code, column) => { table[code] = column })
  return table
})()

/** response source, Kong's `source` label: the upstream answered, or the gateway did */
export const SOURCE_SERVICE = 0
export const SOURCE_KONG = 1
export const SOURCE_LABELS: readonly string[] = ['service', 'kong']

// ---- one slot (Float64 field offsets) ----
/** requests: SOURCE_COUNT x CODE_COUNT counters at REQUESTS + source * CODE_COUNT + column */
export const REQUESTS = 0
const SOURCE_COUNT = SOURCE_LABELS.length
export const BANDWIDTH_INGRESS = REQUESTS + SOURCE_COUNT * CODE_COUNT
export const BANDWIDTH_EGRESS = BANDWIDTH_INGRESS + 1
/**
 * A histogram is bounds.length + 1 non-cumulative bucket counters (the last one is +Inf) followed by the
 * sum of observed values; the count is the sum of the buckets, so count and +Inf can never disagree.
 */
export function histogramFields (bounds: readonly number[]): number {
  return bounds.length + 2
}
export const KONG_LATENCY = BANDWIDTH_EGRESS + 1
export const UPSTREAM_LATENCY = KONG_LATENCY + histogramFields(KONG_LATENCY_BOUNDS)
export const REQUEST_LATENCY = UPSTREAM_LATENCY + histogramFields(UPSTREAM_LATENCY_BOUNDS)
export const SLOT_FIELDS = REQUEST_LATENCY + histogramFields(UPSTREAM_LATENCY_BOUNDS)
export const FIELD_BYTES = Float64Array.BYTES_PER_ELEMENT
export const SLOT_BYTES = linePairPadded(SLOT_FIELDS * FIELD_BYTES)
/** fields from one slot's start to the next's: SLOT_FIELDS rounded up to whole line pairs */
export const SLOT_STRIDE = SLOT_BYTES / FIELD_BYTES

// ---- directory (Int32 words) ----
export const DIRECTORY_COUNT = 0
export const DIRECTORY_HEADER_WORDS = 2
export const KEY_BYTES = 16
export const KEY_WORDS = KEY_BYTES / Int32Array.BYTES_PER_ELEMENT
export const WORD_BYTES = Int32Array.BYTES_PER_ELEMENT

/** Series a gateway may ever create; routes beyond it are not counted (a log line says so). */
export const MAX_SERIES = 16384

/** the first counter field of (series, worker) */
export function slotBase (series: number, workers: number, worker: number): number {
  return (series * workers + worker) * SLOT_STRIDE
}
