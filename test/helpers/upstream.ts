// A real upstream HTTP server for tests: echoes what it received as JSON (method, url, headers, body
// size), or misbehaves on request by the last path segment: /slow?ms=N (answers late), /bytes?n=N
// (streamed download), /drip?chunks=N&ms=M (the head and a first byte, then a byte every M ms, N in all),
// /reset (destroys the socket), /garbage (invalid HTTP), /status?code=N,
// /headers?h=Name:Value (adds response headers, repeatable; with code=N, that status too). Request bodies are counted, never kept.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { Socket } from 'node:net'

export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage['headers']
  readonly rawHeaders: string[]
  readonly bodyBytes: number
  readonly remotePort: number
}

export interface TestUpstream {
  readonly url: string
  readonly port: number
  readonly host: string
  /** every request, recorded once its body was read (before any /slow delay) */
  readonly requests: ReceivedRequest[]
  /** distinct client sockets seen (keep-alive reuse shows as few sockets for many requests) */
  readonly sockets: Set<Socket>
  /** resolves with the first client connection (already open or future) */
  waitForConnection (): Promise<Socket>
  /** resolves with the first request (already received or future) matching `match` */
  waitForRequest (match: (r: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>
  close (): Promise<void>
}

const CHUNK = Buffer.alloc(64 * 1024, 'x')

interface Watcher {
  readonly match: (r: ReceivedRequest) => boolean
  readonly resolve: (r: ReceivedRequest) => void
}

export async function startUpstream (): Promise<TestUpstream> {
  const requests: ReceivedRequest[] = []
  const sockets = new Set<Socket>()
  const watchers = new Set<Watcher>()
  const record = (r: ReceivedRequest): void => {
    requests.push(r)
    for (const w of watchers) if (w.match(r)) { watchers.delete(w); w.resolve(r) }
  }
  const server: Server = createServer((req, res) => { handle(req, res, record).catch(() => res.destroy()) })
  server.keepAliveTimeout = 30_000
  const connectionWaiters: Array<(socket: Socket) => void> = []
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    for (const resolve of connectionWaiters.splice(0)) resolve(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    host: '127.0.0.1',
    requests,
    sockets,
    waitForConnection () {
      const [first] = sockets
      return first !== undefined ? Promise.resolve(first) : new Promise((resolve) => connectionWaiters.push(resolve))
    },
    waitForRequest (match, timeoutMs = 10_000) {
      const seen = requests.find(match)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watcher)
          reject(new Error(`no matching upstream request within ${timeoutMs} ms`))
        }, timeoutMs)
        const watcher: Watcher = { match, resolve: (r) => { clearTimeout(timer); resolve(r) } }
        watchers.add(watcher)
      })
    },
    async close () {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}

async function handle (req: IncomingMessage, res: ServerResponse, record: (r: ReceivedRequest) => void): Promise<void> {
  let bodyBytes = 0
  for await (const chunk of req as AsyncIterable<Buffer>) bodyBytes += chunk.length
  const url = new URL(req.url ?? '/', 'http://upstream')
  record({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes, remotePort: req.socket.remotePort ?? 0 })
  const tail = url.pathname.slice(url.pathname.lastIndexOf('/'))
  if (tail === '/reset') {
    req.socket.destroy()
    return
  }
  if (tail === '/garbage') {
    req.socket.end('this is not HTTP\r\n\r\n')
    return
  }
  // unref'd: a test that is done does not wait for a slow answer nobody reads any more
  if (tail === '/slow') await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('ms') ?? 1000)).unref())
  if (tail === '/bytes') return await streamBytes(res, Number(url.searchParams.get('n') ?? 0))
  if (tail === '/drip') return await drip(res, Number(url.searchParams.get('chunks') ?? 1), Number(url.searchParams.get('ms') ?? 100))
  const status = tail === '/status' || tail === '/headers' ? Number(url.searchParams.get('code') ?? 200) : 200
  const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes })
  const headers = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), 'server', 'test-upstream']
  if (tail === '/headers') {
    for (const pair of url.searchParams.getAll('h')) {
      const colon = pair.indexOf(':')
      headers.push(pair.slice(0, colon), pair.slice(colon + 1))
    }
  }
  res.writeHead(status, headers)
  res.end(body)
}

async function streamBytes (res: ServerResponse, total: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total })
  let sent = 0
  while (sent < total) {
    const n = Math.min(CHUNK.length, total - sent)
    const ok = res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))
    sent += n
    if (!ok) await once(res, 'drain')
  }
  res.end()
}

async function drip (res: ServerResponse, chunks: number, gapMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': chunks })
  res.write('x')
  for (let i = 1; i < chunks && !res.destroyed; i++) {
    // unref'd, as /slow: a finished test does not wait for the rest
    await new Promise((resolve) => setTimeout(resolve, gapMs).unref())
    res.write('x')
  }
  res.end()
}
