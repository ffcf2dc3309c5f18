// The `floor-bare`: the least a Node process can do to pass a request on, a raw node:http server
// forwarding each request through an undici Pool with the same native dispatch-handler API the gateway
// uses, and nothing else: no routing, no plugins, no request header forwarded, only Content-Type and
// Content-Length copied back. No real proxy can be this bare (it drops the client's headers), so it is the
// lower bound of a forwarder's cost, not what a user would compare Tollgate with: that is `floor`
// (bench/procs/floor.ts), which forwards and copies back every end-to-end header.
// The bench sends GETs only, so request bodies are not forwarded.
// Run: node bench/procs/floor-bare.ts <upstream origin> (started by the suite)

import { createServer, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import { Pool } from 'undici'
import { serveParent } from '../lib/serve-parent.ts'

const origin = process.argv[2]
if (origin === undefined) throw new Error('usage: floor-bare.ts <upstream origin>')
const pool = new Pool(origin, { connections: null, pipelining: 1, keepAliveTimeout: 120_000, headersTimeout: 0, bodyTimeout: 0 })

// One object per request is the whole state (as the gateway's RequestContext), no closures.
class Forward {
  readonly res: ServerResponse
  resume: (() => void) | null
  constructor (res: ServerResponse) {
    this.res = res
    this.resume = null
  }

  onConnect (): void {}

  onHeaders (statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.resume = resume
    const headers: string[] = []
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i].toString('latin1').toLowerCase()
      if (name === 'content-length' || name === 'content-type') headers.push(name, rawHeaders[i + 1].toString('latin1'))
    }
    this.res.writeHead(statusCode, headers)
    return true
  }

  onData (chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true
    this.res.once('drain', this.resume!)
    return false
  }

  onComplete (): void {
    this.res.end()
  }

  onError (): void {
    if (this.res.headersSent) this.res.destroy()
    else this.res.writeHead(502).end()
  }
}

const server = createServer({ keepAliveTimeout: 120_000, noDelay: true }, (req, res) => {
  pool.dispatch({ path: req.url ?? '/', method: req.method ?? 'GET', headers: null, body: null }, new Forward(res))
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const port = (server.address() as { port: number }).port

serveParent({ url: `http://127.0.0.1:${port}`, port }, {}, async () => {
  server.closeAllConnections()
  server.close()
  await pool.close()
})
