// The demo's upstream: answers every request with the method, path and headers it received, so the
// walk-through can show the bearer token the gateway put in place of the caller's Basic credentials.

import { createServer, type Server } from 'node:http'
import { once } from 'node:events'

export interface EchoUpstream {
  readonly url: string
  close (): Promise<void>
}

export async function startEchoUpstream (host = '127.0.0.1'): Promise<EchoUpstream> {
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, path: req.url, headers: req.headers }, null, 2)
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  })
  server.listen(0, host)
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    url: `http://${host}:${port}`,
    async close () {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}
