// Worker for the rate-limiting counter race test: waits on a start gate so every worker begins together,
// then tries to count `attempts` requests against each key, all workers on the same keys in the same
// shared table. workerData: { buffer, gate (SharedArrayBuffer, Int32 word set to 1 to start), keys
// (identifiers), limit, attempts, windowStart, now }. Posts { ready: true } at the gate, then
// { admitted: number[] } per key.

import { parentPort, workerData } from 'node:worker_threads'
import { CounterKey, CounterTable } from '../../src/plugins/rate-limiting/counters/table.ts'
import { hashKey, KeyHash } from '../../src/plugins/rate-limiting/counters/hash.ts'

const { buffer, gate, keys, limit, attempts, windowStart, now } = workerData as {
  buffer: SharedArrayBuffer, gate: SharedArrayBuffer, keys: string[], limit: number, attempts: number, windowStart: number, now: number
}
const table = new CounterTable(buffer)
const key = new CounterKey()
key.hash = new KeyHash()
key.windowStart = windowStart
key.windowEnd = windowStart + 60_000
key.period = 1
const admitted = keys.map(() => 0)
const start = new Int32Array(gate)
// says it is ready, then blocks until the main thread opens the gate and notifies every worker at once
parentPort!.postMessage({ ready: true })
while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0, 100)
for (let n = 0; n < attempts; n++) {
  // interleave the keys so inserts of different keys race too
  for (let k = 0; k < keys.length; k++) {
    key.identifier = keys[k]
    hashKey(keys[k], key.hash)
    if (table.take(key, limit, now) < limit) admitted[k]++
  }
}
parentPort!.postMessage({ admitted })
