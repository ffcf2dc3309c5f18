// A real upstream HTTP server for tests: echoes what it received as JSON (method, url, headers, body
// size), or misbehaves on request by path: /slow?ms=N, /bytes?n=N (streamed download), /reset (destroys
// the socket), /garbage (invalid HTTP), /status?code=N, /upload (counts a streamed body, bounded memory).

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
  readonly requests: ReceivedRequest[]
  /** distinct client sockets seen (keep-alive reuse shows as few sockets for many requests) */
  readonly sockets: Set<Socket>
  close (): Promise<void>
}

const CHUNK = Buffer.alloc(64 * 1024, 'x')

export async function startUpstream (): Promise<TestUpstream> {
  const requests: ReceivedRequest[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => { handle(req, res, requests).catch(() => res.destroy()) })
  server.keepAliveTimeout = 30_000
  server.on('connection', (socket: Socket) => sockets.add(socket))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    host: '127.0.0.1',
    requests,
    sockets,
    async close () {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}

async function handle (req: IncomingMessage, res: ServerResponse, requests: ReceivedRequest[]): Promise<void> {
  let bodyBytes = 0
  for await (const chunk of req as AsyncIterable<Buffer>) bodyBytes += chunk.length
  const url = new URL(req.url ?? '/', 'http://upstream')
  requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes, remotePort: req.socket.remotePort ?? 0 })
  const tail = url.pathname.slice(url.pathname.lastIndexOf('/'))
  if (tail === '/reset') {
    req.socket.destroy()
    return
  }
  if (tail === '/garbage') {
    req.socket.end('this is not HTTP\r\n\r\n')
    return
  }
  if (tail === '/slow') await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('ms') ?? 1000)))
  if (tail === '/bytes') return await streamBytes(res, Number(url.searchParams.get('n') ?? 0))
  const status = tail === '/status' ? Number(url.searchParams.get('code') ?? 200) : 200
  const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes })
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), server: 'test-upstream' })
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
