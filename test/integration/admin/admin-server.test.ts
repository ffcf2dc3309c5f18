// The Admin server on its own (a real listener on port 0, handlers stubbed): every JSON answer, a plugin
// route's included, has URL user info redacted, and a refused request never reaches a handler.

import t from 'tap'
import { AdminServer } from '../../../src/admin/server.ts'
import { createLogger } from '../../../src/core/log.ts'
import { call } from './admin-helpers.ts'

const quiet = createLogger('crit', { write: () => true }, { write: () => true })

t.test('JSON answers never carry URL user info', async (t) => {
  let reached = 0
  const server = new AdminServer({
    handlers: () => [() => {
      reached++
      return { status: 200, body: { data: [{ issuer: 'https://client:issuer-s3cr3t@idp.example.com/realms/x', configuration: { token_endpoint: 'https://idp.example.com/token@v2' } }] } }
    }],
    maxBodySize: () => 1024,
    latencyHeader: () => false,
    logger: quiet,
    security: () => ({ token: null, allowedHosts: [] }),
  })
  await server.listen([{ host: '127.0.0.1', port: 0, flags: [], ssl: false, http2: false, backlog: 511, ipv6Only: null, soKeepalive: null }])
  t.teardown(async () => { await server.close() })
  const base = `http://${server.addresses[0]}`
  const reply = await call(base, 'GET', '/openid-connect/issuers')
  t.equal(reply.status, 200)
  t.notMatch(reply.text, /s3cr3t/)
  t.strictSame(reply.json(), { data: [{ issuer: 'https://<redacted>@idp.example.com/realms/x', configuration: { token_endpoint: 'https://idp.example.com/token@v2' } }] })
  t.equal((await call(base, 'GET', '/x', { headers: { host: 'evil.example' } })).status, 403)
  t.equal(reached, 1, 'the refused request did not reach a handler')
})

t.test('Host: localhost and admin_allowed_hosts names (case, trailing dot and port ignored) pass; others are 403', async (t) => {
  const server = new AdminServer({
    handlers: () => [() => ({ status: 200, body: {} })],
    maxBodySize: () => 1024,
    latencyHeader: () => false,
    logger: quiet,
    security: () => ({ token: null, allowedHosts: ['admin.example.com'] }),
  })
  await server.listen([{ host: 'localhost', port: 0, flags: [], ssl: false, http2: false, backlog: 511, ipv6Only: null, soKeepalive: null }])
  t.teardown(async () => { await server.close() })
  const port = server.addresses[0].slice(server.addresses[0].lastIndexOf(':') + 1)
  const base = `http://127.0.0.1:${port}`
  for (const [host, status] of [[`localhost:${port}`, 200], ['admin.example.com', 200], ['ADMIN.example.com.:1', 200], ['other.example.com', 403]] as const) {
    t.equal((await call(base, 'GET', '/', { headers: { host } })).status, status, host)
  }
})
