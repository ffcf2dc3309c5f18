// Negative caching: credentials the IdP refused are remembered for cache_ttl_neg (10 s when unset), so a
// client looping with a wrong secret costs the IdP one call, not one per request. A different secret is
// a different key, so fixing the secret is never delayed.

import t from 'tap'
import { assertKongUnauthorized, basicAuth, clientBasic, howToConfig, oidcService, ROUTE, startOidcStack } from '../../helpers/oidc-stack.ts'

const LOOP = 20

t.test('a wrong secret in a loop: one IdP call within cache_ttl_neg', async (t) => {
  const stack = await startOidcStack(t, {
    services: (idp, upstream) => [
      oidcService('example-service', upstream.url, ROUTE, { ...howToConfig(idp), cache_ttl_neg: 60 }),
      oidcService('default-neg', upstream.url, '/default-neg', { ...howToConfig(idp), cache_tokens_salt: 'default-neg' })
    ]
  })
  const { idp, upstream } = stack
  const { client_id: id } = idp.clients.secret

  const loop = async (path: string, authorization: string, label: string): Promise<void> => {
    for (let i = 0; i < LOOP; i++) {
      const reply = await stack.proxy(path, { headers: { authorization } })
      if (i === 0 || i === LOOP - 1) assertKongUnauthorized(t, reply, `${label} #${i + 1}`)
      else t.equal(reply.status, 401)
    }
  }

  await loop(ROUTE, basicAuth(id, 'wrong'), 'wrong secret')
  t.equal(idp.tokenRequests, 1, `${LOOP} requests, one IdP call`)
  await loop(ROUTE, basicAuth('nobody', 'wrong'), 'unknown client')
  t.equal(idp.tokenRequests, 2, 'another key, one more call')
  await loop('/default-neg', basicAuth(id, 'wrong'), 'cache_ttl_neg unset')
  t.equal(idp.tokenRequests, 3, 'negatively cached by default too')

  const fixed = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(idp.clients.secret) } })
  t.equal(fixed.status, 200, 'the right secret is not held back by the wrong one\'s entry')
  t.equal(idp.tokenRequests, 4)
  t.equal(upstream.requests.length, 1)
})
