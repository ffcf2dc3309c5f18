// Stats lanes: each thread its own lane, a shared lane when none is free, 64-bit counts, and the
// totals the main thread reads from the handle alone.

import t from 'tap'
import { STATS_LANE_BYTES, STATS_LANE_COUNTERS, STATS_LANES, STATS_OFFSET, STATS_SHARED_LANE } from '../../../src/cache/layout.ts'
import { createTokenCache } from '../../../src/cache/handle.ts'
import { readTokenCacheStats, releaseLanes, STAT_EVICTIONS, STAT_HITS, StatsLane } from '../../../src/cache/stats.ts'
import { openViews } from '../../../src/cache/views.ts'

const counterIndex = (lane: number, counter: number): number =>
  (STATS_OFFSET + lane * STATS_LANE_BYTES + STATS_LANE_COUNTERS) / 4 + counter * 2

t.test('threads add into lanes of their own; the totals sum every lane', async (t) => {
  const handle = createTokenCache({ slots: 8 })
  const v = openViews(handle)
  const a = new StatsLane(v, 101)
  const b = new StatsLane(v, 102)
  const again = new StatsLane(v, 101)
  a.add(STAT_HITS)
  b.add(STAT_HITS)
  again.add(STAT_HITS)
  b.add(STAT_EVICTIONS)
  t.equal(v.u32[counterIndex(1, STAT_HITS)], 2, 'owner 101 claimed lane 1, and keeps it')
  t.equal(v.u32[counterIndex(2, STAT_HITS)], 1, 'owner 102 claimed lane 2')
  t.match(readTokenCacheStats(handle), { hits: 3, evictions: 1, misses: 0 })
})

t.test('with every lane taken, a thread adds atomically into the shared lane', async (t) => {
  const handle = createTokenCache({ slots: 8 })
  const v = openViews(handle)
  for (let owner = 1; owner < STATS_LANES; owner++) new StatsLane(v, owner).add(STAT_HITS)
  const late = new StatsLane(v, 1000)
  late.add(STAT_HITS)
  t.equal(v.u32[counterIndex(STATS_SHARED_LANE, STAT_HITS)], 1)
  releaseLanes(v, 5)
  new StatsLane(v, 2000).add(STAT_HITS)
  t.equal(v.u32[counterIndex(5, STAT_HITS)], 2, 'a released lane is reused, its counts kept')
  t.equal(readTokenCacheStats(handle).hits, STATS_LANES + 1)
})

t.test('counters are 64-bit: the low word carries into the high word', async (t) => {
  const handle = createTokenCache({ slots: 8 })
  const v = openViews(handle)
  const own = new StatsLane(v, 7)
  v.u32[counterIndex(1, STAT_HITS)] = 0xffffffff
  own.add(STAT_HITS)
  for (let owner = 8; owner < 8 + STATS_LANES; owner++) new StatsLane(v, owner).add(STAT_EVICTIONS) // take every lane
  const shared = new StatsLane(v, 999)
  v.u32[counterIndex(STATS_SHARED_LANE, STAT_HITS)] = 0xffffffff
  shared.add(STAT_HITS)
  shared.add(STAT_HITS)
  t.equal(readTokenCacheStats(handle).hits, 2 ** 32 + 2 ** 32 + 1)
})
