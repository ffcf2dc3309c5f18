// The `floor`: what any HTTP proxy written in Node must do at least, and nothing more. A raw node:http
// server passes each request to one undici Pool (keep-alive, the same native dispatch-handler API the
// gateway uses) and streams both ways: every request header goes upstream and every response header comes
// back, less the hop-by-hop ones, and a request body streams from the client socket. It has no routing,
// no plugins, no retries or timeouts of its own, and adds no header: no Via (RFC 9110 §7.6.3 asks a proxy
// for one), no X-Forwarded-For/Proto/Host/Port/Path, X-Real-IP or request id, no latency headers; Tollgate
// adds all of those as Kong does, so their price is part of what `proxy / floor` measures.
// Host is left to undici, which sends the upstream's (Kong's default, `preserve_host: false`).
// `floor-bare` (bench/procs/floor-bare.ts) forwards no request header at all: the lower bound, not a proxy.
// The TLS floors are this same forwarder behind the servers the gateway's TLS listeners use
// (src/workers/proxy-server.ts): node:https for `floor-tls`, and node:http2's secure server with allowHTTP1
// and the compatibility API for `floor-h2`, whose requests lose their pseudo-headers (:method, :path,
// :authority, :scheme) on the way up, as the gateway's do. Both take Node's TLS defaults (TLS 1.2 and 1.3,
// session tickets on); the suite checks they negotiate what the gateway does before any load.
// With --kong (`floor-kong`, `floor-tls-kong`, `floor-h2-kong`) it also writes the fields Tollgate adds as
// Kong does, computed as Tollgate computes them (src/proxy/forwarded-headers.ts, context.ts): upstream,
// Host, X-Forwarded-For/Proto/Host/Port/Path/Prefix, X-Real-IP and X-Kong-Request-Id; back, Via, the two
// latency headers, X-Kong-Request-Id, and with --microseconds the bench's two microsecond headers, which the
// suite's gateways write for its recorder (the counting tools' gateways do not). `proxy / floor-kong` is then
// what Tollgate's own work (routing, plugins chain, context, metrics) costs beyond the headers any
// Kong-compatible proxy has to write. (The bench's clients send no X-Forwarded-* of their own.)
// Run: node bench/procs/floor.ts <upstream origin> [--tls CERT_FILE KEY_FILE [--h2]] [--kong [--microseconds]] (started by the suite)

import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:net'
import { Pool } from 'undici'
import { performance } from 'node:perf_hooks'
import { serveParent } from '../lib/serve-parent.ts'
import { SERVER_TOKEN } from '../../src/core/version.ts'
import { clientSocket, markClientSocket, requestHost } from '../../src/proxy/connection-info.ts'
import { hostWithoutPort } from '../../src/proxy/forwarded-headers.ts'

// Connection and the fields it names are hop-by-hop (RFC 9110 §7.6.1), and so are the ones §7.6.1 lists
// by name (Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade). Trailer, Proxy-Authenticate and
// Proxy-Authorization complete RFC 2616 §13.5.1's list, which proxies still drop (the Proxy-* ones concern
// only the next hop, RFC 9110 §11.7.1 and §11.7.2). Expect goes too: node:http answers 100-continue
// itself, and undici throws on the header (nodejs/undici lib/core/request.js, processHeader).
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authenticate', 'proxy-authorization', 'expect'
])

/** The names a Connection value lists (lower-cased), or null when it says only keep-alive or close. */
function connectionListed (value: string, listed: string[] | null): string[] | null {
  const lower = value.toLowerCase()
  if (lower === 'keep-alive' || lower === 'close') return listed
  for (const token of lower.split(',')) {
    const name = token.trim()
    if (name !== '' && name !== 'keep-alive' && name !== 'close') (listed ??= []).push(name)
  }
  return listed
}

/**
 * A flat [name, value, ...] header list (node:http's rawHeaders, undici's raw Buffers) without the
 * hop-by-hop fields and without `skip` (a lower-case name; '' for none), in the form both
 * res.writeHead and undici's dispatch take.
 */
