// Worker for the "filler dies" tests. workerData: { handle, role, id, clock? } where clock, when given,
// is a SharedArrayBuffer whose Float64 [0] is the time every thread reads (a fake clock the test moves).
//   role 'fill-and-hang': becomes the filler of key `id`, reports 'filling', then never completes
//   role 'lock-and-hang': stores key `id`, then takes its slot's seqlock as a writer would and reports
//                         'locked' without ever publishing (a thread killed mid-write)
//   role 'ask':           on { n }, makes n concurrent asks for key `id` (a filler completes at once)
//                         and replies { statuses } with each ask's final status
// The hanging roles keep their event loop alive until the test terminates them.

import { parentPort, workerData } from 'node:worker_threads'
import { TokenCache } from '../../src/cache/token-cache.ts'
import { FILL, WAIT } from '../../src/cache/lookup-status.ts'
import { SLOT_SEQ } from '../../src/cache/layout.ts'
import { openViews, slotByte } from '../../src/cache/views.ts'
import { decodeValue, digestFor, encodeValue } from './cache-keys.ts'
import type { TestValue } from './cache-keys.ts'

const { handle, role, id, clock } = workerData
const time = clock === undefined ? null : new Float64Array(clock)
const now = time === null ? Date.now : () => time[0]
const cache = new TokenCache<TestValue>(handle, { decode: decodeValue, now })
const digest = digestFor(id, 0)

async function ask (): Promise<number> {
  let status: number = cache.lookup(digest)
  if (status === WAIT) status = (await cache.wait(digest)).status
  if (status === FILL) cache.complete(digest, encodeValue(id, 2), now() + 600_000)
  return status
}

if (role === 'fill-and-hang') {
  if (cache.lookup(digest) !== FILL) throw new Error('expected to be the filler')
  setInterval(() => {}, 60_000)
  parentPort!.postMessage('filling')
} else if (role === 'lock-and-hang') {
  if (cache.lookup(digest) !== FILL) throw new Error('expected to be the filler')
  cache.complete(digest, encodeValue(id, 1), now() + 600_000)
  const v = openViews(handle)
  Atomics.add(v.i32, (slotByte(v, 0) + SLOT_SEQ) >> 2, 1) // digest home 0, empty table: slot 0
  setInterval(() => {}, 60_000)
  parentPort!.postMessage('locked')
} else {
  parentPort!.on('message', async ({ n }: { n: number }) => {
    const statuses = await Promise.all(Array.from({ length: n }, ask))
    parentPort!.postMessage({ statuses })
  })
  parentPort!.postMessage('ready')
}
