// The IdP's token endpoint fails (500, a 200 that is not JSON, no answer within `timeout`, a dropped
// connection): each request gets a prompt 401, failures are not cached as rejections (the next request asks
// again), cached credentials keep being served, and the gateway stays healthy. With cache_ttl_resurrect,
// an expired token is served stale while the IdP fails.

import t from 'tap'
import type { IdpFailMode } from '../../helpers/idp.ts'
import {
  assertKongUnauthorized, clientBasic, delay, howToConfig, oidcService, ROUTE, startOidcStack, upstreamBearer
} from '../../helpers/oidc-stack.ts'

const TIMEOUT_MS = 1000
// generous: a hung IdP must cost about `timeout`, far from Kong's 10 s default or a hang
const PROMPT_MS = 4 * TIMEOUT_MS

t.test('500, garbage, a hang past timeout and a dropped connection: prompt 401s, a healthy gateway', async (t) => {
  const stack = await startOidcStack(t, { plugin: { timeout: TIMEOUT_MS } })
  const { idp, gateway } = stack
  const warm = clientBasic(idp.clients.secretPost)
  const warmReply = await stack.proxy(ROUTE, { headers: { authorization: warm } })
  t.equal(warmReply.status, 200)
  const warmToken = upstreamBearer(warmReply)
  const cold = clientBasic(idp.clients.secret)

  idp.failOnly = 'token'
  const modes: IdpFailMode[] = ['status500', 'garbage', 'hang', 'refuse']
  for (const mode of modes) {
    idp.failMode = mode
    const before = idp.tokenRequests
    for (let i = 0; i < 2; i++) {
      const reply = await stack.proxy(ROUTE, { headers: { authorization: cold } })
      assertKongUnauthorized(t, reply, `${mode} #${i + 1}`)
      t.ok(Number(reply.headers['x-kong-response-latency']) < PROMPT_MS, `${mode}: answered in ${reply.headers['x-kong-response-latency']} ms`)
    }
    // a refused connection never reaches the IdP's counter; the others are asked again each time
    if (mode !== 'refuse') t.equal(idp.tokenRequests, before + 2, `${mode}: not cached as a rejection, asked again`)
    const served = await stack.proxy(ROUTE, { headers: { authorization: warm } })
    t.equal(served.status, 200, `${mode}: the cached credential is still served`)
    t.equal(upstreamBearer(served), warmToken)
  }
  t.equal(gateway.child.exitCode, null, 'the gateway is still running')

  idp.failMode = 'none'
  const ok = await stack.proxy(ROUTE, { headers: { authorization: cold } })
  t.equal(ok.status, 200, 'the failing credential works as soon as the IdP does')
})

t.test('cache_ttl_resurrect: an expired token is served stale while the IdP fails', async (t) => {
  const TTL_S = 2
  const stack = await startOidcStack(t, {
    idp: { accessTokenTtl: TTL_S },
    services: (idp, upstream) => [
      oidcService('example-service', upstream.url, ROUTE, { ...howToConfig(idp), timeout: TIMEOUT_MS, cache_ttl_resurrect: 60 }),
      oidcService('no-resurrect', upstream.url, '/no-resurrect', { ...howToConfig(idp), timeout: TIMEOUT_MS, cache_tokens_salt: 'no-resurrect' })
    ]
  })
  const { idp } = stack
  const authorization = clientBasic(idp.clients.secret)
  const first = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(first.status, 200)
  const stale = upstreamBearer(first)
  t.equal((await stack.proxy('/no-resurrect', { headers: { authorization } })).status, 200)

  // The feature is time: no request while the tokens live, so none is renewed ahead; then let them expire.
  await delay(TTL_S * 1000 + 300)
  idp.failOnly = 'token'
  for (const mode of ['status500', 'hang'] as const) {
    idp.failMode = mode
    const before = idp.tokenRequests
    const reply = await stack.proxy(ROUTE, { headers: { authorization } })
    t.equal(reply.status, 200, `${mode}: served`)
    t.equal(upstreamBearer(reply), stale, `${mode}: with the expired token`)
    t.equal(idp.tokenRequests, before + 1, `${mode}: the IdP was tried first`)
    assertKongUnauthorized(t, await stack.proxy('/no-resurrect', { headers: { authorization } }), `${mode} without cache_ttl_resurrect`)
  }

  idp.failMode = 'none'
  const fresh = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(fresh.status, 200)
  t.not(upstreamBearer(fresh), stale, 'a new token once the IdP answers again')
})
