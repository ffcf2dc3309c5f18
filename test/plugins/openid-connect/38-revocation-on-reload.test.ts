// Revocation by reload: removing a broker client (SIGHUP) or changing it (POST /config) left its cached
// token served until it expired, an hour by default. The key now names the instance's token config and the
// broker's key, so a changed instance or client cannot reach its old entries, while an unchanged one keeps
// them (31-reload has the same-file case with two workers).

import t from 'tap'
import { basicAuth, howToConfig, oidcService, ROUTE, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'

const BROKER_SECRET = 'revocable-broker-secret'

t.test('a reload that removes or changes a broker client makes its cached token unusable at once', async (t) => {
  const stack = await startOidcStack(t, { plugin: { client_secret: [BROKER_SECRET] } })
  const { idp, gateway, upstream } = stack
  await idp.setJwtClientJwksUri(`${gateway.adminUrl}/openid-connect/jwks`)
  const authorization = basicAuth(idp.clients.jwt.client_id, BROKER_SECRET)
  const config = (plugin: Record<string, unknown>) => ({ services: [oidcService('example-service', upstream.url, ROUTE, plugin)] })
  const postConfig = async (plugin: Record<string, unknown>): Promise<number> => (await stack.admin('/config', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _format_version: '3.0', ...config(plugin) })
  })).status

  const first = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(first.status, 200)
  const brokered = upstreamBearer(first)
  t.equal(upstreamBearer(await stack.proxy(ROUTE, { headers: { authorization } })), brokered, 'cached')
  t.equal(idp.tokenRequests, 1)

  await gateway.writeConfig(config(howToConfig(idp)))
  t.equal((await gateway.reload()).event, 'reloaded', 'SIGHUP: the broker client removed (no client_secret)')
  const removed = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(removed.status, 401, 'the caller now goes Kong\'s way with the broker secret, which the IdP refuses')
  t.equal(idp.tokenRequests, 2, 'asked the IdP instead of serving the broker-fetched token')

  const es256 = { ...howToConfig(idp), client_secret: [BROKER_SECRET], client_alg: ['ES256'] }
  t.equal(await postConfig(es256), 201, 'POST /config: the client is brokered again, signing ES256')
  const changed = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(changed.status, 200)
  const renewed = upstreamBearer(changed)
  t.not(renewed, brokered, 'a changed client gets a new token, not the old one')
  t.equal(idp.tokenRequests, 3)

  t.equal(await postConfig(es256), 201, 'POST /config with the same plugin')
  t.equal(upstreamBearer(await stack.proxy(ROUTE, { headers: { authorization } })), renewed, 'an unchanged client keeps its token')
  t.equal(idp.tokenRequests, 3)

  t.equal(await postConfig({ ...es256, scopes: ['openid', 'api'] }), 201, 'POST /config: the instance\'s scopes changed')
  const rescoped = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(rescoped.status, 200)
  t.not(upstreamBearer(rescoped), renewed, 'a changed instance gets a new token')
  t.equal(idp.tokenRequests, 4)
})
