// Every upstream fault gets Kong's status and JSON body, and the gateway stays healthy: refused
// connection 502, reset 502, invalid HTTP 502, read timeout 504 (or a cut-off body once the response
// began), unresolvable host 503. Refused connections are retried `retries` times, but never when the
// request body was streamed.

import t, { type Test } from 'tap'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { request } from 'undici'
import { send, startGateway, type LogLine } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

const BODIES = {
  502: 'An invalid response was received from the upstream server',
  503: 'The upstream server is currently unavailable',
  504: 'The upstream server is timing out'
}

/** A port nothing listens on: bound once to learn a free number, then released. */
async function closedPort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

t.test('upstream faults', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const refused = `http://127.0.0.1:${await closedPort()}`
  const gateway = await startGateway({
    services: [
      { name: 'echo', url: upstream.url, read_timeout: 300, routes: [{ name: 'echo', paths: ['/'] }] },
      { name: 'refused', url: refused, retries: 3, routes: [{ name: 'refused', paths: ['/refused'] }] },
      { name: 'refused-no-retry', url: refused, retries: 0, routes: [{ name: 'refused-no-retry', paths: ['/refused-once'] }] },
      { name: 'unresolvable', url: 'http://tollgate-test.invalid', routes: [{ name: 'unresolvable', paths: ['/dns'] }] }
    ]
  }, { settings: { worker_processes: 2 } })
  t.teardown(() => gateway.stop())

  const failureOf = (requestId: string): Promise<LogLine> =>
    gateway.waitForLog((l) => l.event === 'upstream_failed' && l.request_id === requestId)
  const expectFault = async (t: Test, path: string, status: 502 | 503 | 504, message: string = BODIES[status],
    options: Parameters<typeof send>[1] = {}): Promise<LogLine> => {
    const reply = await send(`${gateway.proxyUrl}${path}`, options)
    t.equal(reply.status, status, `${path}: ${status}`)
    t.equal(reply.headers['content-type'], 'application/json; charset=utf-8')
    t.same(reply.json(), { message, request_id: reply.headers['x-kong-request-id'] }, 'Kong\'s body')
    t.equal(reply.headers.server, 'tollgate/0.1.0', 'an own response')
    const line = await failureOf(reply.headers['x-kong-request-id'] as string)
    t.equal(line.status, status, 'logged with the same status')
    return line
  }

  t.test('connection refused: 502 after retries more attempts', async (t) => {
    const line = await expectFault(t, '/refused', 502)
    t.equal(line.attempts, 4, 'retries: 3 means 4 attempts')
    t.equal((line.error as { code: string }).code, 'ECONNREFUSED')
    t.equal((await expectFault(t, '/refused-once', 502)).attempts, 1, 'retries: 0 means one attempt')
  })

  t.test('a streamed request body is never retried', async (t) => {
    const line = await expectFault(t, '/refused', 502, BODIES[502], { method: 'POST', body: 'a body nobody can replay' })
    t.equal(line.attempts, 1)
  })

  t.test('reset by the upstream: 502, not retried once the request was sent', async (t) => {
    const before = upstream.requests.length
    await expectFault(t, '/reset', 502)
    t.equal(upstream.requests.length, before + 1, 'the upstream saw one attempt')
  })

  t.test('invalid HTTP from the upstream: 502', async (t) => {
    await expectFault(t, '/garbage', 502)
  })

  t.test('slower than read_timeout: 504', async (t) => {
    const line = await expectFault(t, '/slow?ms=3000', 504)
    t.equal((line.error as { code: string }).code, 'UND_ERR_HEADERS_TIMEOUT')
  })

  t.test('read_timeout is between reads: a body slower in all but not between two chunks is passed on', async (t) => {
    // 4 bytes 150 ms apart: 450 ms in all against a read_timeout of 300
    const reply = await send(`${gateway.proxyUrl}/drip?chunks=4&ms=150`)
    t.equal(reply.status, 200)
    t.equal(reply.body.length, 4)
  })

  t.test('a body that stops for longer than read_timeout: the response is cut off', async (t) => {
    const response = await request(`${gateway.proxyUrl}/drip?chunks=2&ms=3000`)
    t.equal(response.statusCode, 200, 'the status line was already passed on')
    await t.rejects(response.body.arrayBuffer(), 'and the body ends short')
  })

  t.test('an unresolvable host: 503 name resolution failed', async (t) => {
    await expectFault(t, '/dns', 503, 'name resolution failed')
  })

  t.test('the gateway is healthy afterwards, on both workers', async (t) => {
    for (let i = 0; i < 20; i++) t.equal((await send(`${gateway.proxyUrl}/after/${i}`)).status, 200)
    t.notOk(gateway.logs.some((l) => l.event === 'worker_exit' || l.level === 'crit'), 'no worker died')
    t.notOk(gateway.logs.some((l) => l.status === 500), 'no fault was an unexpected error')
  })
})
