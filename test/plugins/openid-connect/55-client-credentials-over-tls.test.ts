// The client credentials flow of Kong's how-to (test 20) with the caller on TLS: an `ssl` and an
// `ssl http2` listener (issue 16) in front of the same openid-connect route. Basic credentials over
// HTTPS/1.1 buy a token the upstream receives as a Bearer; the same caller over HTTP/2 is served from the
// shared token cache without another IdP call; wrong credentials get Kong's 401 on both.

import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clientBasic, ROUTE, startOidcStack } from '../../helpers/oidc-stack.ts'
import { makeLeaf } from '../../helpers/tls-certs.ts'
import { sendH2, sendTls } from '../../helpers/tls-client.ts'

const dir = await mkdtemp(join(tmpdir(), 'tollgate-oidc-tls-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const leaf = await makeLeaf(null, ['localhost'])
const certFile = join(dir, 'cert.pem')
const keyFile = join(dir, 'key.pem')
await writeFile(certFile, leaf.pem)
await writeFile(keyFile, leaf.keyPem)

interface Echo { headers: Record<string, string | undefined> }

function bearerOf (echo: Echo): string | null {
  const authorization = echo.headers.authorization
  return authorization?.startsWith('Bearer ') === true ? authorization.slice(7) : null
}

t.test('client credentials over HTTPS/1.1 and HTTP/2', async (t) => {
  const stack = await startOidcStack(t, {
    settings: { proxy_listen: ['127.0.0.1:0', '127.0.0.1:0 ssl', '127.0.0.1:0 ssl http2'], ssl_cert: certFile, ssl_cert_key: keyFile }
  })
  const { idp, gateway } = stack
  const listening = gateway.logs.find((line) => line.event === 'listening')!.proxy as string[]
  const [, tlsPort, h2Port] = listening.map((address) => Number(address.slice(address.lastIndexOf(':') + 1)))
  const authorization = clientBasic(idp.clients.secret)

  const before = idp.tokenRequests
  const first = await sendTls(tlsPort, ROUTE, { servername: 'localhost', headers: { authorization } })
  t.equal(first.status, 200)
  t.equal(idp.tokenRequests, before + 1, 'one token request to the IdP')
  const echo = first.json<Echo>()
  const token = bearerOf(echo)
  t.ok(token !== null && token.length > 20, 'the upstream got Authorization: Bearer <token>')
  t.equal(echo.headers['x-forwarded-proto'], 'https', 'and X-Forwarded-Proto https')

  const second = await sendH2(h2Port, { ':method': 'GET', ':path': ROUTE, authorization })
  t.equal(second.headers[':status'], 200, 'HTTP/2 through the same route')
  t.equal(bearerOf(second.json<Echo>()), token, 'the cached token, shared across listeners and protocols')
  t.equal(idp.tokenRequests, before + 1, 'no second IdP call')

  const wrong = clientBasic({ ...idp.clients.secret, client_secret: 'not-the-secret' })
  const refusedTls = await sendTls(tlsPort, ROUTE, { servername: 'localhost', headers: { authorization: wrong } })
  t.equal(refusedTls.status, 401, 'wrong credentials over TLS: 401')
  t.equal(refusedTls.headers['www-authenticate'], 'Bearer realm="127.0.0.1", error="invalid_token"', 'Kong\'s challenge, the realm from the Host')
  t.equal(refusedTls.json().message, 'Unauthorized')
  const refusedH2 = await sendH2(h2Port, { ':method': 'GET', ':path': ROUTE, authorization: wrong })
  t.equal(refusedH2.headers[':status'], 401, 'and over HTTP/2')
  t.equal(refusedH2.headers['www-authenticate'], 'Bearer realm="127.0.0.1", error="invalid_token"', 'the realm from :authority')
})
