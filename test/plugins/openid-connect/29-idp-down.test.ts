// The IdP is down when the gateway starts: the gateway starts anyway, requests get a prompt 401 (as
// Kong), and once the IdP is back on the same port the gateway discovers it by itself (no traffic
// needed) and serves tokens. The same when the IdP goes away after discovery and comes back.

import t from 'tap'
import { startIdp } from '../../helpers/idp.ts'
import {
  assertKongUnauthorized, clientBasic, howToConfig, ROUTE, startOidcStack, until, waitForIssuers
} from '../../helpers/oidc-stack.ts'
import type { IssuerListing } from '../../helpers/oidc-stack.ts'

// Well under the 5 s a caller may wait for a rediscovery: while the IdP is down nobody should wait that out.
const PROMPT_MS = 4000

t.test('IdP down at gateway start, then back: 401s, then recovery by itself', async (t) => {
  const idp = await startIdp()
  t.teardown(() => idp.close())
  await idp.stop()
  const stack = await startOidcStack(t, { idp, plugin: { ...howToConfig(idp), timeout: 1000 }, issuers: 0 })
  const authorization = clientBasic(idp.clients.secret)

  const listed = await stack.admin('/openid-connect/issuers')
  t.same(listed.json<IssuerListing>().data, [], 'nothing discovered yet')
  for (let i = 0; i < 6; i++) {
    const reply = await stack.proxy(ROUTE, { headers: { authorization } })
    assertKongUnauthorized(t, reply, `request ${i + 1} while the IdP is down`)
    t.ok(Number(reply.headers['x-kong-response-latency']) < PROMPT_MS, `answered promptly (${reply.headers['x-kong-response-latency']} ms)`)
  }
  t.equal(stack.upstream.requests.length, 0)

  await idp.restart()
  // no proxy traffic from here: the gateway retries discovery on its own
  const listing = await waitForIssuers(stack)
  t.equal(listing.data[0].issuer, idp.issuer, 'discovered once the IdP was back')
  const ok = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(ok.status, 200)
  t.equal(idp.tokenRequests, 1)
})

t.test('IdP gone after discovery, then back: 401s while it is away, tokens again after', async (t) => {
  const stack = await startOidcStack(t, { plugin: { timeout: 1000 } })
  const { idp } = stack
  const cached = clientBasic(idp.clients.secretPost)
  t.equal((await stack.proxy(ROUTE, { headers: { authorization: cached } })).status, 200, 'a credential cached before')

  await idp.stop()
  const authorization = clientBasic(idp.clients.secret)
  for (let i = 0; i < 3; i++) {
    const reply = await stack.proxy(ROUTE, { headers: { authorization } })
    assertKongUnauthorized(t, reply, `cold credential ${i + 1} while the IdP is away`)
    t.ok(Number(reply.headers['x-kong-response-latency']) < PROMPT_MS, 'answered promptly')
  }
  t.equal((await stack.proxy(ROUTE, { headers: { authorization: cached } })).status, 200, 'the cached credential is still served')

  await idp.restart()
  const ok = await until('a token once the IdP is back', async () => {
    const reply = await stack.proxy(ROUTE, { headers: { authorization } })
    return reply.status === 200 ? reply : null
  }, { intervalMs: 100, timeoutMs: 15_000 })
  t.equal(ok.status, 200)
})
