// Worker for the seqlock race test: one writer rewrites a one-slot table as fast as it can, alternating
// two keys (so the slot's digest and value both change under the readers), while readers look the
// first key up in a tight loop and check every value they get. workerData: { handle, role, writes,
// size, done (SharedArrayBuffer: Int32 flag the writer sets when finished) }.
// Replies { reads, hits, torn, wrongKey } (readers) or { writes } (writer).

import { parentPort, workerData } from 'node:worker_threads'
import { TokenCache } from '../../src/cache/token-cache.ts'
import { HIT } from '../../src/cache/lookup-status.ts'
import { decodeValue, digestFor, encodeValue } from './cache-keys.ts'
import type { TestValue } from './cache-keys.ts'

const { handle, role, writes, size, done } = workerData
const flag = new Int32Array(done)
const cache = new TokenCache<TestValue>(handle, { decode: decodeValue })
const keys = [digestFor(1), digestFor(2)]

if (role === 'writer') {
  const values = [0, 1].map((k) => [0, 1, 2, 3].map((v) => encodeValue(k + 1, v, size)))
  for (let i = 0; i < writes; i++) {
    const k = i & 1
    cache.complete(keys[k], values[k][(i >> 1) & 3], Infinity)
  }
  Atomics.store(flag, 0, 1)
  parentPort!.postMessage({ writes })
} else {
  const counts = { reads: 0, hits: 0, torn: 0, wrongKey: 0 }
  while (Atomics.load(flag, 0) === 0) {
    counts.reads++
    if (cache.lookup(keys[0]) !== HIT) continue
    counts.hits++
    const value = cache.value!
    if (!value.intact) counts.torn++
    if (value.id !== 1) counts.wrongKey++
  }
  parentPort!.postMessage(counts)
}
