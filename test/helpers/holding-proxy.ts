// An HTTP proxy in front of the test IdP that holds every answer back a while, so that concurrent requests
// overlap one IdP call (single flight across workers or nodes). Used as the plugin's introspection_endpoint.

import { createServer, request } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { once } from 'node:events'
import type { Test } from 'tap'

/** Starts the proxy (closed in `t`'s teardown); resolves with its URL for `path` (the IdP's introspection endpoint). */
export async function holdingProxy (t: Test, target: string, holdMs: number, path = '/token/introspection'): Promise<string> {
  const { hostname, port } = new URL(target)
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const out = request({ host: hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer: IncomingMessage) => {
        const body: Buffer[] = []
        answer.on('data', (chunk: Buffer) => body.push(chunk))
        answer.on('end', () => setTimeout(() => {
          res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' })
          res.end(Buffer.concat(body))
        }, holdMs))
      })
      out.on('error', () => res.destroy())
      out.end(Buffer.concat(chunks))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`
}
