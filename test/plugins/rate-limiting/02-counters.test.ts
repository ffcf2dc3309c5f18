// The shared counter table (src/plugins/rate-limiting/counters/): counting to the limit and not past it,
// refusals not counted, giving a unit back, keys told apart by their identity (also when their hashes
// collide, and past KEY_UNITS), slot reuse only after a window ended, a full table, a dead lock holder,
// and the point of it all: workers racing on the same keys admit exactly `limit` between them.

import t from 'tap'
import fc from 'fast-check'
import { Worker } from 'node:worker_threads'
import { CounterKey, CounterTable, FULL } from '../../../src/plugins/rate-limiting/counters/table.ts'
import { hashKey, KeyHash } from '../../../src/plugins/rate-limiting/counters/hash.ts'
import {
  createCounterBuffer, KEY_UNITS, LOCK_TIMEOUT_MS, PROBE_WINDOW, REUSE_GRACE_MS, SLOT_INSERT_LOCK, slotByte
} from '../../../src/plugins/rate-limiting/counters/layout.ts'

const WORKER = new URL('../../helpers/rate-limit-counter-worker.ts', import.meta.url)
const WINDOW = 1_800_000_000_000
const NOW = WINDOW + 500

function keyFor (identifier: string, period = 1, windowStart = WINDOW, scope = 7): CounterKey {
  const key = new CounterKey()
  key.hash = hashKey(identifier, new KeyHash())
  key.identifier = identifier
  key.period = period
  key.windowStart = windowStart
  key.windowEnd = windowStart + 60_000
  key.scopeA = scope
  key.scopeB = scope * 31
  return key
}

t.test('counts up to the limit; a refusal is not counted; giveBack returns a unit', async (t) => {
  const table = new CounterTable(createCounterBuffer(64))
  const key = keyFor('1.2.3.4')
  t.strictSame([0, 1, 2].map(() => table.take(key, 3, NOW)), [0, 1, 2], 'the count before each request')
  t.equal(table.take(key, 3, NOW), 3, 'the fourth sees the window full')
  t.equal(table.take(key, 3, NOW), 3, 'and the refused one was not counted')
  t.equal(table.peek(key), 3)
  t.equal(table.take(key, 2.5, NOW), 3, 'a fractional limit admits while the count is below it')
  table.take(key, 10, NOW)
  table.giveBack(table.lastByte)
  t.equal(table.peek(key), 3, 'giveBack takes back the unit just counted')
  t.equal(table.peek(keyFor('5.6.7.8')), 0, 'a key never counted peeks 0')
})

t.test('each part of the key is its own counter', async (t) => {
  const table = new CounterTable(createCounterBuffer(256))
  const keys = [keyFor('a'), keyFor('b'), keyFor('a', 2), keyFor('a', 1, WINDOW + 60_000), keyFor('a', 1, WINDOW, 8), keyFor('')]
  for (const key of keys) t.equal(table.take(key, 10, NOW), 0, 'a fresh counter')
  for (const key of keys) t.equal(table.peek(key), 1, 'counted once')
})

t.test('identifiers with the same hash are told apart by their identity', async (t) => {
  const table = new CounterTable(createCounterBuffer(64))
  const a = keyFor('alice')
  const b = keyFor('bob')
  b.hash = a.hash // a forced collision of both lanes
  table.take(a, 10, NOW)
  table.take(a, 10, NOW)
  t.equal(table.take(b, 10, NOW), 0, 'bob gets his own slot')
  t.equal(table.peek(a), 2)
  const long = 'x'.repeat(KEY_UNITS)
  t.equal(table.take(keyFor(`${long}1`), 10, NOW), 0)
  t.equal(table.take(keyFor(`${long}2`), 10, NOW), 0, 'identifiers equal in their first KEY_UNITS units differ by their second hash')
})

t.test('a full window fails; its slots are reused only once their windows ended, plus the grace', async (t) => {
  const table = new CounterTable(createCounterBuffer(PROBE_WINDOW))
  for (let i = 0; i < PROBE_WINDOW; i++) t.equal(table.take(keyFor(`k${i}`), 10, NOW), 0)
  t.equal(table.take(keyFor('late'), 10, NOW), FULL, 'live counters are never evicted')
  const end = WINDOW + 60_000
  t.equal(table.take(keyFor('late'), 10, end + REUSE_GRACE_MS - 1), FULL, 'not within the grace')
  const next = keyFor('late', 1, end)
  t.equal(table.take(next, 10, end + REUSE_GRACE_MS), 0, 'an ended window\'s slot is reused')
  t.equal(table.peek(next), 1)
  t.equal(table.peek(keyFor('late')), 0)
})

t.test('an insert lock left by a dead thread is broken after LOCK_TIMEOUT_MS', async (t) => {
  const buffer = createCounterBuffer(1)
  new Int32Array(buffer)[(slotByte(0) + SLOT_INSERT_LOCK) >> 2] = 12345
  const table = new CounterTable(buffer)
  const started = Date.now()
  t.equal(table.take(keyFor('k'), 10, NOW), 0, 'the request is counted')
  t.ok(Date.now() - started >= LOCK_TIMEOUT_MS - 5, 'after waiting for the lock\'s timeout')
  t.equal(new Int32Array(buffer)[(slotByte(0) + SLOT_INSERT_LOCK) >> 2], 0, 'and the lock is free again')
})

t.test('property: any identifiers (attacker input) are counted each on their own', async (t) => {
  fc.assert(fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 2 * KEY_UNITS }), { minLength: 1, maxLength: 40 }), (ids) => {
    const table = new CounterTable(createCounterBuffer(4096))
    for (const id of ids) if (table.take(keyFor(id), 100, NOW) !== 0) return false
    for (const id of ids) if (table.take(keyFor(id), 100, NOW) !== 1) return false
    return ids.every((id) => table.peek(keyFor(id)) === 2)
  }), { numRuns: 200 })
  t.pass()
})

async function race (buffer: SharedArrayBuffer, keys: string[], limit: number, attempts: number, workers: number): Promise<number[][]> {
  const gate = new SharedArrayBuffer(4)
  const ready: Array<Promise<unknown>> = []
  const results = Array.from({ length: workers }, () => {
    const worker = new Worker(WORKER, { workerData: { buffer, gate, keys, limit, attempts, windowStart: WINDOW, now: NOW } })
    ready.push(new Promise((resolve) => worker.once('message', resolve)))
    return new Promise<number[]>((resolve, reject) => {
      worker.on('message', (m: { admitted?: number[] }) => { if (m.admitted !== undefined) resolve(m.admitted) })
      worker.once('error', reject)
    })
  })
  // every worker is at the gate: open it for all at once
  await Promise.all(ready)
  Atomics.store(new Int32Array(gate), 0, 1)
  Atomics.notify(new Int32Array(gate), 0)
  return await Promise.all(results)
}

t.test('4 worker threads on the same keys admit exactly `limit` per key between them', async (t) => {
  // a small table: keys share probe windows, so inserts and claims of different keys race as well
  const buffer = createCounterBuffer(64)
  const keys = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 'z'.repeat(KEY_UNITS + 5) : 'ip-') + String(i))
  const limit = 500
  const perWorker = await race(buffer, keys, limit, 400, 4)
  for (let k = 0; k < keys.length; k++) {
    t.equal(perWorker.reduce((sum, admitted) => sum + admitted[k], 0), limit, `key ${k}: exactly ${limit} of 1600 admitted`)
  }
  const table = new CounterTable(buffer)
  for (const id of keys) t.equal(table.peek(keyFor(id, 1, WINDOW, 0)), limit, 'and counted exactly that')
})
