// Regression: a request line without an HTTP version ("GET /path", HTTP/0.9 to llhttp) was proxied
// upstream as an ordinary request. It now gets Kong's 400 JSON and the connection is closed; the
// upstream never sees it. HTTP/1.0 is still proxied.

import t from 'tap'
import { echoConfig, parseRawResponse, rawExchange, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

const PATIENCE_MS = 15_000

t.test('HTTP/0.9 request lines: 400, closed, never upstream', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway(echoConfig(upstream.url))
  t.teardown(() => gateway.stop())

  const lines = [
    'GET /http09\r\n\r\n',
    'POST /http09-post\r\n\r\n',
    'GET /http09-headers\r\nHost: a\r\n\r\n'
  ]
  for (const line of lines) {
    const result = await rawExchange(gateway.proxyUrl, [line], PATIENCE_MS)
    const response = parseRawResponse(result.data)
    const label = JSON.stringify(line)
    t.equal(response?.status, 400, `${label}: 400`)
    t.match(response?.headers, /content-type: application\/json/, `${label}: JSON`)
    t.match(response?.headers, /connection: close/, `${label}: Connection: close`)
    t.equal(JSON.parse(response?.body ?? '{}').message, 'Bad request', `${label}: Kong's message`)
    t.ok(result.closedByServer, `${label}: closed by the gateway`)
  }

  // the control: a versioned request on the same route is proxied, so the check is not too broad
  const http10 = parseRawResponse((await rawExchange(gateway.proxyUrl, ['GET /http10 HTTP/1.0\r\nHost: a\r\n\r\n'], PATIENCE_MS)).data)
  t.equal(http10?.status, 200, 'HTTP/1.0 is proxied')
  t.same(upstream.requests.map((r) => r.url), ['/http10'], 'the upstream saw only the HTTP/1.0 request')
})
