// worker_semi_space_size: the worker threads started after sizeWorkerYoungGeneration get that semi-space,
// read from a real worker thread's own heap statistics.

import t from 'tap'
import { Worker } from 'node:worker_threads'
import { once } from 'node:events'
import { sizeWorkerYoungGeneration } from '../../../src/workers/young-generation.ts'

const MIB = 1024 ** 2

/** The new space of a worker thread started now, in bytes. */
async function workerNewSpace (): Promise<number> {
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads')
    const { getHeapSpaceStatistics } = require('node:v8')
    parentPort.postMessage(getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size)
  `, { eval: true })
  const [size] = await once(worker, 'message') as [number]
  await worker.terminate()
  return size
}

t.test('the worker threads started afterwards keep the semi-space asked for', async (t) => {
  const before = await workerNewSpace()
  t.not(before, 24 * MIB, "V8's own starting size is another")
  sizeWorkerYoungGeneration(24 * MIB)
  t.equal(await workerNewSpace(), 24 * MIB)
  // 0 leaves the flag as it is: V8 sizes the isolates (here still as set above)
  sizeWorkerYoungGeneration(0)
  t.equal(await workerNewSpace(), 24 * MIB)
})
