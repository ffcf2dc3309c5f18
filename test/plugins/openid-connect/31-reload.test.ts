// The shared token cache belongs to the gateway, not to a config: a SIGHUP reload that leaves the plugin
// as it was (or changes something else) serves the cached token with no new IdP call, on every worker.
// A reload that changes the cache key (cache_tokens_salt) does ask again, which shows the first part can fail.

import t from 'tap'
import { clientBasic, howToConfig, oidcService, ROUTE, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'

const REQUESTS = 20

t.test('the token cache survives a reload', async (t) => {
  const stack = await startOidcStack(t, { settings: { worker_processes: 2 } })
  const { idp, gateway, upstream } = stack
  const authorization = clientBasic(idp.clients.secret)
  const first = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(first.status, 200)
  const token = upstreamBearer(first)
  t.equal(idp.tokenRequests, 1)

  const served = async (label: string): Promise<Set<string | null>> => {
    const tokens = new Set<string | null>()
    const workers = new Set<string>()
    for (let i = 0; i < REQUESTS; i++) {
      const reply = await stack.proxy(ROUTE, { headers: { authorization } })
      t.equal(reply.status, 200, `${label}: 200`)
      tokens.add(upstreamBearer(reply))
      workers.add((reply.headers['x-kong-request-id'] as string).slice(0, 16))
    }
    t.equal(workers.size, 2, `${label}: both workers answered`)
    return tokens
  }

  t.equal((await gateway.reload()).event, 'reloaded', 'SIGHUP with the same file')
  t.same([...await served('same config')], [token], 'the cached token on both workers')
  t.equal(idp.tokenRequests, 1, 'no IdP call after the reload')

  const plugin = howToConfig(idp)
  await gateway.writeConfig({
    services: [
      oidcService('example-service', upstream.url, ROUTE, plugin),
      { name: 'other', url: upstream.url, routes: [{ name: 'other-route', paths: ['/other'] }] }
    ]
  })
  t.equal((await gateway.reload()).event, 'reloaded', 'a route added, the plugin unchanged')
  t.equal((await stack.proxy('/other')).status, 200, 'the new config is live')
  t.same([...await served('route added')], [token])
  t.equal(idp.tokenRequests, 1, 'still no IdP call')

  await gateway.writeConfig({ services: [oidcService('example-service', upstream.url, ROUTE, { ...plugin, cache_tokens_salt: 'changed' })] })
  t.equal((await gateway.reload()).event, 'reloaded', 'the cache key changed')
  const renewed = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(renewed.status, 200)
  t.not(upstreamBearer(renewed), token, 'a new key, a new token')
  t.equal(idp.tokenRequests, 2)
})
