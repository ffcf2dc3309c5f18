// openid-connect's metrics. IdP token and introspection calls are counted in the proxy workers, each in its own lane of a
// SharedArrayBuffer (one writer per lane, so plain stores suffice); signing is timed on the main thread;
// the token cache keeps its own counters. The main thread turns all three into Prometheus families.

import { readTokenCacheStats, type TokenCacheHandle } from '../../../cache/index.ts'
import type { MetricFamily, MetricsSource } from '../../../metrics/types.ts'
import type { SignerStats } from '../../../workers/signer-pool.ts'
import { CLUSTER_ERRORS, CLUSTER_HITS, CLUSTER_ITEMS, CLUSTER_LOCK_WAITS, CLUSTER_MISSES, CLUSTER_WRITES, type ClusterCacheStats, type ClusterItemName } from './cluster-cache-stats.ts'

export const IDP_OUTCOMES = ['success', 'rejected', 'error', 'timeout'] as const
export type IdpOutcome = typeof IDP_OUTCOMES[number]
/** latency bucket upper bounds, milliseconds */
export const LATENCY_BOUNDS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

// Lane layout (Float64 fields): one count per outcome, then one count per bucket (not cumulative), then
// observations and their sum.
const OUTCOME_BASE = 0
const BUCKET_BASE = OUTCOME_BASE + IDP_OUTCOMES.length
const COUNT = BUCKET_BASE + LATENCY_BOUNDS.length
const SUM = COUNT + 1
const LANE_FIELDS = SUM + 1

export function createIdpCallBuffer (lanes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(lanes * LANE_FIELDS * Float64Array.BYTES_PER_ELEMENT)
}

/** A worker's lane: records one token (or introspection) endpoint call. */
export class IdpCallRecorder {
  readonly #lane: Float64Array

  constructor (buffer: SharedArrayBuffer, lane: number) {
    this.#lane = new Float64Array(buffer, lane * LANE_FIELDS * Float64Array.BYTES_PER_ELEMENT, LANE_FIELDS)
  }

  record (outcome: IdpOutcome, ms: number): void {
    const lane = this.#lane
    lane[OUTCOME_BASE + IDP_OUTCOMES.indexOf(outcome)]++
    lane[BUCKET_BASE + bucketOf(ms)]++
    lane[COUNT]++
    lane[SUM] += ms
  }
}

/** Index of the first bound >= ms; LATENCY_BOUNDS.length when above all (counted only in +Inf). */
function bucketOf (ms: number): number {
  let i = 0
  while (i < LATENCY_BOUNDS.length && ms > LATENCY_BOUNDS[i]) i++
  return i
}

/** Signing latency on the main thread (a plain histogram: one writer, the main thread itself). */
export class SigningTimer {
  readonly buckets = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0)
  count = 0
  sum = 0

  observe (ms: number): void {
    this.buckets[bucketOf(ms)]++
    this.count++
    this.sum += ms
  }
}

export interface OidcMetricsView {
  readonly cache: TokenCacheHandle
  readonly idpCalls: SharedArrayBuffer
  /** introspection endpoint calls, in the same lane layout */
  readonly introspectionCalls: SharedArrayBuffer
  /** the Redis level of the token and introspection caches (worker/cluster-cache.ts), by item */
  readonly clusterCache: Readonly<Record<ClusterItemName, ClusterCacheStats>>
  readonly signing: SigningTimer
  signer (): SignerStats | null
}

