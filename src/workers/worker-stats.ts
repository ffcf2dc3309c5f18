// Per-worker counters in one SharedArrayBuffer the main thread allocates: each worker owns one region
// and is its only writer, so plain stores suffice; the main thread sums the regions for /status and
// /metrics. Float64 keeps counts exact far beyond 2^32 without BigInt allocation on the hot path.

import { linePairPadded } from '../core/cache-lines.ts'

export const STAT_CONNECTIONS_ACTIVE = 0
export const STAT_CONNECTIONS_ACCEPTED = 1
export const STAT_CONNECTIONS_HANDLED = 2
export const STAT_REQUESTS_TOTAL = 3
export const STAT_REQUESTS_IN_FLIGHT = 4
/** fields per worker region */
export const STAT_FIELDS = 5
export const STAT_FIELD_BYTES = Float64Array.BYTES_PER_ELEMENT
/** a region's stride: whole cache-line pairs, so that no two workers write to one line (cache-lines.ts) */
export const STAT_REGION_BYTES = linePairPadded(STAT_FIELDS * STAT_FIELD_BYTES)
const STAT_REGION_FIELDS = STAT_REGION_BYTES / STAT_FIELD_BYTES

export function createStatsBuffer (workers: number): SharedArrayBuffer {
  return new SharedArrayBuffer(workers * STAT_REGION_BYTES)
}

/** The region a worker writes. */
export function workerStats (buffer: SharedArrayBuffer, workerIndex: number): Float64Array {
  return new Float64Array(buffer, workerIndex * STAT_REGION_BYTES, STAT_FIELDS)
}

/**
 * Zeroes a worker's gauges (active connections, requests in flight) once it has exited: its sockets died
 * with it. Called by the main thread when no thread writes the region; counters are kept for its successor.
 */
export function resetWorkerGauges (buffer: SharedArrayBuffer, workerIndex: number): void {
  const region = workerStats(buffer, workerIndex)
  region[STAT_CONNECTIONS_ACTIVE] = 0
  region[STAT_REQUESTS_IN_FLIGHT] = 0
}

export interface StatsTotals {
  connectionsActive: number
  connectionsAccepted: number
  connectionsHandled: number
  requestsTotal: number
  requestsInFlight: number
}

export function sumStats (buffer: SharedArrayBuffer): StatsTotals {
  const all = new Float64Array(buffer)
  const totals: StatsTotals = { connectionsActive: 0, connectionsAccepted: 0, connectionsHandled: 0, requestsTotal: 0, requestsInFlight: 0 }
  for (let base = 0; base < all.length; base += STAT_REGION_FIELDS) {
    totals.connectionsActive += all[base + STAT_CONNECTIONS_ACTIVE]
    totals.connectionsAccepted += all[base + STAT_CONNECTIONS_ACCEPTED]
    totals.connectionsHandled += all[base + STAT_CONNECTIONS_HANDLED]
    totals.requestsTotal += all[base + STAT_REQUESTS_TOTAL]
    totals.requestsInFlight += all[base + STAT_REQUESTS_IN_FLIGHT]
  }
  return totals
}