function endToEnd (raw: ReadonlyArray<string | Buffer>, skip: string): string[] {
  const out: string[] = []
  let listed: string[] | null = null
  for (let i = 0; i < raw.length; i += 2) {
    const name = latin1(raw[i])
    // an HTTP/2 request's pseudo-headers are not fields (RFC 9113 §8.3): undici would refuse them
    if (name.charCodeAt(0) === COLON) continue
    const lower = name.toLowerCase()
    if (lower === 'connection') listed = connectionListed(latin1(raw[i + 1]), listed)
    if (HOP_BY_HOP.has(lower) || lower === skip) continue
    out.push(name, latin1(raw[i + 1]))
  }
  if (listed === null) return out
  const kept: string[] = []
  for (let i = 0; i < out.length; i += 2) if (!listed.includes(out[i].toLowerCase())) kept.push(out[i], out[i + 1])
  return kept
}

function latin1 (value: string | Buffer): string {
  return typeof value === 'string' ? value : value.toString('latin1')
}

const COLON = 0x3a

/** a client's request: node:http's, or node:http2's compatibility one (HTTP/2, or HTTP/1.1 beside it) */
type ClientRequest = IncomingMessage | Http2ServerRequest

/** what the forwarder uses of the answer to the client, node:http's or node:http2's compatibility one */
interface ClientAnswer {
  writeHead (statusCode: number, headers?: string[]): unknown
  write (chunk: Buffer): boolean
  once (event: 'drain', listener: () => void): unknown
  end (): unknown
  destroy (): unknown
  readonly headersSent: boolean
}

