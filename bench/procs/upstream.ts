// The bench upstream: a minimal raw node:http server answering every request with the same small JSON
// body. Load aimed straight at it (`direct`) is the physical limit of this machine for one Node core.
// Started with the argument `record` (bench/hostile.ts), it also counts the requests whose path holds
// `hostile`, by HTTP version and path, so an attack can tell what reached the upstream; without it the
// request path is exactly the one above. It also listens on 127.0.0.2 and 127.0.0.3 (same port, same
// handler): the three targets of the `balanced` scenario's upstream, so balancing is measured against the
// very server `proxy` uses.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import { serveParent } from '../lib/serve-parent.ts'

const BODY = Buffer.from('{"message":"hello from the bench upstream","ok":true}')
const HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) }

function answer (req: IncomingMessage, res: ServerResponse): void {
  // a request body, if any, is drained so keep-alive stays usable
  if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) req.resume()
  res.writeHead(200, HEADERS)
  res.end(BODY)
}

const server = createServer({ keepAliveTimeout: 120_000, noDelay: true }, answer)
const seen = new Map<string, number>()
if (process.argv[2] === 'record') {
  server.on('request', (req: IncomingMessage) => {
    if (req.url === undefined || !req.url.includes('hostile')) return
    const key = `HTTP/${req.httpVersion} ${req.url.slice(0, 200)}`
    seen.set(key, (seen.get(key) ?? 0) + 1)
  })
}
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const port = (server.address() as { port: number }).port
const extra: Server[] = []
for (const host of ['127.0.0.2', '127.0.0.3']) {
  const more = createServer({ keepAliveTimeout: 120_000, noDelay: true }, answer)
  more.listen(port, host)
  await once(more, 'listening')
  extra.push(more)
}
const targets = ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((host) => `${host}:${port}`)

serveParent({ url: `http://127.0.0.1:${port}`, port, bodyBytes: BODY.length, targets }, {
  /** `HTTP/<version> <path>` -> count, for the recorded requests (empty unless started with `record`) */
  seen: () => Object.fromEntries(seen)
}, async () => {
  for (const one of [server, ...extra]) {
    one.closeAllConnections()
    one.close()
  }
})
