// Two introspection set-ups the other files do not reach:
// - introspect_jwt_tokens (Kong's handler.lua: a verified JWT is introspected as well and must be active):
//   oidc-provider refuses to introspect the JWTs it issues, so a small introspection endpoint in the test
//   answers for them, as a resource server's IdP would;
// - the gateway authenticating to the introspection endpoint with its own private_key_jwt assertion
//   (client_auth private_key_jwt, no secret), signed in the signing pool, against the real oidc-provider,
//   which fetches the gateway's keys from Admin /openid-connect/jwks.

import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { startIdp } from '../../helpers/idp.ts'
import { assertKongUnauthorized, echoed, oidcService, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'

interface StubIntrospection {
  readonly url: string
  active: boolean
  requests: number
  authorization: string | undefined
}

/** An introspection endpoint answering `{ active }` plus a claim, counting its calls. */
async function stubIntrospection (t: Test): Promise<StubIntrospection> {
  const stub: StubIntrospection = { url: '', active: true, requests: 0, authorization: undefined }
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      stub.requests++
      stub.authorization = req.headers.authorization
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(stub.active ? { active: true, department: 'sales' } : { active: false }))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return Object.assign(stub, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/introspect` })
}

t.test('introspect_jwt_tokens: a verified JWT must also be active', async (t) => {
  const idp = await startIdp({ accessTokenFormat: 'jwt' })
  t.teardown(() => idp.close())
  const stub = await stubIntrospection(t)
  const stack = await startOidcStack(t, {
    idp,
    services: (idp, upstream) => [oidcService('jwt', upstream.url, '/jwt', {
      issuer: idp.issuer,
      auth_methods: ['bearer'],
      introspect_jwt_tokens: true,
      introspection_endpoint: stub.url,
      client_id: ['resource-server'],
      client_secret: ['rs-secret'],
      upstream_headers_claims: ['department'],
      upstream_headers_names: ['x-department']
    })]
  })
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })

  const token = await idp.issueToken(idp.clients.secret)
  const first = await stack.proxy('/jwt', bearer(token))
  t.equal(first.status, 200)
  t.equal(upstreamBearer(first), token)
  t.equal(echoed(first).headers['x-department'], 'sales', 'a claim from the introspection answer')
  t.equal(stub.requests, 1, 'the verified JWT was introspected')
  t.match(stub.authorization, /^Basic /, 'with the plugin\'s client (client_secret_basic)')
  t.equal((await stack.proxy('/jwt', bearer(token))).status, 200)
  t.equal(stub.requests, 1, 'the answer is cached')

  stub.active = false
  const revoked = await idp.issueToken(idp.clients.secret)
  assertKongUnauthorized(t, await stack.proxy('/jwt', bearer(revoked)), 'a valid JWT the IdP says is not active')
  t.equal(stub.requests, 2)
  assertKongUnauthorized(t, await stack.proxy('/jwt', bearer('not-a-jwt')), 'bearer alone does not introspect an opaque token')
})

t.test('introspection with the gateway\'s own private_key_jwt assertion', async (t) => {
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const stack = await startOidcStack(t, {
    idp,
    services: (idp, upstream) => [oidcService('signed', upstream.url, '/signed', {
      issuer: idp.issuer,
      auth_methods: ['introspection'],
      client_id: [idp.clients.jwt.client_id],
      client_auth: ['private_key_jwt']
    })]
  })
  // the IdP learns the gateway's public keys where the gateway publishes them
  await idp.setJwtClientJwksUri(`${stack.gateway.adminUrl}/openid-connect/jwks`)
  const token = await idp.issueToken(idp.clients.secret)
  const reply = await stack.proxy('/signed', { headers: { authorization: `Bearer ${token}` } })
  t.equal(reply.status, 200, 'the IdP accepted the gateway\'s assertion and the token is active')
  t.equal(idp.introspectionRequests, 1)
  const signing = (await stack.admin('/metrics')).text
  t.match(signing, /^tollgate_signing_latency_ms_count [1-9]\d*$/m, 'the assertion was signed in the signing pool')
})
