// Keep-alive: upstream connections are pooled per worker and reused, so many requests need few upstream
// sockets; a downstream keep-alive connection serves many requests, with and without bodies, one after
// another or pipelined, until keepalive_timeout closes it idle; upstream_keepalive_pool_size 0 opts out.

import t from 'tap'
import { Agent } from 'node:http'
import { echoConfig, parseRawResponse, rawExchange, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

const REQUESTS = 40

t.test('sequential requests reuse pooled upstream connections', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { worker_processes: 2 } })
  t.teardown(() => gateway.stop())

  const ports = new Set<number>()
  for (let i = 0; i < REQUESTS; i++) {
    // a fresh downstream connection each time, so both workers take part
    const reply = await send(`${gateway.proxyUrl}/fresh/${i}`)
    t.equal(reply.status, 200)
  }
  for (const r of upstream.requests) ports.add(r.remotePort)
  t.equal(upstream.requests.length, REQUESTS)
  t.ok(upstream.sockets.size <= 2, `${REQUESTS} requests over ${upstream.sockets.size} upstream connection(s): at most one per worker`)
  t.equal(ports.size, upstream.sockets.size)

  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const downstream = new Set<string>()
  for (let i = 0; i < REQUESTS; i++) {
    const reply = await send(`${gateway.proxyUrl}/kept/${i}`, { agent })
    t.equal(reply.status, 200)
    t.not(reply.headers.connection, 'close')
    downstream.add(reply.headers['x-kong-request-id'] as string)
  }
  t.equal(downstream.size, REQUESTS)
  t.ok(upstream.sockets.size <= 2, 'still no new upstream connections')
})

t.test('upstream_keepalive_pool_size 0 opens a connection per request', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { upstream_keepalive_pool_size: 0 } })
  t.teardown(() => gateway.stop())
  for (let i = 0; i < 10; i++) t.equal((await send(`${gateway.proxyUrl}/${i}`)).status, 200)
  t.equal(upstream.sockets.size, 10)
})

t.test('upstream_keepalive_max_requests bounds the requests per upstream connection', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { upstream_keepalive_max_requests: 3 } })
  t.teardown(() => gateway.stop())
  for (let i = 0; i < 9; i++) t.equal((await send(`${gateway.proxyUrl}/${i}`)).status, 200)
  const perConnection = new Map<number, number>()
  for (const r of upstream.requests) perConnection.set(r.remotePort, (perConnection.get(r.remotePort) ?? 0) + 1)
  // how undici's Pool spreads requests while a connection closes varies; the cap does not
  t.equal(Math.max(...perConnection.values()), 3, `requests per connection: ${[...perConnection.values()].join(', ')}`)
})

/** The responses in a raw HTTP/1.1 byte stream, each framed by its Content-Length. */
function splitResponses (data: string): Array<{ status: number, body: string }> {
  const out: Array<{ status: number, body: string }> = []
  let at = 0
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at)
    if (headEnd < 0) break
    const head = data.slice(at, headEnd)
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    out.push({ status: Number(head.slice(9, 12)), body: data.slice(headEnd + 4, headEnd + 4 + length) })
    at = headEnd + 4 + length
  }
  return out
}

// node:http hands a request without Content-Length or Transfer-Encoding over already ended
// (optimizeEmptyRequests, proxy-server.ts): the requests with bodies around it must still get theirs.
t.test('bodyless and bodied requests pipelined on one connection each reach the upstream whole', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway(echoConfig(upstream.url))
  t.teardown(() => gateway.stop())

  const host = 'Host: gateway.test\r\n'
  const result = await rawExchange(gateway.proxyUrl, [
    `GET /none HTTP/1.1\r\n${host}\r\n` +
    `POST /length HTTP/1.1\r\n${host}Content-Length: 5\r\n\r\nhello` +
    `POST /chunked HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n6\r\nworld!\r\n0\r\n\r\n` +
    `GET /zero HTTP/1.1\r\n${host}Content-Length: 0\r\n\r\n` +
    `DELETE /none-again HTTP/1.1\r\n${host}Connection: close\r\n\r\n`
  ])
  t.equal(result.error, null)
  t.ok(result.closedByServer, 'the last request asked to close')
  const replies = splitResponses(result.data)
  t.same(replies.map((r) => r.status), [200, 200, 200, 200, 200])
  t.same(replies.map((r) => JSON.parse(r.body) as { url: string, bodyBytes: number }).map((b) => [b.url, b.bodyBytes]),
    [['/none', 0], ['/length', 5], ['/chunked', 6], ['/zero', 0], ['/none-again', 0]])
  t.same(upstream.requests.map((r) => [r.method, r.bodyBytes]),
    [['GET', 0], ['POST', 5], ['POST', 6], ['GET', 0], ['DELETE', 0]])
})

// keepalive_timeout is the proxy's own (src/proxy/client-keepalive.ts), as nginx's: an idle connection
// closes after it, a request taking longer keeps its connection, and no Keep-Alive header is sent.
t.test('keepalive_timeout closes an idle client connection, never one with a request in flight', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway(echoConfig(upstream.url), { settings: { keepalive_timeout: 1 } })
  t.teardown(() => gateway.stop())
  const host = 'Host: gateway.test\r\n'

  const idle = await rawExchange(gateway.proxyUrl, [`GET /idle HTTP/1.1\r\n${host}\r\n`], 6000)
  t.equal(idle.error, null)
  t.ok(idle.closedByServer, 'the gateway closed the idle connection')
  t.ok(idle.elapsedMs >= 1000 && idle.elapsedMs < 5000, `after keepalive_timeout, not before: ${idle.elapsedMs} ms`)
  const reply = parseRawResponse(idle.data)
  t.equal(reply?.status, 200)
  t.match(reply?.headers, /^connection: keep-alive$/m)
  t.notMatch(reply?.headers, /^keep-alive:/m, 'no Keep-Alive header, as nginx without its second parameter')

  // the first answer takes 1.5 s, longer than keepalive_timeout; the second request follows 0.5 s later
  const slow = await rawExchange(gateway.proxyUrl, [`GET /slow?ms=1500 HTTP/1.1\r\n${host}\r\n`, `GET /after HTTP/1.1\r\n${host}\r\n`], 8000, 2000)
  t.equal(slow.error, null)
  t.same(splitResponses(slow.data).map((r) => r.status), [200, 200], 'both requests answered on the one connection')
  t.ok(slow.closedByServer && slow.elapsedMs >= 3000, `closed once idle for keepalive_timeout after the second: ${slow.elapsedMs} ms`)
})

t.test('keepalive_timeout 0 turns keep-alive off', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway(echoConfig(upstream.url), { settings: { keepalive_timeout: 0 } })
  t.teardown(() => gateway.stop())
  const result = await rawExchange(gateway.proxyUrl, ['GET /once HTTP/1.1\r\nHost: gateway.test\r\n\r\n'], 5000)
  t.ok(result.closedByServer, 'closed after the response')
  const reply = parseRawResponse(result.data)
  t.equal(reply?.status, 200)
  t.match(reply?.headers, /^connection: close$/m)
})