export function oidcMetricsSource (view: OidcMetricsView): MetricsSource {
  return {
    collect (): MetricFamily[] {
      const c = readTokenCacheStats(view.cache)
      const idp = sumLanes(view.idpCalls)
      const introspection = sumLanes(view.introspectionCalls)
      const signer = view.signer()
      const cluster = view.clusterCache
      return [
        counter('tollgate_token_cache_hits_total', 'Token cache lookups answered from the cache', [['fresh', c.hits], ['stale', c.staleHits], ['negative', c.negativeHits]], 'kind'),
        counter('tollgate_token_cache_misses_total', 'Token cache lookups that found no usable entry', [['', c.misses]]),
        counter('tollgate_token_cache_waits_total', 'Lookups that waited for another thread\'s fill (single flight)', [['', c.waits]]),
        counter('tollgate_token_cache_fills_total', 'Token cache fills by outcome', [['success', c.fills], ['failure', c.failures], ['renewal', c.renewals], ['timeout', c.fillTimeouts]], 'outcome'),
        counter('tollgate_token_cache_evictions_total', 'Live entries evicted to make room', [['', c.evictions]]),
        gauge('tollgate_token_cache_entries', 'Token cache entries by state', [['ready', c.entries - c.negativeEntries], ['negative', c.negativeEntries], ['filling', c.filling]], 'state'),
        gauge('tollgate_token_cache_slots', 'Token cache capacity in slots', [['', c.slots]]),
        counter('tollgate_idp_token_requests_total', 'Token endpoint calls by outcome', IDP_OUTCOMES.map((o, i) => [o, idp[OUTCOME_BASE + i]]), 'outcome'),
        histogram('tollgate_idp_token_request_latency_ms', 'Token endpoint call latency in milliseconds', idp.slice(BUCKET_BASE, COUNT), idp[COUNT], idp[SUM]),
        counter('tollgate_idp_introspection_requests_total', 'Introspection endpoint calls by outcome (rejected: never, an inactive token is a success)', IDP_OUTCOMES.map((o, i) => [o, introspection[OUTCOME_BASE + i]]), 'outcome'),
        histogram('tollgate_idp_introspection_request_latency_ms', 'Introspection endpoint call latency in milliseconds', introspection.slice(BUCKET_BASE, COUNT), introspection[COUNT], introspection[SUM]),
        counter('tollgate_cluster_cache_hits_total', 'First-level misses answered by Redis (a value another node fetched)', byItem(cluster, CLUSTER_HITS), 'item'),
        counter('tollgate_cluster_cache_misses_total', 'First-level misses Redis could not answer', byItem(cluster, CLUSTER_MISSES), 'item'),
        counter('tollgate_cluster_cache_writes_total', 'Tokens and introspection answers fetched from the IdP and shared through Redis', byItem(cluster, CLUSTER_WRITES), 'item'),
        counter('tollgate_cluster_cache_errors_total', 'Redis unavailable, failing or too slow: the fill went on without it', byItem(cluster, CLUSTER_ERRORS), 'item'),
        counter('tollgate_cluster_cache_lock_waits_total', 'Fills that waited for another node fetching the same value (single flight)', byItem(cluster, CLUSTER_LOCK_WAITS), 'item'),
        gauge('tollgate_signing_queue_length', 'Assertions waiting for a signing thread', [['', signer?.queued ?? 0]]),
        histogram('tollgate_signing_latency_ms', 'Client assertion signing latency in milliseconds (queue included)', view.signing.buckets, view.signing.count, view.signing.sum)
      ]
    }
  }
}

/** One lane of the cluster cache's counters, one sample per item (the `item` label). */
function byItem (stats: Readonly<Record<ClusterItemName, ClusterCacheStats>>, lane: number): Array<[string, number]> {
  return CLUSTER_ITEMS.map((item) => [item, stats[item].read(lane)])
}

function sumLanes (buffer: SharedArrayBuffer): number[] {
  const all = new Float64Array(buffer)
  const totals = new Array<number>(LANE_FIELDS).fill(0)
  for (let i = 0; i < all.length; i++) totals[i % LANE_FIELDS] += all[i]
  return totals
}

function counter (name: string, help: string, values: ReadonlyArray<readonly [string, number]>, label = ''): MetricFamily {
  return { name, help, type: 'counter', samples: values.map(([v, value]) => label === '' ? { value } : { labels: { [label]: v }, value }) }
}

function gauge (name: string, help: string, values: ReadonlyArray<readonly [string, number]>, label = ''): MetricFamily {
  return { name, help, type: 'gauge', samples: values.map(([v, value]) => label === '' ? { value } : { labels: { [label]: v }, value }) }
}

function histogram (name: string, help: string, perBucket: readonly number[], count: number, sum: number): MetricFamily {
  const cumulative: number[] = []
  let running = 0
  for (let i = 0; i < LATENCY_BOUNDS.length; i++) cumulative.push(running += perBucket[i])
  return { name, help, type: 'histogram', samples: [{ bounds: LATENCY_BOUNDS, cumulative, count, sum }] }
}
