// Worker for the single-flight tests. workerData: { handle, clock (SharedArrayBuffer: Float64 time),
// barrier (SharedArrayBuffer: 3 Int32 counters), parties, id }. Messages in:
//   { cmd: 'asks', n, fillMs }  n concurrent asks for key `id`, as a request would make them: a filler
//                               fetches (a timer of fillMs) and completes; a waiter awaits the outcome
//   { cmd: 'lookups', n }       n lookups in one tick (a WAIT is replaced by its wait()'s outcome)
//   { cmd: 'race', n }          n rounds: all workers spin at a barrier, then look up the same cold
//                               key (id 1000 + round) at once; a filler completes it
// Each command first meets the other workers at the barrier, so their asks really overlap.
// Replies: { statuses: number[], values: (TestValue | null)[] }.

import { parentPort, workerData } from 'node:worker_threads'
import { setTimeout as sleep } from 'node:timers/promises'
import { TokenCache } from '../../src/cache/token-cache.ts'
import { FILL, WAIT } from '../../src/cache/lookup-status.ts'
import type { LookupStatus, WaitStatus } from '../../src/cache/lookup-status.ts'
import { decodeValue, digestFor, encodeValue } from './cache-keys.ts'
import type { TestValue } from './cache-keys.ts'

const { handle, clock, barrier, parties, id } = workerData
const time = new Float64Array(clock)
const meet = new Int32Array(barrier)
const cache = new TokenCache<TestValue>(handle, { decode: decodeValue, now: () => time[0] })
const digest = digestFor(id)

function atBarrier (): void {
  const arrived = Atomics.add(meet, 0, 1) + 1
  const round = Math.ceil(arrived / parties)
  if (arrived % parties === 0) {
    Atomics.store(meet, 1, round)
    Atomics.notify(meet, 1)
  }
  // blocking is fine here: the worker has nothing else to do until everyone has arrived
  while (Atomics.load(meet, 1) < round) Atomics.wait(meet, 1, round - 1, 1000)
}

async function ask (fillMs: number): Promise<[LookupStatus | WaitStatus, TestValue | null]> {
  let status: LookupStatus | WaitStatus = cache.lookup(digest)
  let value = cache.value
  if (status === WAIT) {
    const outcome = await cache.wait(digest)
    status = outcome.status
    value = outcome.value
  }
  if (status === FILL) {
    await sleep(fillMs)
    value = { id, version: 1, size: 64, intact: true }
    cache.complete(digest, encodeValue(id, 1), time[0] + 600_000, { value })
  }
  return [status, value]
}

/** A barrier that spins instead of sleeping, so every worker leaves it within a few hundred ns. */
function spinBarrier (round: number): void {
  Atomics.add(meet, 2, 1)
  while (Atomics.load(meet, 2) < round * parties) { /* spin */ }
}

parentPort!.on('message', async (msg: { cmd: string, n: number, fillMs?: number }) => {
  atBarrier()
  const statuses: number[] = []
  const values: Array<TestValue | null> = []
  if (msg.cmd === 'race') {
    for (let round = 1; round <= msg.n; round++) {
      const key = digestFor(1000 + round)
      spinBarrier(round)
      const status = cache.lookup(key)
      statuses.push(status)
      values.push(null)
      if (status === FILL) cache.complete(key, encodeValue(1000 + round, 1), time[0] + 600_000)
    }
  } else if (msg.cmd === 'asks') {
    const results = await Promise.all(Array.from({ length: msg.n }, () => ask(msg.fillMs ?? 0)))
    for (const [status, value] of results) {
      statuses.push(status)
      values.push(value)
    }
  } else {
    // a lookup that meets the slot mid-write (the renewal claim takes its lock for a moment) waits for it
    const waits: Array<Promise<void>> = []
    for (let i = 0; i < msg.n; i++) {
      const status = cache.lookup(digest)
      statuses.push(status)
      values.push(cache.value)
      if (status === WAIT) {
        waits.push(cache.wait(digest).then((outcome) => {
          statuses[i] = outcome.status
          values[i] = outcome.value
        }))
      }
    }
    await Promise.all(waits)
  }
  parentPort!.postMessage({ statuses, values })
})
parentPort!.postMessage('ready')
