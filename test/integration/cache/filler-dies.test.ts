// A filler thread terminated mid-fill (or mid-write) must not strand the threads waiting on it.

import t from 'tap'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { createTokenCache } from '../../../src/cache/handle.ts'
import type { TokenCacheHandle } from '../../../src/cache/handle.ts'
import { releaseThreadFills } from '../../../src/cache/release.ts'
import { readTokenCacheStats } from '../../../src/cache/stats.ts'
import { FILL, HIT, NEGATIVE } from '../../../src/cache/lookup-status.ts'

const WORKER = new URL('../../helpers/cache-filler-worker.ts', import.meta.url)
const ASKS = 20

function start (workers: Worker[], workerData: object): Promise<[Worker, unknown]> {
  const worker = new Worker(WORKER, { workerData: { id: 3, ...workerData } })
  workers.push(worker)
  return once(worker, 'message').then(([first]) => [worker, first])
}

/** Resolves once `n` lookups have returned WAIT (the asks are parked on the fill). */
async function parked (handle: TokenCacheHandle, n: number): Promise<void> {
  while (readTokenCacheStats(handle).waits < n) await new Promise((resolve) => setImmediate(resolve))
}

async function asks (asker: Worker, n: number): Promise<number[]> {
  const reply = once(asker, 'message')
  asker.postMessage({ n })
  const [{ statuses }] = await reply
  return statuses
}

function count (statuses: number[], status: number): number {
  return statuses.filter((s) => s === status).length
}

t.test('the supervisor releases a dead filler\'s fill: one waiter takes it over at once, none is told NEGATIVE', async (t) => {
  const handle = createTokenCache({ slots: 64, fillTimeoutMs: 600_000 })
  const workers: Worker[] = []
  t.teardown(() => Promise.all(workers.map((w) => w.terminate())))
  const [filler] = await start(workers, { handle, role: 'fill-and-hang' })
  const [asker] = await start(workers, { handle, role: 'ask' })
  const pending = asks(asker, ASKS)
  await parked(handle, ASKS) // then kill the filler as a crash would
  const fillerThread = filler.threadId
  await filler.terminate()
  t.equal(releaseThreadFills(handle, fillerThread), 1)
  const statuses = await pending
  // a dead thread says nothing about the credentials: NEGATIVE here became a false 401 'the identity
  // provider rejected these credentials' in the plugin
  t.equal(count(statuses, NEGATIVE), 0, 'no waiter is told the fill failed')
  t.equal(count(statuses, FILL), 1, 'one waiter took the fill over (none hangs for 10 minutes)')
  t.equal(count(statuses, HIT), ASKS - 1, 'the others got its value')
  const again = await asks(asker, ASKS)
  t.equal(count(again, HIT), ASKS, 'then every ask hits')
  t.match(readTokenCacheStats(handle), { fillTimeouts: 1, fills: 1, failures: 0, negativeEntries: 0 })
})

t.test('without the supervisor, a dead fill times out and one waiter takes it over', async (t) => {
  const handle = createTokenCache({ slots: 64, fillTimeoutMs: 300 })
  // a shared fake clock, so the deadline passes only once every ask is waiting
  const clock = new SharedArrayBuffer(8)
  const time = new Float64Array(clock)
  time[0] = 1_000_000
  const workers: Worker[] = []
  t.teardown(() => Promise.all(workers.map((w) => w.terminate())))
  const [filler] = await start(workers, { handle, clock, role: 'fill-and-hang' })
  const [asker] = await start(workers, { handle, clock, role: 'ask' })
  const pending = asks(asker, ASKS)
  await parked(handle, ASKS)
  await filler.terminate()
  time[0] += 300 // the waiters, asleep until the deadline, look again and find the fill dead
  const statuses = await pending
  t.equal(count(statuses, FILL), 1, 'one waiter became the filler')
  t.equal(count(statuses, HIT), ASKS - 1, 'the others got its value')
  t.match(readTokenCacheStats(handle), { fillTimeouts: 1, fills: 1 })
})

t.test('a thread killed while holding a slot\'s write lock: the lock is broken, the entry refilled', async (t) => {
  const handle = createTokenCache({ slots: 64, lockTimeoutMs: 200 })
  const workers: Worker[] = []
  t.teardown(() => Promise.all(workers.map((w) => w.terminate())))
  const [locker] = await start(workers, { handle, role: 'lock-and-hang' })
  await locker.terminate()
  const [asker] = await start(workers, { handle, role: 'ask' })
  const statuses = await asks(asker, 5)
  t.equal(count(statuses, FILL), 1, 'the half-written entry was dropped and refilled once')
  t.equal(count(statuses, HIT), 4)
  t.match(readTokenCacheStats(handle), { locksBroken: 1, fills: 2 })
})
