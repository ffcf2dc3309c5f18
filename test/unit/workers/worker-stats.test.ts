// The per-worker counters: each worker writes a region of its own, on cache lines no other worker writes,
// and the main thread sums them.

import t from 'tap'
import {
  STAT_CONNECTIONS_ACTIVE, STAT_REQUESTS_IN_FLIGHT, STAT_REQUESTS_TOTAL, createStatsBuffer, resetWorkerGauges, sumStats, workerStats
} from '../../../src/workers/worker-stats.ts'

t.test('regions are apart by whole cache-line pairs and sum across workers', async (t) => {
  const buffer = createStatsBuffer(3)
  const regions = [0, 1, 2].map((index) => workerStats(buffer, index))
  for (let i = 0; i < regions.length; i++) {
    t.equal(regions[i].byteOffset % 128, 0, `region ${i} starts a 128-byte line pair`)
    if (i > 0) t.ok(regions[i].byteOffset >= regions[i - 1].byteOffset + regions[i - 1].byteLength + 64, 'a whole line between two regions\' last and first bytes at least')
  }
  regions.forEach((region, index) => {
    region[STAT_REQUESTS_TOTAL] = 10 * (index + 1)
    region[STAT_CONNECTIONS_ACTIVE] = index
    region[STAT_REQUESTS_IN_FLIGHT] = 1
  })
  t.strictSame(sumStats(buffer), { connectionsActive: 3, connectionsAccepted: 0, connectionsHandled: 0, requestsTotal: 60, requestsInFlight: 3 })
  resetWorkerGauges(buffer, 1)
  t.strictSame(sumStats(buffer), { connectionsActive: 2, connectionsAccepted: 0, connectionsHandled: 0, requestsTotal: 60, requestsInFlight: 2 },
    'a gone worker\'s gauges are zeroed, its counts kept')
})
