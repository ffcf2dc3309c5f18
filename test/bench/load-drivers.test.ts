// The load generator's own clients (bench/procs/h2-load.ts, handshake-load.ts) against real TLS servers on
// port 0 with a certificate made here: they count what the server answered, by status, record the gateway's
// latency headers, keep the asked number of requests in flight, pace a fixed rate, and open one TLS
// connection per request in the handshake driver. No timing is asserted beyond what a paced run must show.

import t from 'tap'
import { once } from 'node:events'
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import { createServer as createHttpsServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Server } from 'node:net'
import { runH2, STREAMS_PER_SESSION } from '../../bench/procs/h2-load.ts'
import { runHandshakes } from '../../bench/procs/handshake-load.ts'
import { percentilesOfEncoded } from '../../bench/lib/histogram.ts'
import type { LoadJob } from '../../bench/lib/load-types.ts'
import { makeLeaf } from '../helpers/tls-certs.ts'

const leaf = await makeLeaf(null)
const tls = { cert: leaf.pem, key: leaf.keyPem }

type Answer = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void

/** what the test server uses of either kind of response */
interface Reply {
  writeHead (status: number, headers: Record<string, string>): unknown
  end (body: string): unknown
}

/** Answers `status` with the gateway's microsecond latency header; counts streams/requests and TLS connections. */
async function serve (kind: 'h2' | 'https', status = 200): Promise<{ url: string, requests: () => number, connections: () => number, inFlightPeak: () => number }> {
  let requests = 0
  let connections = 0
  let inFlight = 0
  let peak = 0
  const answer: Answer = (_req, response) => {
    const res = response as Reply
    requests++
    peak = Math.max(peak, ++inFlight)
    // a little later, so concurrent requests overlap and the peak shows how many were in flight
    setTimeout(() => {
      inFlight--
      res.writeHead(status, { 'content-type': 'text/plain', 'x-tollgate-proxy-latency-us': '7' })
      res.end('ok')
    }, 5)
  }
  const server: Server = kind === 'h2' ? createSecureServer(tls, answer) : createHttpsServer(tls, answer)
  server.on('secureConnection', () => { connections++ })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
    server.close()
  })
  const port = (server.address() as { port: number }).port
  return { url: `https://127.0.0.1:${port}/bench`, requests: () => requests, connections: () => connections, inFlightPeak: () => peak }
}

const job = (url: string, over: Partial<LoadJob> = {}): LoadJob =>
  ({ url, connections: 12, durationS: 0.5, rate: null, credentials: { kind: 'none' }, timeoutS: 5, ...over })

t.test('h2: streams over sessions, every answer counted and its latency header recorded', async (t) => {
  const server = await serve('h2')
  const out = await runH2(job(server.url))
  t.ok(out.requests > 20, `answered requests counted (${out.requests})`)
  t.equal(out.errors, 0)
  t.equal(out.timeouts, 0)
  t.equal(out.non2xx, 0)
  t.same(Object.keys(out.statusCodes), ['200'])
  t.ok(out.requests <= server.requests(), 'no more answers than the server gave')
  t.equal(server.connections(), Math.ceil(12 / STREAMS_PER_SESSION), 'one TLS connection per session')
  t.equal(server.inFlightPeak(), 12, 'as many streams in flight as asked')
  t.equal(percentilesOfEncoded(out.histograms.proxy_us)?.p50, 7, 'X-Tollgate-Proxy-Latency-Us recorded')
  t.equal(percentilesOfEncoded(out.histograms.client_us)?.count, out.requests, 'a client latency per answer')
})

t.test('h2: a non-2xx answer is counted as such', async (t) => {
  const server = await serve('h2', 503)
  const out = await runH2(job(server.url, { connections: 2, durationS: 0.2 }))
  t.ok(out.requests > 0)
  t.equal(out.non2xx, out.requests)
  t.same(Object.keys(out.statusCodes), ['503'])
})

t.test('h2: a fixed rate is paced, not sent at saturation', async (t) => {
  const server = await serve('h2')
  const out = await runH2(job(server.url, { connections: 4, durationS: 1, rate: 40 }))
  // 40 slots in the second (the last few may still be in flight when it ends)
  t.ok(out.requests >= 30 && out.requests <= 41, `about 40 requests (${out.requests})`)
  t.equal(out.errors, 0)
})

t.test('h2: a refused port fails the run loudly', async (t) => {
  const server = await serve('h2')
  const port = Number(new URL(server.url).port)
  await t.rejects(runH2(job(`https://127.0.0.1:${port === 1 ? 2 : 1}/`, { durationS: 0.1 })))
})

t.test('tls-handshake: one TLS connection per request', async (t) => {
  const server = await serve('https')
  const out = await runHandshakes(job(server.url, { connections: 4 }))
  t.ok(out.requests > 5, `answered requests counted (${out.requests})`)
  t.equal(out.errors, 0)
  t.equal(out.non2xx, 0)
  // requests cancelled when the run ended had a connection of their own too
  t.ok(server.connections() >= out.requests && server.connections() <= out.requests + 4, `${server.connections()} connections for ${out.requests} answers`)
  t.equal(server.inFlightPeak() <= 4, true, 'no more than the asked concurrency')
  t.equal(percentilesOfEncoded(out.histograms.proxy_us)?.p50, 7, 'X-Tollgate-Proxy-Latency-Us recorded')
})

t.test('tls-handshake: a refused port counts connection errors', async (t) => {
  const server = await serve('https')
  const port = Number(new URL(server.url).port)
  const out = await runHandshakes(job(`https://127.0.0.1:${port === 1 ? 2 : 1}/`, { connections: 2, durationS: 0.2 }))
  t.equal(out.requests, 0)
  t.ok(out.errors > 0, `errors counted (${out.errors})`)
})
