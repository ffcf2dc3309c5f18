// An upstream that keeps what it received, body included (the shared echo upstream only counts body
// bytes): for checking that a body the openid-connect plugin read for credentials still arrives intact,
// or without the credential fields under hide_credentials. Answers 200 with the same record as JSON.

import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { once } from 'node:events'

export interface ReceivedWithBody {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface BodyUpstream {
  readonly url: string
  readonly requests: ReceivedWithBody[]
  close (): Promise<void>
}

export async function startBodyUpstream (): Promise<BodyUpstream> {
  const requests: ReceivedWithBody[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      requests.push(record)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(record))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close () {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}
