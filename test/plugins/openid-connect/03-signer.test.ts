// Signing off the event loop: the piscina pool, the MessagePort client proxy workers use, and a
// private_key_jwt client assertion that a real oidc-provider accepts against the gateway's published keys.
// Also the bounds: a hung or crashed signing thread, a full queue, a main thread that never answers.

import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageChannel, Worker } from 'node:worker_threads'
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose'
import type { JWK } from 'jose'
import { TollgateError } from '../../../src/core/errors.ts'
import { GatewayKeys } from '../../../src/plugins/openid-connect/main/keys.ts'
import { createSignerPool } from '../../../src/workers/signer-pool.ts'
import type { SignerPool, SignerPoolOptions } from '../../../src/workers/signer-pool.ts'
import { isSignerFailure, serveSigner, SignerClient } from '../../../src/workers/signer-client.ts'
import { startIdp } from '../../helpers/idp.ts'
import type { TestIdp } from '../../helpers/idp.ts'

async function openKeys (t: Test): Promise<GatewayKeys> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-signer-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return await GatewayKeys.open(join(dir, 'jwks.json'))
}

function openPool (t: Test): SignerPool {
  const pool = createSignerPool({ threads: 1 })
  t.teardown(() => pool.close())
  return pool
}

async function verifyWith (keys: GatewayKeys, jws: string) {
  const { kid, alg } = decodeProtectedHeader(jws)
  const jwk = keys.publicJwks().keys.find((candidate) => candidate.kid === kid)
  if (jwk === undefined || alg === undefined) throw new Error(`no published key for ${String(kid)}`)
  const { payload, protectedHeader } = await compactVerify(jws, await importJWK(jwk, alg))
  return { claims: JSON.parse(new TextDecoder().decode(payload)), header: protectedHeader }
}

t.test('the pool signs with each key type; the signature verifies with the published key', async (t) => {
  const keys = await openKeys(t)
  const pool = openPool(t)
  for (const alg of ['RS256', 'PS256', 'ES256', 'ES512', 'EdDSA']) {
    const jwk = keys.signingKey(alg)
    const jws = await pool.sign({ jwk, header: { alg: 'none', kid: 'forged', cty: 'x' }, claims: { iss: 'gw', n: 1 } })
    const { claims, header } = await verifyWith(keys, jws)
    t.same(claims, { iss: 'gw', n: 1 }, alg)
    t.same(header, { cty: 'x', typ: 'JWT', alg, kid: jwk.kid }, `${alg}: extras cannot override typ, alg or kid`)
  }
  await t.rejects(pool.sign({ jwk: { ...keys.signingKey(), kid: undefined }, claims: {} }), /kid and alg/)
  t.match(pool.stats(), { threads: 1, queued: 0, completed: 6 }, 'a failed task counts as completed')
})

