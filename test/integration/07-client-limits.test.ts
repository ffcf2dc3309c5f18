// What protects the process from clients: header and body timeouts (the connection is closed, as nginx
// does for client_header_timeout and client_body_timeout), malformed HTTP (400 JSON, then closed),
// oversized headers (494) and bodies over client_max_body_size (413, declared or chunked).

import t, { type Test } from 'tap'
import { echoConfig, parseRawResponse, rawExchange, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

/** client_header_timeout and client_body_timeout, in seconds */
const TIMEOUT_S = 1
/** how long a test waits for the gateway to close a connection: far beyond the timeouts */
const PATIENCE_MS = 15_000

t.test('client limits', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { client_header_timeout: TIMEOUT_S, client_body_timeout: TIMEOUT_S, client_max_body_size: 1000 } })
  t.teardown(() => gateway.stop())
  const healthy = async (t: Test): Promise<void> => {
    t.equal((await send(`${gateway.proxyUrl}/still-alive`)).status, 200, 'the gateway still serves')
  }

  t.test('slow clients: the connection is closed, and a stalled upstream call abandoned', async (t) => {
    const mark = gateway.mark()
    // both at once: each waits out a timeout
    const [headers, body] = await Promise.all([
      rawExchange(gateway.proxyUrl, ['GET /slow-headers HTTP/1.1\r\nHost: a\r\n'], PATIENCE_MS),
      rawExchange(gateway.proxyUrl, ['POST /stalled HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part'], PATIENCE_MS)
    ])
    t.ok(headers.closedByServer, `headers sent too slowly: closed by the gateway after ${headers.elapsedMs} ms`)
    t.ok(headers.elapsedMs >= TIMEOUT_S * 1000 * 0.9, 'not before client_header_timeout')
    t.equal(headers.data, '', 'nothing written, as nginx')
    t.ok(body.closedByServer, `a body that stalls: closed by the gateway after ${body.elapsedMs} ms`)
    t.ok(body.elapsedMs >= TIMEOUT_S * 1000 * 0.9, 'not before the timeout')
    t.equal(body.data, '', 'nothing written, as nginx')
    await healthy(t)
    t.same(gateway.logs.slice(mark).filter((l) => l.event === 'upstream_failed'), [], 'a client that went away is no upstream failure')
  })

  const malformed: Array<[name: string, request: string, status: number, message: string]> = [
    ['a garbage request line', 'HELLO\r\n\r\n', 400, 'Bad request'],
    ['a header name with a space', 'GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n', 400, 'Bad request'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n', 400, 'Bad request'],
    ['both Content-Length and chunked', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 400, 'Bad request'],
    ['headers over client_max_header_size', `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 494, 'Request header or cookie too large']
  ]
  for (const [name, request, status, message] of malformed) {
    t.test(`${name}: ${status} with Kong's JSON, then the connection is closed`, async (t) => {
      const result = await rawExchange(gateway.proxyUrl, [request], PATIENCE_MS)
      const response = parseRawResponse(result.data)
      t.equal(response?.status, status)
      t.match(response?.headers, /content-type: application\/json/)
      t.same(JSON.parse(response?.body ?? 'null'), { message })
      t.ok(result.closedByServer, 'closed by the gateway')
      t.equal(upstream.requests.filter((r) => r.url !== '/still-alive').length, 0, 'nothing reached the upstream')
      await healthy(t)
    })
  }

  t.test('a declared body over client_max_body_size: 413 before any of it is read', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/upload`, { method: 'POST', body: Buffer.alloc(1001) })
    t.equal(reply.status, 413)
    t.equal(reply.json().message, 'Request size limit exceeded')
    t.equal(reply.headers.connection, 'close')
    t.notOk(upstream.requests.some((r) => r.url === '/upload'), 'nothing reached the upstream')
  })

  t.test('a chunked body over client_max_body_size: 413', async (t) => {
    const result = await rawExchange(gateway.proxyUrl,
      [`POST /upload-chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3e9\r\n${'x'.repeat(1001)}\r\n0\r\n\r\n`], PATIENCE_MS)
    const response = parseRawResponse(result.data)
    t.equal(response?.status, 413)
    t.equal(JSON.parse(response?.body ?? '{}').message, 'Request size limit exceeded')
    t.match(response?.headers, /connection: close/, 'the unread rest of the body ends the connection')
    t.notOk(upstream.requests.some((r) => r.url === '/upload-chunked'), 'nothing reached the upstream')
    await healthy(t)
  })

  t.test('bodies within the limit pass, chunked ones too', async (t) => {
    const declared = await send(`${gateway.proxyUrl}/upload`, { method: 'POST', body: Buffer.alloc(1000) })
    t.equal(declared.json().bodyBytes, 1000)
    const result = await rawExchange(gateway.proxyUrl,
      [`POST /upload-chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3e8\r\n${'x'.repeat(1000)}\r\n0\r\n\r\n`], PATIENCE_MS)
    const response = parseRawResponse(result.data)
    t.equal(response?.status, 200)
    t.equal(JSON.parse(response?.body ?? '{}').bodyBytes, 1000)
  })

  t.test('however each request above ended, none is left counted as in flight', async (t) => {
    // a request left in flight would also hold up every drain until drain_timeout
    const status = (await send(`${gateway.adminUrl}/status`)).json<{ server: Record<string, number> }>()
    t.equal(status.server.connections_writing, 0)
  })
})
