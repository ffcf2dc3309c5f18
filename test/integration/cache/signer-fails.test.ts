// A fill whose client assertion cannot be signed (a hung signing thread) never reached the IdP: it must
// not be cached negatively, and the requests waiting on it must take the fill over, not be told NEGATIVE
// (in the plugin, a false 401 'the identity provider rejected these credentials').

import t from 'tap'
import { once } from 'node:events'
import { MessageChannel, Worker } from 'node:worker_threads'
import type { JWK } from 'jose'
import { createTokenCache } from '../../../src/cache/handle.ts'
import type { TokenCacheHandle } from '../../../src/cache/handle.ts'
import { readTokenCacheStats } from '../../../src/cache/stats.ts'
import { FILL, HIT, NEGATIVE } from '../../../src/cache/lookup-status.ts'
import { serveSigner } from '../../../src/workers/signer-client.ts'
import { createSignerPool } from '../../../src/workers/signer-pool.ts'

const WORKER = new URL('../../helpers/cache-signer-worker.ts', import.meta.url)
const TEST_TASK = new URL('../../helpers/signer-test-task.ts', import.meta.url).href
const ASKS = 5

async function until (what: () => boolean): Promise<void> {
  while (!what()) await new Promise((resolve) => setImmediate(resolve))
}

interface Reply { statuses: number[], codes: Array<string | null> }

async function asks (worker: Worker, n: number, hang: boolean): Promise<Reply> {
  const reply = once(worker, 'message')
  worker.postMessage({ n, hang })
  return (await reply)[0] as Reply
}

function count<T> (list: T[], value: T): number {
  return list.filter((v) => v === value).length
}

t.test('a hung signer: the fill fails with SIGNER_TIMEOUT, nothing is cached, a waiter takes over', async (t) => {
  const handle: TokenCacheHandle = createTokenCache({ slots: 64, fillTimeoutMs: 600_000 })
  const events: string[] = []
  const pool = createSignerPool({ threads: 1, taskFile: TEST_TASK, timeoutMs: 2000, logger: { log: (_level, event) => { events.push(event) } } })
  t.teardown(() => pool.close())
  const workers: Worker[] = []
  t.teardown(() => Promise.all(workers.map((w) => w.terminate())))
  const start = async (): Promise<Worker> => {
    const { port1, port2 } = new MessageChannel()
    serveSigner(port1, pool, () => ({}) as JWK)
    t.teardown(() => { port1.close() })
    const worker = new Worker(WORKER, { workerData: { handle, port: port2, id: 9 }, transferList: [port2] })
    workers.push(worker)
    await once(worker, 'message')
    return worker
  }
  const filler = await start()
  const asker = await start()

  const filled = asks(filler, 1, true)
  await until(() => readTokenCacheStats(handle).misses === 1) // the filler is signing, on a thread that hangs
  const waited = asks(asker, ASKS, false)
  await until(() => readTokenCacheStats(handle).waits === ASKS)

  t.same(await filled, { statuses: [FILL], codes: ['SIGNER_TIMEOUT'] }, 'the filler\'s signing timed out')
  const { statuses, codes } = await waited
  t.equal(count(statuses, NEGATIVE), 0, 'no waiter is told the credentials failed')
  t.equal(count(statuses, FILL), 1, 'one waiter took the fill over, and signed on the replacement thread')
  t.equal(count(statuses, HIT), ASKS - 1, 'the others got its value')
  t.same(codes, statuses.map(() => null))
  t.match(readTokenCacheStats(handle), { negativeEntries: 0, fills: 1 })
  t.same((await asks(asker, 1, false)).statuses, [HIT], 'the next request is a hit')
  t.ok(events.includes('signer_task_timeout'), 'the timeout was logged')
})