t.test('a worker thread signs through the main thread\'s pool over a MessagePort', async (t) => {
  const keys = await openKeys(t)
  const pool = openPool(t)
  const { port1, port2 } = new MessageChannel()
  serveSigner(port1, pool, (alg) => keys.signingKey(alg))
  t.teardown(() => { port1.close() })
  // The worker holds no key: it asks for ES256 by name and the main thread picks its key.
  const worker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads')
    import(workerData.client).then(async ({ SignerClient }) => {
      const client = new SignerClient(workerData.port)
      const jws = await client.sign({ jwk: null, alg: 'ES256', claims: { from: 'worker' } })
      parentPort.postMessage(jws)
      client.close()
    })
  `, {
    eval: true,
    workerData: { port: port2, client: new URL('../../../src/workers/signer-client.ts', import.meta.url).href },
    transferList: [port2]
  })
  const [jws] = await once(worker, 'message') as [string]
  await once(worker, 'exit')
  const { claims, header } = await verifyWith(keys, jws)
  t.same(claims, { from: 'worker' })
  t.equal(header.kid, keys.signingKey('ES256').kid)
})

t.test('SignerClient errors: cloned with their code, and pending requests rejected on close', async (t) => {
  const pool = openPool(t)
  const keys = await openKeys(t)

  const noKeys = new MessageChannel()
  serveSigner(noKeys.port1, pool)
  const client = new SignerClient(noKeys.port2)
  await t.rejects(client.sign({ jwk: null, alg: 'RS256', claims: {} }), { code: 'SIGNER_NO_KEY', status: 500 })
  await t.rejects(client.sign({ jwk: { kty: 'RSA', alg: 'RS256', kid: 'k', n: 'AQAB', e: 'AQAB' }, claims: {} }), { code: 'SIGNER_FAILED', status: 500 }, 'a public key cannot sign')
  t.equal(client.pending, 0)
  const ok = client.sign({ jwk: keys.signingKey(), claims: { a: 1 } })
  const closing = client.sign({ jwk: keys.signingKey(), claims: { a: 2 } })
  client.close()
  await t.rejects(ok, { code: 'SIGNER_CLOSED' })
  await t.rejects(closing, { code: 'SIGNER_CLOSED' })
  await t.rejects(client.sign({ jwk: keys.signingKey(), claims: {} }), { code: 'SIGNER_CLOSED' })
  noKeys.port1.close()

  const mainGone = new MessageChannel()
  serveSigner(mainGone.port1, pool)
  const orphan = new SignerClient(mainGone.port2)
  const pending = orphan.sign({ jwk: keys.signingKey(), claims: {} })
  mainGone.port1.close()
  await t.rejects(pending, { code: 'SIGNER_CLOSED' }, 'the main side closing rejects what waits')
})

const TEST_TASK = new URL('../../helpers/signer-test-task.ts', import.meta.url).href
const NO_KEY = {} as JWK

interface LogEntry { readonly level: string, readonly event: string, readonly fields?: Readonly<Record<string, unknown>> }

function testPool (t: Test, options: Partial<SignerPoolOptions> = {}): { pool: SignerPool, logs: LogEntry[] } {
  const logs: LogEntry[] = []
  const pool = createSignerPool({ threads: 1, taskFile: TEST_TASK, logger: { log: (level, event, fields) => { logs.push({ level, event, fields }) } }, ...options })
  t.teardown(() => pool.close())
  return { pool, logs }
}

t.test('a hung signing thread: the task fails with SIGNER_TIMEOUT, the thread is replaced, the next task signs', async (t) => {
  // the bound counts from submission, a replacement thread's start included: room for a loaded machine
  const { pool, logs } = testPool(t, { timeoutMs: 2000 })
  await t.rejects(pool.sign({ jwk: NO_KEY, claims: { hang: true } }), { code: 'SIGNER_TIMEOUT', status: 504 })
  t.match(logs, [{ level: 'warn', event: 'signer_task_timeout', fields: { timeout_ms: 2000, thread_replaced: true } }])
  t.equal(await pool.sign({ jwk: NO_KEY, claims: { n: 1 } }), 'signed:{"n":1}', 'a fresh thread signs')
  t.equal(pool.stats().threads, 1)
})

t.test('a crashed signing thread fails its task, is logged once, and is replaced', async (t) => {
  const { pool, logs } = testPool(t)
  await t.rejects(pool.sign({ jwk: NO_KEY, claims: { crash: true } }))
  t.equal(await pool.sign({ jwk: NO_KEY, claims: { n: 2 } }), 'signed:{"n":2}')
  t.same(logs.map((l) => l.event), ['signer_thread_exit'])
})

t.test('the signing queue is bounded: past it a request fails at once with SIGNER_QUEUE_FULL', async (t) => {
  const { pool } = testPool(t, { maxQueue: 1, timeoutMs: 60_000 })
  const running = pool.sign({ jwk: NO_KEY, claims: { hang: true } })
  const queued = pool.sign({ jwk: NO_KEY, claims: { n: 3 } })
  await t.rejects(pool.sign({ jwk: NO_KEY, claims: { n: 4 } }), { code: 'SIGNER_QUEUE_FULL', status: 503 })
  t.equal(pool.stats().queued, 1)
  const failed = Promise.all([t.rejects(running), t.rejects(queued)])
  await pool.close() // stops the hung thread; both fail
  await failed
  await t.rejects(pool.sign({ jwk: NO_KEY, claims: {} }), { code: 'SIGNER_CLOSED' })
})

t.test('SignerClient: a request the main thread never answers fails with SIGNER_TIMEOUT', async (t) => {
  const channel = new MessageChannel()
  t.teardown(() => { channel.port1.close() })
  serveSigner(channel.port1, { sign: () => new Promise<string>(() => {}) }, () => NO_KEY)
  const client = new SignerClient(channel.port2, { timeoutMs: 200 })
  await t.rejects(client.sign({ jwk: null, alg: 'RS256', claims: {} }), { code: 'SIGNER_TIMEOUT' })
  t.equal(client.pending, 0, 'nothing left waiting')
  await t.rejects(client.sign({ jwk: null, alg: 'RS256', claims: {} }, 100), { code: 'SIGNER_TIMEOUT' }, 'a per-request timeout')
  client.close()
})

t.test('isSignerFailure: signing errors only, never an IdP answer', async (t) => {
  for (const code of ['SIGNER_TIMEOUT', 'SIGNER_QUEUE_FULL', 'SIGNER_CLOSED', 'SIGNER_FAILED', 'SIGNER_NO_KEY'] as const) {
    t.ok(isSignerFailure(new TollgateError('x', code, 500)), code)
  }
  t.notOk(isSignerFailure(new TollgateError('x', 'IDP_TIMEOUT', 504)))
  t.notOk(isSignerFailure(null))
  t.notOk(isSignerFailure('SIGNER_TIMEOUT'))
})

async function serveJwks (t: Test, keys: GatewayKeys): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' })
    res.end(JSON.stringify(keys.publicJwks()))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const address = server.address() as { port: number }
  return `http://127.0.0.1:${address.port}/openid-connect/jwks`
}

async function assertionGrant (idp: TestIdp, pool: SignerPool, keys: GatewayKeys, alg: string): Promise<number> {
  const clientId = idp.clients.jwt.client_id
  const tokenEndpoint = `${idp.url}/token`
  const now = Math.floor(Date.now() / 1000)
  const assertion = await pool.sign({
    jwk: keys.signingKey(alg),
    claims: { iss: clientId, sub: clientId, aud: tokenEndpoint, jti: randomBytes(32).toString('base64url'), iat: now, exp: now + 60 }
  })
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'openid',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion
    })
  })
  await response.arrayBuffer()
  return response.status
}

t.test('oidc-provider accepts the pool\'s private_key_jwt assertions, before and after a key rotation', async (t) => {
  const keys = await openKeys(t)
  const pool = openPool(t)
  const idp = await startIdp({ jwtClientJwksUri: await serveJwks(t, keys) })
  t.teardown(() => idp.close())
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA']) t.equal(await assertionGrant(idp, pool, keys, alg), 200, alg)
  await keys.rotate()
  t.equal(await assertionGrant(idp, pool, keys, 'RS256'), 200, 'a new kid makes the IdP fetch the key set again')
})

t.test('with oidc-provider\'s own key cache, a rotated gateway key is refused (why keys are persisted)', async (t) => {
  const keys = await openKeys(t)
  const pool = openPool(t)
  const idp = await startIdp({ strictClientKeyCache: true })
  t.teardown(() => idp.close())
  await idp.setJwtClientJwksUri(await serveJwks(t, keys))
  t.equal(await assertionGrant(idp, pool, keys, 'RS256'), 200)
  await keys.rotate()
  t.equal(await assertionGrant(idp, pool, keys, 'RS256'), 401)
})
