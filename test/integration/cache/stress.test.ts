// Multi-thread stress: real worker threads hammer a small table with colliding keys. Checks that no
// value is torn, none belongs to another key, none is served expired, every wait is woken (no lost
// wake-up), no fill is left behind, and memory stays within the fixed table.
// Scale: 4 threads x 100k operations, as the issue asks (2-4 s on 2 cores: most are hits, fills take up to 3 ms).
// STRESS_OPS overrides it.

import t from 'tap'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { createTokenCache } from '../../../src/cache/handle.ts'
import { readTokenCacheStats } from '../../../src/cache/stats.ts'

const WORKER = new URL('../../helpers/cache-stress-worker.ts', import.meta.url)
const RACE_WORKER = new URL('../../helpers/cache-race-worker.ts', import.meta.url)
const THREADS = 4
const OPS = Number(process.env.STRESS_OPS ?? 100_000)
const SLOTS = 32
const HEAP_MB = 64

t.test(`${THREADS} threads x ${OPS} operations over colliding keys`, async (t) => {
  const handle = createTokenCache({
    slots: SLOTS, slotSize: 128, spillSize: 4096, renewAheadMs: 5, fillTimeoutMs: 3_600_000, lockTimeoutMs: 3_600_000
  })
  const base = Date.now()
  const workers = Array.from({ length: THREADS }, (_, i) => new Worker(WORKER, {
    workerData: { handle, base, keys: 40, homes: 16, spread: 2, ops: OPS, clients: 16, seed: 1234 + i },
    // bounded memory: anything kept per operation would outgrow this and kill the worker
    resourceLimits: { maxOldGenerationSizeMb: HEAP_MB }
  }))
  t.teardown(() => Promise.all(workers.map((w) => w.terminate())))
  const reports = await Promise.all(workers.map((w) => once(w, 'message').then(([r]) => r)))
  const total = (field: string): number => reports.reduce((sum, r) => sum + r[field], 0)

  t.equal(total('ops'), THREADS * OPS)
  t.same(reports.flatMap((r) => r.tornValues), [], 'no torn value')
  t.equal(total('wrongKey'), 0, 'no value of another key')
  t.equal(total('expired'), 0, 'no expired value served as fresh, none staler than allowed')
  t.same(reports.flatMap((r) => r.lost), [], 'every wait woken by its notify')
  for (const field of ['hits', 'fills', 'waits', 'renews', 'stale', 'negative']) {
    t.ok(total(field) > 0, `the run exercised ${field} (${total(field)})`)
  }
  const stats = readTokenCacheStats(handle)
  t.equal(stats.filling, 0, 'no fill left behind')
  t.equal(stats.entries, SLOTS, 'the table is full and holds exactly its slots')
  t.ok(stats.evictions > 0 && stats.spills > 0, 'collisions evicted and values spilled')
  t.equal(stats.locksBroken, 0)
  for (const r of reports) t.ok(r.localEntries <= SLOTS, `per-worker decoded values bounded by the slots, heap under ${HEAP_MB} MB`)
  t.comment(JSON.stringify({ ...stats, ops: total('ops'), heapMb: reports.map((r) => Math.round(r.heapUsed / 2 ** 20)) }))
})

t.test('seqlock: readers racing a writer on one slot never use a torn value or the other key\'s', async (t) => {
  // one slot, so every write replaces the digest and the value the readers are copying
  const handle = createTokenCache({ slots: 1, slotSize: 4096, spillSize: 0 })
  const done = new SharedArrayBuffer(4)
  const start = (role: string): Worker => new Worker(RACE_WORKER, { workerData: { handle, role, writes: 200_000, size: 4000, done } })
  const workers = [start('reader'), start('reader'), start('writer')]
  t.teardown(() => Promise.all(workers.map((w) => w.terminate())))
  const [a, b] = await Promise.all(workers.map((w) => once(w, 'message').then(([r]) => r)))
  t.equal(a.torn + b.torn, 0, 'no torn value')
  t.equal(a.wrongKey + b.wrongKey, 0, 'no value of the other key')
  t.ok(a.hits + b.hits > 0, `readers got values (${a.hits + b.hits} of ${a.reads + b.reads} reads)`)
})
