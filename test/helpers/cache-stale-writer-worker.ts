// Worker for the stale writer test: the filler of key `a` whose thread stalls in the middle of its write.
// workerData: { handle, control, size }, control an Int32Array over a SharedArrayBuffer:
//   [0] set to 1 (and notified) once this thread holds the slot's lock and is about to store
//   [1] this thread blocks (Atomics.wait) until the test sets it to 1 and notifies
// It then finishes its write and replies { stored }: what complete() said.

import { parentPort, workerData } from 'node:worker_threads'
import { TokenCache } from '../../src/cache/token-cache.ts'
import { FILL } from '../../src/cache/lookup-status.ts'
import { writeHooks } from '../../src/cache/transitions.ts'
import { decodeValue, digestFor, encodeValue } from './cache-keys.ts'
import type { TestValue } from './cache-keys.ts'

const { handle, control, size } = workerData as { handle: never, control: Int32Array, size: number }
const cache = new TokenCache<TestValue>(handle, { decode: decodeValue })
const a = digestFor(1, 0)

if (cache.lookup(a) !== FILL) throw new Error('expected to be the filler')
writeHooks.beforeStores = () => {
  writeHooks.beforeStores = null
  Atomics.store(control, 0, 1)
  Atomics.notify(control, 0) // the test waits (waitAsync) for this thread to hold the lock
  Atomics.wait(control, 1, 0) // a stall: this thread does nothing until the test lets it go on
}
const stored = cache.complete(a, encodeValue(1, 1, size), Date.now() + 600_000)
parentPort!.postMessage({ stored })
