// Kong runs its authorization checks, consumer mapping and claim headers after every auth method
// (openid-connect handler.lua, after the tokens are obtained), so a token the gateway fetched with client
// credentials goes through them too: here with JWT access tokens from a real oidc-provider, on the first
// request (a cache fill) and on the cached hot path after it, which must give the same answer.

import t from 'tap'
import { startIdp } from '../../helpers/idp.ts'
import { clientBasic, echoed, oidcService, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'

const CONSUMER_ID = '0d2b2a3c-1111-4c1e-9d55-3a6e1f0c2b01'

t.test('client credentials tokens: requirements, consumer mapping and claim headers', async (t) => {
  const idp = await startIdp({ accessTokenFormat: 'jwt', extraTokenClaims: { tenant: 'acme' } })
  t.teardown(() => idp.close())
  const base = { issuer: idp.issuer, auth_methods: ['client_credentials'], client_credentials_param_type: ['header'] }
  const stack = await startOidcStack(t, {
    idp,
    consumers: [{ id: CONSUMER_ID, username: idp.clients.secret.client_id }],
    services: (_idp, upstream) => [
      oidcService('mapped', upstream.url, '/mapped', {
        ...base,
        scopes: ['openid', 'api'],
        scopes_required: ['api'],
        consumer_claims: [['client_id']],
        consumer_by: ['username'],
        upstream_headers_claims: ['tenant'],
        upstream_headers_names: ['x-tenant']
      }),
      oidcService('lacking', upstream.url, '/lacking', { ...base, scopes: ['openid'], scopes_required: ['api'] }),
      oidcService('plain', upstream.url, '/plain', base)
    ]
  })
  const caller = { headers: { authorization: clientBasic(idp.clients.secret), 'x-consumer-id': 'spoofed' } }

  await t.test('a fill and the hot path give the same grant', async (t) => {
    for (const label of ['fill', 'cached']) {
      const reply = await stack.proxy('/mapped', caller)
      t.equal(reply.status, 200, label)
      const headers = echoed(reply).headers
      t.equal(headers['x-consumer-id'], CONSUMER_ID, `${label}: the consumer the token's client_id names`)
      t.equal(headers['x-consumer-username'], idp.clients.secret.client_id)
      t.equal(headers['x-tenant'], 'acme', `${label}: a claim header`)
      t.ok(upstreamBearer(reply), `${label}: the token`)
    }
  })

  await t.test('a token without the required scope is a 403, cached or not', async (t) => {
    for (const label of ['fill', 'cached']) {
      const reply = await stack.proxy('/lacking', caller)
      t.equal(reply.status, 403, label)
      t.equal(reply.headers['www-authenticate'], 'Bearer realm="127.0.0.1", error="insufficient_scope"')
    }
  })

  await t.test('without anything to read from the claims, the consumer headers are still removed', async (t) => {
    const reply = await stack.proxy('/plain', caller)
    t.equal(reply.status, 200)
    t.equal(echoed(reply).headers['x-consumer-id'], undefined, 'the client\'s X-Consumer-ID does not pass')
  })
})
