// The cluster cache's counters (worker/cluster-cache.ts): one SharedArrayBuffer per gateway, made by the
// main service and handed to every proxy worker, read by the main thread for GET /metrics
// (oidc-metrics.ts: tollgate_cluster_cache_*{item}). One block of BigInt64 lanes per cluster_cache_items
// entry (CLUSTER_ITEMS order), one lane per counter, added to with Atomics (every worker writes every lane).

/** the items, in block order: the values of the metrics' `item` label */
export const CLUSTER_ITEMS = ['tokens', 'introspection'] as const
export type ClusterItemName = typeof CLUSTER_ITEMS[number]

/** a first-level miss answered by Redis (another node's token or introspection answer) */
export const CLUSTER_HITS = 0
/** a first-level miss that Redis could not answer (no value, or none newer than the one being renewed) */
export const CLUSTER_MISSES = 1
/** a value fetched from the IdP and written to Redis */
export const CLUSTER_WRITES = 2
/** a Redis command that failed or timed out, or Redis not connected: the fill went on without it */
export const CLUSTER_ERRORS = 3
/** a fill that found another node's lock and waited for its value */
export const CLUSTER_LOCK_WAITS = 4
export const CLUSTER_LANES = 5

export function createClusterCacheStatsBuffer (): SharedArrayBuffer {
  return new SharedArrayBuffer(CLUSTER_ITEMS.length * CLUSTER_LANES * BigInt64Array.BYTES_PER_ELEMENT)
}

/** The counters of one item (`tokens` unless told). */
export class ClusterCacheStats {
  readonly #lanes: BigInt64Array

  constructor (buffer: SharedArrayBuffer = createClusterCacheStatsBuffer(), item: ClusterItemName = 'tokens') {
    const block = CLUSTER_ITEMS.indexOf(item) * CLUSTER_LANES * BigInt64Array.BYTES_PER_ELEMENT
    this.#lanes = new BigInt64Array(buffer, block, CLUSTER_LANES)
  }

  add (lane: number): void {
    Atomics.add(this.#lanes, lane, 1n)
  }

  read (lane: number): number {
    return Number(Atomics.load(this.#lanes, lane))
  }
}

/** Every item's counters over one buffer, by item name. */
export function clusterCacheStatsByItem (buffer: SharedArrayBuffer): Readonly<Record<ClusterItemName, ClusterCacheStats>> {
  return Object.freeze({ tokens: new ClusterCacheStats(buffer, 'tokens'), introspection: new ClusterCacheStats(buffer, 'introspection') })
}
