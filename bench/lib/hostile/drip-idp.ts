// Attack f's IdP: a discovery document and an empty JWKS answered at once, and a token endpoint that
// sends its status line and headers (a Content-Length covering the whole answer) and then one body byte
// a second: whitespace, which JSON allows before a value, then a token answer at the end. A gateway
// that bounds each read but not the whole exchange waits for all of it. It runs in the bench's own
// process: it only needs timers. Token requests are counted; every socket is closed on close().

import { createServer, type ServerResponse } from 'node:http'
import { once } from 'node:events'

export interface DripIdp {
  readonly url: string
  tokenRequests: number
  close (): Promise<void>
}

export async function startDripIdp (dripS: number): Promise<DripIdp> {
  const timers = new Set<NodeJS.Timeout>()
  const idp: DripIdp = { url: '', tokenRequests: 0, close }
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/.well-known/openid-configuration') return json(res, discovery(idp.url))
    if (path === '/jwks') return json(res, { keys: [] })
    if (path === '/token' && req.method === 'POST') {
      idp.tokenRequests++
      req.resume()
      return drip(res, dripS, timers)
    }
    res.writeHead(404).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  ;(idp as { url: string }).url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  async function close (): Promise<void> {
    for (const timer of timers) clearInterval(timer)
    server.closeAllConnections()
    server.close()
  }
  return idp
}

function discovery (url: string): Record<string, unknown> {
  return {
    issuer: url,
    token_endpoint: `${url}/token`,
    jwks_uri: `${url}/jwks`,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    grant_types_supported: ['client_credentials']
  }
}

function json (res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
}

function drip (res: ServerResponse, dripS: number, timers: Set<NodeJS.Timeout>): void {
  const tail = JSON.stringify({ access_token: 'dripped-opaque-token', token_type: 'Bearer', expires_in: 60 })
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': dripS + tail.length })
  res.flushHeaders()
  let sent = 0
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer)
      timers.delete(timer)
      return
    }
    if (++sent < dripS) {
      res.write(' ')
      return
    }
    clearInterval(timer)
    timers.delete(timer)
    res.end(` ${tail}`)
  }, 1000)
  timers.add(timer)
}
