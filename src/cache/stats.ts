// Counters for metrics. Each thread claims a lane of its own (an owner word per lane), so a hit costs
// one plain increment on a cache line no other thread writes; the main thread sums the lanes. A
// thread that finds no free lane (more threads than lanes, or lanes of dead threads not released)
// adds atomically into the shared lane. A counter is 64 bits kept as two u32 words (low, high)
// because Atomics on a BigInt64Array would allocate a BigInt per hit.

import type { TokenCacheHandle } from './handle.ts'
import {
  SLOT_STATE, STATE_FILLING, STATE_NEGATIVE, STATE_READY, STATS_COUNTER_BYTES, STATS_LANE_BYTES,
  STATS_LANE_COUNTERS, STATS_LANE_OWNER, STATS_LANES, STATS_OFFSET, STATS_SHARED_LANE
} from './layout.ts'
import { openViews, slotByte } from './views.ts'
import type { Views } from './views.ts'

export const STAT_HITS = 0
export const STAT_STALE_HITS = 1
export const STAT_NEGATIVE_HITS = 2
/** lookups that made the caller the filler */
export const STAT_MISSES = 3
/** lookups that told the caller to wait for another thread's fill */
export const STAT_WAITS = 4
export const STAT_FILLS = 5
export const STAT_FAILURES = 6
export const STAT_RENEWALS = 7
/** live entries (unexpired ready or negative) displaced by another key */
export const STAT_EVICTIONS = 8
/** fills presumed dead (timed out, or their thread exited) and taken over or released */
export const STAT_FILL_TIMEOUTS = 9
export const STAT_SPILLS = 10
/** spilled values overwritten in the ring before this thread could decode them */
export const STAT_SPILL_LOST = 11
/** values not cached: no slot in the key's window could take them, or larger than the spill ring */
export const STAT_UNCACHED = 12
export const STAT_LOCKS_BROKEN = 13
/** writes refused because the writer's lock had been broken as dead meanwhile (a stalled writer) */
export const STAT_FENCED = 14
/** ready entries whose seal did not match the key looked up (a fenced writer's stores): refetched */
export const STAT_TORN = 15
export const STAT_COUNTERS = 16

if (STATS_LANE_COUNTERS + STAT_COUNTERS * STATS_COUNTER_BYTES > STATS_LANE_BYTES) throw new Error('stats lane too small')

function ownerIndex (lane: number): number {
  return (STATS_OFFSET + lane * STATS_LANE_BYTES + STATS_LANE_OWNER) >> 2
}

/** The lane `owner` holds (or now claims), or STATS_SHARED_LANE when none is free. */
function claimLane (v: Views, owner: number): number {
  for (let lane = 1; lane < STATS_LANES; lane++) {
    if (Atomics.load(v.i32, ownerIndex(lane)) === owner) return lane
  }
  for (let lane = 1; lane < STATS_LANES; lane++) {
    if (Atomics.compareExchange(v.i32, ownerIndex(lane), 0, owner) === 0) return lane
  }
  return STATS_SHARED_LANE
}

/** Frees the lanes of an exited thread for later threads; its counts stay in them. */
export function releaseLanes (v: Views, owner: number): void {
  for (let lane = 1; lane < STATS_LANES; lane++) Atomics.compareExchange(v.i32, ownerIndex(lane), owner, 0)
}

/** One thread's counters. */
export class StatsLane {
  readonly #u32: Uint32Array
  /** u32 index of counter 0 */
  readonly #base: number
  readonly #owned: boolean

  constructor (v: Views, owner: number) {
    const lane = claimLane(v, owner)
    this.#u32 = v.u32
    this.#base = (STATS_OFFSET + lane * STATS_LANE_BYTES + STATS_LANE_COUNTERS) >> 2
    this.#owned = lane !== STATS_SHARED_LANE
  }

  add (counter: number): void {
    const u32 = this.#u32
    const low = this.#base + counter * 2
    if (this.#owned) {
      // the only writer of this lane: a plain increment (Atomics.add costs several times more)
      const next = (u32[low] + 1) >>> 0
      u32[low] = next
      if (next === 0) u32[low + 1]++
    } else if (Atomics.add(u32, low, 1) === 0xffffffff) {
      Atomics.add(u32, low + 1, 1)
    }
  }
}

function readCounter (u32: Uint32Array, low: number): number {
  for (;;) {
    const high = Atomics.load(u32, low + 1)
    const value = Atomics.load(u32, low)
    if (Atomics.load(u32, low + 1) === high) return high * 2 ** 32 + value
  }
}

export interface TokenCacheStats {
  hits: number
  staleHits: number
  negativeHits: number
  misses: number
  waits: number
  fills: number
  failures: number
  renewals: number
  evictions: number
  fillTimeouts: number
  spills: number
  spillLost: number
  uncached: number
  locksBroken: number
  fenced: number
  torn: number
  /** slots holding a ready or negative entry (expired ones included until reused) */
  entries: number
  negativeEntries: number
  filling: number
  slots: number
}

const NAMES = ['hits', 'staleHits', 'negativeHits', 'misses', 'waits', 'fills', 'failures', 'renewals',
  'evictions', 'fillTimeouts', 'spills', 'spillLost', 'uncached', 'locksBroken', 'fenced', 'torn'] as const

/** Sums every lane and counts slot states. Main thread (or any thread), from the handle alone. */
export function readTokenCacheStats (handle: TokenCacheHandle): TokenCacheStats {
  const v = openViews(handle)
  const stats: TokenCacheStats = {
    hits: 0,
    staleHits: 0,
    negativeHits: 0,
    misses: 0,
    waits: 0,
    fills: 0,
    failures: 0,
    renewals: 0,
    evictions: 0,
    fillTimeouts: 0,
    spills: 0,
    spillLost: 0,
    uncached: 0,
    locksBroken: 0,
    fenced: 0,
    torn: 0,
    entries: 0,
    negativeEntries: 0,
    filling: 0,
    slots: v.slots
  }
  for (let lane = 0; lane < STATS_LANES; lane++) {
    const base = (STATS_OFFSET + lane * STATS_LANE_BYTES + STATS_LANE_COUNTERS) >> 2
    for (let c = 0; c < STAT_COUNTERS; c++) stats[NAMES[c]] += readCounter(v.u32, base + c * 2)
  }
  for (let slot = 0; slot < v.slots; slot++) {
    const state = Atomics.load(v.i32, (slotByte(v, slot) + SLOT_STATE) >> 2)
    if (state === STATE_READY) stats.entries++
    else if (state === STATE_NEGATIVE) { stats.entries++; stats.negativeEntries++ } else if (state === STATE_FILLING) stats.filling++
  }
  return stats
}
