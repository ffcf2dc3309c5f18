// Single flight across real worker threads: many concurrent asks for one cold key in several workers
// cause exactly one fill, and exactly one renewal once the key is in its renew-ahead window.

import t from 'tap'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { createTokenCache } from '../../../src/cache/handle.ts'
import { readTokenCacheStats } from '../../../src/cache/stats.ts'
import { FILL, HIT, RENEW, WAIT } from '../../../src/cache/lookup-status.ts'

const WORKER = new URL('../../helpers/cache-flight-worker.ts', import.meta.url)
const THREADS = 2
const ASKS = 50

interface Reply { statuses: number[], values: Array<{ id: number, intact: boolean } | null> }

t.test('100 concurrent asks over 2 threads for one cold key: one fill, everyone gets the value', async (t) => {
  const handle = createTokenCache({ slots: 4096, renewAheadMs: 10_000 })
  const clock = new SharedArrayBuffer(8)
  const time = new Float64Array(clock)
  time[0] = 1_000_000
  const barrier = new SharedArrayBuffer(12)
  const workers = Array.from({ length: THREADS }, () =>
    new Worker(WORKER, { workerData: { handle, clock, barrier, parties: THREADS, id: 7 } }))
  t.teardown(() => Promise.all(workers.map((w) => w.terminate())))
  await Promise.all(workers.map((w) => once(w, 'message')))

  const run = async (msg: object): Promise<Reply[]> => {
    const replies = workers.map((w) => once(w, 'message').then(([reply]) => reply as Reply))
    for (const w of workers) w.postMessage(msg)
    return await Promise.all(replies)
  }

  const asks = await run({ cmd: 'asks', n: ASKS, fillMs: 30 })
  const statuses = asks.flatMap((r) => r.statuses)
  t.equal(statuses.length, THREADS * ASKS)
  t.equal(statuses.filter((s) => s === FILL).length, 1, 'exactly one fill')
  t.equal(statuses.filter((s) => s === HIT).length, THREADS * ASKS - 1, 'every other ask got the value')
  t.ok(asks.flatMap((r) => r.values).every((v) => v !== null && v.id === 7 && v.intact))
  const stats = readTokenCacheStats(handle)
  t.equal(stats.fills, 1)
  t.equal(stats.misses, 1)
  t.ok(stats.waits >= 1, 'some asks waited for the fill')

  time[0] += 600_000 - 5_000 // inside the 10 s renew-ahead window
  const lookups = await run({ cmd: 'lookups', n: ASKS })
  const renewals = lookups.flatMap((r) => r.statuses)
  t.equal(renewals.filter((s) => s === RENEW).length, 1, 'exactly one renewal claim across threads')
  t.equal(renewals.filter((s) => s === HIT).length, THREADS * ASKS - 1, 'the rest keep being served the valid value')
  t.ok(lookups.flatMap((r) => r.values).every((v) => v !== null && v.id === 7), 'nobody waits for the IdP')

  // Tight races: the threads leave a spinning barrier together and ask for a new cold key each round.
  const ROUNDS = 2000
  const raced = await run({ cmd: 'race', n: ROUNDS })
  let fills = 0
  let overlapped = 0
  for (let round = 0; round < ROUNDS; round++) {
    const statuses = raced.map((r) => r.statuses[round])
    fills += statuses.filter((s) => s === FILL).length
    if (statuses.includes(WAIT)) overlapped++
  }
  t.equal(fills, ROUNDS, 'exactly one filler per cold key')
  t.comment(`${overlapped} of ${ROUNDS} rounds found the other thread's fill in progress`)
})
