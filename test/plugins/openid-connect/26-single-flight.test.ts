// Single flight across worker threads: 100 concurrent cold requests for one credential, spread over two
// workers, make exactly one token request; the others wait on the shared cache for its outcome. The token
// answer is held back by a proxy so that every request arrives while the one fill is still in flight.

import t from 'tap'
import { startIdp } from '../../helpers/idp.ts'
import { assertKongUnauthorized, basicAuth, clientBasic, howToConfig, ROUTE, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'
import { startTokenProxy } from '../../helpers/oidc-token-proxy.ts'

const CONCURRENCY = 100
const HOLD_MS = 600

t.test('100 concurrent cold requests over 2 workers: one IdP token call', async (t) => {
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const proxy = await startTokenProxy(idp.url)
  t.teardown(() => proxy.close())
  const stack = await startOidcStack(t, {
    idp,
    plugin: { ...howToConfig(idp), token_endpoint: proxy.tokenEndpoint },
    settings: { worker_processes: 2 }
  })
  proxy.delayMs = HOLD_MS

  await t.test('a good credential: all 200 with the one token', async (t) => {
    const authorization = clientBasic(idp.clients.secret)
    const replies = await Promise.all(Array.from({ length: CONCURRENCY }, () => stack.proxy(ROUTE, { headers: { authorization } })))
    t.same(replies.map((r) => r.status), replies.map(() => 200), 'all 200')
    t.equal(idp.tokenRequests, 1, 'exactly one token request reached the IdP')
    t.equal(proxy.requests.length, 1)
    const tokens = new Set(replies.map(upstreamBearer))
    t.same([...tokens], [proxy.requests[0].issued], 'every request carried the one token')
    const workers = new Set(replies.map((r) => (r.headers['x-kong-request-id'] as string).slice(0, 16)))
    t.equal(workers.size, 2, 'both workers served some of them')
  })

  await t.test('a wrong secret: all 401 after one IdP call', async (t) => {
    const before = idp.tokenRequests
    const authorization = basicAuth(idp.clients.secret.client_id, 'not-the-secret')
    const replies = await Promise.all(Array.from({ length: CONCURRENCY }, () => stack.proxy(ROUTE, { headers: { authorization } })))
    for (const reply of replies.slice(0, 3)) assertKongUnauthorized(t, reply, 'wrong secret')
    t.same(replies.map((r) => r.status), replies.map(() => 401), 'all 401')
    t.equal(idp.tokenRequests, before + 1, 'one IdP call for all of them')
  })
})
