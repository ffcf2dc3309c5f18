// The bench upstream: a minimal raw node:http server answering every request with the same small JSON
// body. Load aimed straight at it (`direct`) is the physical limit of this machine for one Node core.

import { createServer } from 'node:http'
import { once } from 'node:events'
import { serveParent } from '../lib/serve-parent.ts'

const BODY = Buffer.from('{"message":"hello from the bench upstream","ok":true}')
const HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) }

const server = createServer({ keepAliveTimeout: 120_000, noDelay: true }, (req, res) => {
  // a request body, if any, is drained so keep-alive stays usable
  if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) req.resume()
  res.writeHead(200, HEADERS)
  res.end(BODY)
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const port = (server.address() as { port: number }).port

serveParent({ url: `http://127.0.0.1:${port}`, port, bodyBytes: BODY.length }, {}, async () => {
  server.closeAllConnections()
  server.close()
})
