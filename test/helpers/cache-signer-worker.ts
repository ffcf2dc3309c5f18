// Worker for the "signer fails mid-fill" test: a proxy worker's fill as the openid-connect plugin makes
// it (openid-connect/worker/token-flow.ts #fill), with the token request left out. workerData: { handle, port, id }.
// On { n, hang }: makes n concurrent asks for key `id`; an ask that becomes the filler signs a client
// assertion through the SignerClient on `port` (claims.hang: the test task blocks its signing thread),
// then completes, or, when signing failed, abandons the fill (a signer failure) or fails it. Replies
// { statuses, codes }: each ask's final lookup status and the error code its fill failed with, or null.

import { parentPort, workerData } from 'node:worker_threads'
import { TokenCache } from '../../src/cache/token-cache.ts'
import { FILL, WAIT } from '../../src/cache/lookup-status.ts'
import { isSignerFailure, SignerClient } from '../../src/workers/signer-client.ts'
import { decodeValue, digestFor, encodeValue } from './cache-keys.ts'
import type { TestValue } from './cache-keys.ts'

const { handle, port, id } = workerData
const cache = new TokenCache<TestValue>(handle, { decode: decodeValue })
const client = new SignerClient(port)
const digest = digestFor(id, 0)

async function ask (hang: boolean): Promise<{ status: number, code: string | null }> {
  let status: number = cache.lookup(digest)
  if (status === WAIT) status = (await cache.wait(digest)).status
  if (status !== FILL) return { status, code: null }
  try {
    await client.sign({ jwk: null, alg: 'RS256', claims: { hang } })
  } catch (err) {
    if (isSignerFailure(err)) cache.abandon(digest)
    else cache.fail(digest, 60_000)
    return { status, code: String((err as { code?: unknown }).code) }
  }
  cache.complete(digest, encodeValue(id, 1), Date.now() + 600_000)
  return { status, code: null }
}

parentPort!.on('message', async ({ n, hang }: { n: number, hang: boolean }) => {
  const results = await Promise.all(Array.from({ length: n }, () => ask(hang)))
  parentPort!.postMessage({ statuses: results.map((r) => r.status), codes: results.map((r) => r.code) })
})
parentPort!.postMessage('ready')
