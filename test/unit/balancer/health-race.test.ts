// Thresholds hold across threads: worker threads reporting failures on the same peers at the same time
// count every report (Atomics.add) and make exactly one transition per peer (compare-exchange). One race
// of 3 workers x 4 reports per peer over three groups of peers:
//   A (limit 4):       each worker alone reaches the limit, so the reports collide around it
//   B (limit 10):      only the workers together reach it (12 >= 10)
//   C (limit 10^6):    nobody reaches it: every report must be counted

import t from 'tap'
import { Worker } from 'node:worker_threads'
import { HealthTable } from '../../../src/balancer/health-table.ts'

const WORKER = new URL('../../helpers/health-report-worker.ts', import.meta.url)
const WORKERS = 3
const REPORTS = 4
const GROUP = 1000
const LIMITS = [4, 10, 1_000_000]

async function race (table: HealthTable, limits: number[]): Promise<number[][]> {
  const gate = new SharedArrayBuffer(4)
  const ready: Array<Promise<unknown>> = []
  const results = Array.from({ length: WORKERS }, () => {
    const worker = new Worker(WORKER, { workerData: { buffer: table.buffer, gate, limits, reports: REPORTS } })
    ready.push(new Promise((resolve) => worker.once('message', resolve)))
    return new Promise<number[]>((resolve, reject) => {
      worker.on('message', (m: { flips?: number[] }) => { if (m.flips !== undefined) resolve(m.flips) })
      worker.once('error', reject)
    })
  })
  // every worker is at the gate: open it for all at once
  await Promise.all(ready)
  Atomics.store(new Int32Array(gate), 0, 1)
  Atomics.notify(new Int32Array(gate), 0)
  return await Promise.all(results)
}

t.test('3 workers reporting on the same peers at once', async (t) => {
  const limits = LIMITS.flatMap((limit) => new Array<number>(GROUP).fill(limit))
  const table = HealthTable.create(limits.length)
  const perWorker = await race(table, limits)
  const flipsOf = (slot: number): number => perWorker.reduce((sum, flips) => sum + flips[slot], 0)
  const wrong = [0, 0, 0]
  for (let slot = 0; slot < limits.length; slot++) {
    const group = Math.floor(slot / GROUP)
    const ok = group < 2
      ? flipsOf(slot) === 1 && table.state(slot) === 'unhealthy'
      : flipsOf(slot) === 0 && table.state(slot) === 'mostly_healthy' && table.counters(slot).httpFailures === WORKERS * REPORTS
    if (!ok) wrong[group]++
  }
  t.equal(wrong[0], 0, 'A: every peer went unhealthy exactly once')
  t.equal(wrong[1], 0, 'B: the joint threshold was reached exactly once')
  t.equal(wrong[2], 0, 'C: every report counted, no transition')
})