function hasBody (req: ClientRequest): boolean {
  // an HTTP/2 request has a body unless its HEADERS frame ended the stream; it needs no length
  if (req.httpVersionMajor === 2) return !(req as Http2ServerRequest).stream.endAfterHeaders
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/** node:http2's compatibility response has no `destroyed`: its stream does */
function gone (res: ClientAnswer): boolean {
  return (res as ServerResponse).destroyed === true || (res as Http2ServerResponse).stream?.destroyed === true
}

const USAGE = 'usage: floor.ts <upstream origin> [--tls CERT_FILE KEY_FILE [--h2]] [--kong [--microseconds]]'
const [origin, ...flags] = process.argv.slice(2)
if (origin === undefined) throw new Error(USAGE)
const tlsAt = flags.indexOf('--tls')
const h2 = flags.includes('--h2')
const kong = flags.includes('--kong')
// the suite's gateways write the two microsecond headers for its recorder; the counting tools' do not
const microseconds = kong && flags.includes('--microseconds')
if ((tlsAt >= 0 && flags.length < tlsAt + 3) || (h2 && tlsAt < 0)) throw new Error(USAGE)
const pool = new Pool(origin, { connections: null, pipelining: 1, keepAliveTimeout: 120_000, headersTimeout: 0, bodyTimeout: 0 })
const upstreamHost = new URL(origin).host
const scheme = tlsAt < 0 ? 'http' : 'https'
const VIA = `1.1 ${SERVER_TOKEN}`
// request ids as Tollgate makes them (src/proxy/worker-state.ts): a random prefix and a counter
const idPrefix = randomBytes(8).toString('hex')
let idCounter = 0

// One object per request is the whole state (as the gateway's RequestContext), no closures.
class Forward {
  readonly res: ClientAnswer
  resume: (() => void) | null
  abort: ((err?: Error) => void) | null
  /** --kong: the request's arrival, its dispatch upstream and its id */
  readonly startedAt: number
  dispatchedAt: number
  readonly requestId: string
  constructor (res: ClientAnswer, startedAt: number, requestId: string) {
    this.res = res
    this.resume = null
    this.abort = null
    this.startedAt = startedAt
    this.dispatchedAt = 0
    this.requestId = requestId
  }

  onConnect (abort: (err?: Error) => void): void {
    this.abort = abort
  }

  onHeaders (statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    // a 1xx is not passed on: node:http sends its own 100 Continue
    if (statusCode < 200) return true
    this.resume = resume
    const headers = endToEnd(rawHeaders, '')
    if (kong) {
      const firstByteAt = performance.now()
      headers.push('via', VIA,
        'x-kong-upstream-latency', String(Math.round(firstByteAt - this.dispatchedAt)),
        'x-kong-proxy-latency', String(Math.round(this.dispatchedAt - this.startedAt)),
        'x-kong-request-id', this.requestId)
      if (microseconds) {
        headers.push('x-tollgate-proxy-latency-us', String(Math.round((this.dispatchedAt - this.startedAt) * 1000)),
          'x-tollgate-upstream-latency-us', String(Math.round((firstByteAt - this.dispatchedAt) * 1000)))
      }
    }
    // HTTP/2 has no reason phrase (node:http2 warns when given one)
    if (statusText === '' || h2) this.res.writeHead(statusCode, headers)
    else (this.res as ServerResponse).writeHead(statusCode, statusText, headers)
    return true
  }

  onData (chunk: Buffer): boolean {
    // the client left: stop the upstream exchange rather than read a body nobody will get
    if (gone(this.res)) {
      this.abort?.()
      return false
    }
    if (this.res.write(chunk)) return true
    this.res.once('drain', this.resume!)
    return false
  }

  onComplete (): void {
    this.res.end()
  }

  onError (): void {
    if (this.res.headersSent || gone(this.res)) {
      this.res.destroy()
      return
    }
    this.res.writeHead(502)
    this.res.end()
  }
}

function forward (req: ClientRequest, res: ServerResponse | Http2ServerResponse): void {
  if (kong) return forwardWithKongHeaders(req, res)
  pool.dispatch({
    path: req.url ?? '/',
    method: req.method ?? 'GET',
    headers: endToEnd(req.rawHeaders, 'host'),
    body: hasBody(req) ? req : null
  }, new Forward(res, 0, ''))
}

function forwardWithKongHeaders (req: ClientRequest, res: ServerResponse | Http2ServerResponse): void {
  const startedAt = performance.now()
  const requestId = idPrefix + (++idCounter).toString(16).padStart(16, '0')
  const url = req.url ?? '/'
  const query = url.indexOf('?')
  const path = query < 0 ? url : url.slice(0, query)
  // the gateway's own readers: the TLS socket found once per HTTP/2 session, :authority standing in for Host
  const http2 = req.httpVersionMajor === 2
  const socket = clientSocket(req as IncomingMessage, http2)
  const remote = socket.remoteAddress ?? ''
  const host = requestHost(req as IncomingMessage, http2) ?? ''
  const headers = endToEnd(req.rawHeaders, 'host')
  headers.push('host', upstreamHost,
    'x-forwarded-for', remote,
    'x-real-ip', remote,
    'x-forwarded-proto', scheme,
    'x-forwarded-host', hostWithoutPort(host),
    'x-forwarded-port', String(socket.localPort),
    'x-forwarded-path', path,
    'x-forwarded-prefix', path,
    'x-kong-request-id', requestId)
  const handler = new Forward(res, startedAt, requestId)
  handler.dispatchedAt = performance.now()
  pool.dispatch({ path: url, method: req.method ?? 'GET', headers, body: hasBody(req) ? req : null }, handler)
}

/** The server the mode asks for, with the options the gateway's listener of that kind has in common with it. */
function listener (): Server {
  const common = { keepAliveTimeout: 120_000, noDelay: true }
  if (tlsAt < 0) return createServer(common, forward)
  const tls = { cert: readFileSync(flags[tlsAt + 1]), key: readFileSync(flags[tlsAt + 2]) }
  if (!h2) return createHttpsServer({ ...common, ...tls, ALPNProtocols: ['http/1.1'] }, forward)
  const server = createSecureServer({ ...tls, allowHTTP1: true }, forward)
  // the TLS socket itself, for clientSocket, as the gateway's http2 listener marks it
  server.on('secureConnection', markClientSocket)
  // as the gateway's http2 listener: net.Server reads `noDelay` from the instance at each accept, and the
  // HTTP/1.1 side (node:http's connection listener) reads keepAliveTimeout from the server
  Object.assign(server, common)
  return server
}

const server = listener()
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const port = (server.address() as { port: number }).port

serveParent({ url: `${tlsAt < 0 ? 'http' : 'https'}://127.0.0.1:${port}`, port }, {}, async () => {
  ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
  server.close()
  await pool.close()
})
