// Worker for the health table race test: attaches to the shared table, waits at a start gate so every
// worker begins together, then reports `reports` failures on each of `slots` slots (interleaved, so the
// workers collide on every slot), slot i against limits[i]. workerData: { buffer, gate, limits, reports }.
// Posts { ready: true } at the gate, then { flips: number[] }: per slot, how many of its reports took the
// peer out of rotation.

import { parentPort, workerData } from 'node:worker_threads'
import { COUNTER_HTTP, HealthTable } from '../../src/balancer/health-table.ts'

const { buffer, gate, limits, reports } = workerData as {
  buffer: SharedArrayBuffer, gate: SharedArrayBuffer, limits: number[], reports: number
}
const slots = limits.length
const table = new HealthTable(buffer)
const flips = new Array<number>(slots).fill(0)
const start = new Int32Array(gate)
parentPort!.postMessage({ ready: true })
// blocks until the main thread opens the gate and notifies every worker at once
while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0, 100)
for (let n = 0; n < reports; n++) {
  for (let slot = 0; slot < slots; slot++) {
    if (table.reportFailure(slot, COUNTER_HTTP, limits[slot])) flips[slot]++
  }
}
parentPort!.postMessage({ flips })
