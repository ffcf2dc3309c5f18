// A writer thread that stalls while holding a slot's lock (here: blocked with Atomics.wait, as a thread
// the OS stopped would be) is presumed dead after lockTimeoutMs and its lock broken; another key takes
// the slot. When the stalled thread resumes, its stores land in that other key's slot: its publish must
// be refused, and no reader may get one key's value for the other.

import t from 'tap'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { createTokenCache } from '../../../src/cache/handle.ts'
import { readTokenCacheStats } from '../../../src/cache/stats.ts'
import { FILL, HIT, WAIT } from '../../../src/cache/lookup-status.ts'
import { TokenCache } from '../../../src/cache/token-cache.ts'
import { decodeValue, digestFor, encodeValue } from '../../helpers/cache-keys.ts'
import type { TestValue } from '../../helpers/cache-keys.ts'

const WORKER = new URL('../../helpers/cache-stale-writer-worker.ts', import.meta.url)
const B = digestFor(2, 0) // the same home slot as the worker's key

for (const [kind, size] of [['inline', 100], ['spilled', 300]] as const) {
  t.test(`${kind}: a stalled writer thread resumes into another key's slot: refused, and never read`, async (t) => {
    const handle = createTokenCache({ slots: 16, slotSize: 128, spillSize: 4096, lockTimeoutMs: 50 })
    const control = new Int32Array(new SharedArrayBuffer(8))
    const writer = new Worker(WORKER, { workerData: { handle, control, size } })
    t.teardown(() => writer.terminate())
    const replied = once(writer, 'message')
    const locked = Atomics.waitAsync(control, 0, 0) // notified once the writer holds the lock
    if (locked.async) await locked.value

    const b = new TokenCache<TestValue>(handle, { decode: decodeValue })
    t.equal(b.lookup(B), WAIT, 'the slot is locked by the stalled writer')
    const taken = await b.wait(B) // sleeps on the slot, finds it stuck past lockTimeoutMs, breaks it
    t.equal(taken.status, FILL, 'the lock was broken and B took the slot')
    t.ok(b.complete(B, encodeValue(2, 1, size), Date.now() + 600_000))
    const early = new TokenCache<TestValue>(handle, { decode: decodeValue })
    t.equal(early.lookup(B), HIT)
    t.equal(early.value?.id, 2)

    Atomics.store(control, 1, 1)
    Atomics.notify(control, 1) // the writer goes on with its stores
    const [{ stored }] = await replied
    t.equal(stored, false, 'the stalled writer is told its write was refused')
    t.match(readTokenCacheStats(handle), { locksBroken: 1, fenced: 1, fills: 1 })

    for (const reader of [early, new TokenCache<TestValue>(handle, { decode: decodeValue })]) {
      const status = reader.lookup(B)
      t.ok(reader.value === null || reader.value.id === 2, `B's readers get B's value or none (${status})`)
      t.ok(reader.value === null || reader.value.intact)
    }
  })
}
