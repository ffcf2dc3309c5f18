// Broker mode with the client's own key: client_jwk[i] signs the private_key_jwt assertion instead of the
// gateway's generated key, so an IdP that registered the client's key (not the gateway's) accepts it.

import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { exportJWK, generateKeyPair } from 'jose'
import { basicAuth, oidcService, ROUTE, startOidcStack } from '../../helpers/oidc-stack.ts'

t.test('client_jwk signs the assertion in broker mode', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = 'client-own-key'
  const publicJwk = { ...await exportJWK(publicKey), kid, alg: 'ES256', use: 'sig' }
  const privateJwk = { ...await exportJWK(privateKey), kid, alg: 'ES256', use: 'sig' }
  // the client's key set, as the IdP would have it registered: the gateway's own keys are not in it
  const keySet = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' })
    res.end(JSON.stringify({ keys: [publicJwk] }))
  })
  keySet.listen(0, '127.0.0.1')
  await once(keySet, 'listening')
  t.teardown(() => new Promise((resolve) => keySet.close(resolve)))

  const secret = 'gateway-side-secret'
  const stack = await startOidcStack(t, {
    services: (idp, upstream) => [oidcService('example-service', upstream.url, ROUTE, {
      issuer: idp.issuer,
      client_id: [idp.clients.jwt.client_id],
      client_secret: [secret],
      client_auth: ['private_key_jwt'],
      client_jwk: [privateJwk],
      auth_methods: ['client_credentials'],
      client_credentials_param_type: ['header'],
      cache_tokens_salt: 'client-jwk',
      display_errors: true
    })]
  })
  const { idp } = stack
  await idp.setJwtClientJwksUri(`http://127.0.0.1:${(keySet.address() as { port: number }).port}/jwks`)

  const reply = await stack.proxy(ROUTE, { headers: { authorization: basicAuth(idp.clients.jwt.client_id, secret) } })
  t.equal(reply.status, 200, reply.text)
  t.equal(idp.tokenRequests, 1)
  const seen = JSON.parse(reply.text).headers.authorization as string
  t.match(seen, /^Bearer \S+$/, 'the upstream got the token')
})
