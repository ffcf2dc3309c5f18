// The introspection auth method end to end (RFC 7662): a caller's opaque access token, issued by a real
// oidc-provider, introspected by the gateway as a resource server (the IdP's confidential `introspect`
// client, the endpoint discovered), through the real gateway with two workers and the echo upstream. As
// Kong's openid-connect handler.lua: an active answer lets the request through with the token forwarded;
// an inactive one is a 401 unless introspection_check_active is off (then it passes with its claims); an
// IdP failure, or the gateway's own client refused, is a 401 that is never cached. Answers live in the
// shared token cache until the token's exp (clamped by cache_ttl_max; inactive ones cached negatively,
// for cache_ttl_neg when set), one introspection per token across workers (single flight), and what they
// grant (claim headers, upstream_introspection_header, scopes_required) reads the answer, the same in the
// worker that asked and in the one that decodes it from the shared cache.

import t from 'tap'
import type { Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { startIdp } from '../../helpers/idp.ts'
import type { TestIdp } from '../../helpers/idp.ts'
import { assertKongUnauthorized, delay, echoed, oidcService, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'
import type { Echo, OidcStack } from '../../helpers/oidc-stack.ts'
import type { Reply } from '../../helpers/gateway.ts'
import { holdingProxy } from '../../helpers/holding-proxy.ts'

const CONCURRENCY = 20
const HOLD_MS = 400
const TIMEOUT_MS = 500

function introspectionConfig (idp: TestIdp, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const client = idp.clients.introspect
  return {
    issuer: idp.issuer,
    auth_methods: ['introspection'],
    client_id: [client.client_id],
    client_secret: [client.client_secret],
    ...extra
  }
}

const CLAIM_HEADERS = {
  upstream_headers_claims: ['client_id', 'scope'],
  upstream_headers_names: ['x-client', 'x-scope'],
  upstream_introspection_header: 'x-introspection'
}

async function introspectionStack (t: Test): Promise<OidcStack> {
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const held = await holdingProxy(t, idp.url, HOLD_MS)
  return await startOidcStack(t, {
    idp,
    settings: { worker_processes: 2 },
    services: (idp, upstream) => [
      oidcService('intro', upstream.url, '/intro', introspectionConfig(idp, CLAIM_HEADERS)),
      oidcService('nocache', upstream.url, '/nocache', introspectionConfig(idp, { ...CLAIM_HEADERS, cache_introspection: false })),
      oidcService('held', upstream.url, '/held', introspectionConfig(idp, { introspection_endpoint: held })),
      oidcService('short', upstream.url, '/short', introspectionConfig(idp, { timeout: TIMEOUT_MS })),
      oidcService('scopes', upstream.url, '/scopes', introspectionConfig(idp, { scopes_required: ['api'] })),
      oidcService('both', upstream.url, '/both', introspectionConfig(idp, { auth_methods: ['bearer', 'introspection'] })),
      oidcService('lax', upstream.url, '/lax', introspectionConfig(idp, {
        introspection_check_active: false,
        upstream_headers_claims: ['active'],
        upstream_headers_names: ['x-active'],
        upstream_introspection_header: 'x-introspection'
      })),
      oidcService('badsecret', upstream.url, '/badsecret', introspectionConfig(idp, { client_secret: ['not-the-secret'] }))
    ]
  })
}

function bearer (token: string): { headers: Record<string, string> } {
  return { headers: { authorization: `Bearer ${token}` } }
}

function garbageToken (): string {
  return `garbage-${randomBytes(16).toString('base64url')}`
}

/** The worker that answered: the first 16 hex digits of X-Kong-Request-Id name it (as 26-single-flight reads them). */
function workerOf (reply: Reply): string {
  return (reply.headers['x-kong-request-id'] as string).slice(0, 16)
}

function introspectionHeader (echo: Echo): Record<string, unknown> {
  return JSON.parse(Buffer.from(echo.headers['x-introspection'] ?? '', 'base64').toString('utf8'))
}

function assertForbidden (t: Test, reply: Reply, label: string): void {
  t.equal(reply.status, 403, `${label}: 403`)
  t.equal(reply.headers['www-authenticate'], 'Bearer realm="127.0.0.1", error="insufficient_scope"', `${label}: challenge`)
  t.equal(reply.json().message, 'Forbidden', `${label}: Kong's message`)
}

t.test('introspection: opaque tokens introspected at the IdP', async (t) => {
  const stack = await introspectionStack(t)
  const { idp } = stack
  const client = idp.clients.secret

  await t.test('an active token: proxied with the token, the claim headers and the answer', async (t) => {
    const token = await idp.issueToken(client, { scope: 'openid api' })
    t.equal(token.split('.').length, 1, 'the IdP issues opaque tokens')
    const before = idp.introspectionRequests
    const reply = await stack.proxy('/intro', bearer(token))
    t.equal(reply.status, 200)
    t.equal(idp.introspectionRequests, before + 1, 'one introspection')
    t.equal(upstreamBearer(reply), token, 'the upstream gets the token (upstream_access_token_header)')
    const echo = echoed(reply)
    t.equal(echo.headers['x-client'], client.client_id, 'client_id from the introspection answer')
    t.equal(echo.headers['x-scope'], 'openid api', 'scope from the introspection answer')
    const answer = introspectionHeader(echo)
    t.equal(answer.active, true, 'upstream_introspection_header: base64 of the answer\'s JSON')
    t.equal(answer.client_id, client.client_id)
    t.equal(answer.scope, 'openid api')
    t.type(answer.exp, 'number')
  })

  await t.test('cached: more requests, on either worker, make no introspection; cache_introspection off makes one each', async (t) => {
    const token = await idp.issueToken(client)
    t.equal((await stack.proxy('/intro', bearer(token))).status, 200, 'first request')
    const before = idp.introspectionRequests
    const replies = await Promise.all(Array.from({ length: 10 }, () => stack.proxy('/intro', bearer(token))))
    t.same(replies.map((r) => r.status), replies.map(() => 200), 'all 200')
    t.same(replies.map(upstreamBearer), replies.map(() => token), 'all forwarded the token')
    t.equal(idp.introspectionRequests, before, 'no more introspection calls')

    const uncached = idp.introspectionRequests
    for (let i = 0; i < 3; i++) {
      const reply = await stack.proxy('/nocache', bearer(token))
      t.equal(reply.status, 200, `uncached request ${i}`)
      t.equal(echoed(reply).headers['x-client'], client.client_id, 'the claim headers as with the cache')
    }
    t.equal(idp.introspectionRequests, uncached + 3, 'cache_introspection false: every request introspects')
  })

  await t.test('an unknown token: 401, and the inactive answer is cached negatively', async (t) => {
    const token = garbageToken()
    const before = idp.introspectionRequests
    assertKongUnauthorized(t, await stack.proxy('/intro', bearer(token)), 'unknown token')
    t.equal(idp.introspectionRequests, before + 1, 'introspected once')
    for (let i = 0; i < 3; i++) assertKongUnauthorized(t, await stack.proxy('/intro', bearer(token)), `again ${i}`)
    t.equal(idp.introspectionRequests, before + 1, 'the negative answer served the rest, on either worker')
  })

  await t.test('revocation: the next uncached request is refused', async (t) => {
    const token = await idp.issueToken(client)
    t.equal((await stack.proxy('/nocache', bearer(token))).status, 200, 'before revocation (uncached)')
    t.equal((await stack.proxy('/intro', bearer(token))).status, 200, 'before revocation (cached)')
    await idp.revoke(token)
    assertKongUnauthorized(t, await stack.proxy('/nocache', bearer(token)), 'revoked, cache_introspection off')
    // Kong's trade-off: a cached active answer serves until the token's exp
    t.equal((await stack.proxy('/intro', bearer(token))).status, 200, 'the cached answer still serves')
    const fresh = await idp.issueToken(client)
    await idp.revoke(fresh)
    assertKongUnauthorized(t, await stack.proxy('/intro', bearer(fresh)), 'revoked before its first use')
  })

  await t.test(`single flight: ${CONCURRENCY} concurrent first requests over 2 workers, one introspection`, async (t) => {
    const token = await idp.issueToken(client)
    const before = idp.introspectionRequests
    const replies = await Promise.all(Array.from({ length: CONCURRENCY }, () => stack.proxy('/held', bearer(token))))
    t.same(replies.map((r) => r.status), replies.map(() => 200), 'all 200')
    t.same(replies.map(upstreamBearer), replies.map(() => token), 'all forwarded the token')
    t.equal(idp.introspectionRequests, before + 1, 'exactly one introspection call')
    t.equal(new Set(replies.map(workerOf)).size, 2, 'both workers served some of them')
  })

  await t.test('the IdP failing: 401, never cached', async (t) => {
    const token = await idp.issueToken(client)
    idp.failOnly = 'introspection'
    idp.failMode = 'status500'
    t.teardown(() => { idp.failMode = 'none'; idp.failOnly = null })
    const before = idp.introspectionRequests
    assertKongUnauthorized(t, await stack.proxy('/intro', bearer(token)), 'IdP answers 500')
    t.equal(idp.introspectionRequests, before + 1, 'asked once')
    assertKongUnauthorized(t, await stack.proxy('/intro', bearer(token)), 'IdP still failing')
    t.equal(idp.introspectionRequests, before + 2, 'asked again: the failure was not cached')
    idp.failMode = 'none'
    const reply = await stack.proxy('/intro', bearer(token))
    t.equal(reply.status, 200, 'the IdP back: the same token passes at once')
    t.equal(upstreamBearer(reply), token)
    t.equal(idp.introspectionRequests, before + 3)

    const slow = await idp.issueToken(client)
    idp.failMode = 'hang'
    const started = Date.now()
    assertKongUnauthorized(t, await stack.proxy('/short', bearer(slow)), 'IdP hangs')
    const elapsed = Date.now() - started
    t.ok(elapsed >= TIMEOUT_MS - 50 && elapsed < TIMEOUT_MS + 2000, `401 after about the plugin timeout (${elapsed} ms)`)
    idp.failMode = 'none'
    t.equal((await stack.proxy('/short', bearer(slow))).status, 200, 'the IdP back: not cached')
  })

  await t.test('scopes_required reads the introspection answer', async (t) => {
    const api = await idp.issueToken(client, { scope: 'api' })
    const openid = await idp.issueToken(client, { scope: 'openid' })
    t.equal((await stack.proxy('/scopes', bearer(api))).status, 200, '"api" granted')
    assertForbidden(t, await stack.proxy('/scopes', bearer(openid)), '"openid" only')
    assertForbidden(t, await stack.proxy('/scopes', bearer(openid)), '"openid" only, from the cache')
  })

  await t.test('bearer and introspection: an opaque token does not verify, so it is introspected', async (t) => {
    const token = await idp.issueToken(client)
    const before = idp.introspectionRequests
    const reply = await stack.proxy('/both', bearer(token))
    t.equal(reply.status, 200)
    t.equal(upstreamBearer(reply), token)
    t.equal(idp.introspectionRequests, before + 1, 'introspected')
    assertKongUnauthorized(t, await stack.proxy('/both', bearer(garbageToken())), 'an unknown opaque token')
  })

  await t.test('introspection_check_active false: an inactive answer passes with its claims (Kong)', async (t) => {
    const token = garbageToken()
    const reply = await stack.proxy('/lax', bearer(token))
    t.equal(reply.status, 200, 'inactive, not checked')
    t.equal(upstreamBearer(reply), token)
    const echo = echoed(reply)
    t.same(introspectionHeader(echo), { active: false }, 'the inactive answer is what the grant reads')
    t.equal(echo.headers['x-active'], undefined, 'a false claim sets no header (Kong\'s headers.lua)')
    const before = idp.introspectionRequests
    t.equal((await stack.proxy('/lax', bearer(token))).status, 200, 'served from the cache')
    t.equal(idp.introspectionRequests, before, 'no second introspection')
  })

  await t.test('the gateway\'s own client refused: 401 for the caller, not cached', async (t) => {
    const token = await idp.issueToken(client)
    const before = idp.introspectionRequests
    assertKongUnauthorized(t, await stack.proxy('/badsecret', bearer(token)), 'wrong client secret')
    t.equal(idp.introspectionRequests, before + 1)
    assertKongUnauthorized(t, await stack.proxy('/badsecret', bearer(token)), 'again')
    t.equal(idp.introspectionRequests, before + 2, 'asked again: the refusal was not cached')
    t.equal((await stack.proxy('/intro', bearer(token))).status, 200, 'the same token through a well-configured instance')
  })

  await t.test('a cached answer decoded by the other worker gives the same headers', async (t) => {
    const token = await idp.issueToken(client, { scope: 'openid api' })
    const before = idp.introspectionRequests
    const byWorker = new Map<string, Echo>()
    for (let i = 0; i < 60 && byWorker.size < 2; i++) {
      const reply = await stack.proxy('/intro', bearer(token))
      t.equal(reply.status, 200)
      if (!byWorker.has(workerOf(reply))) byWorker.set(workerOf(reply), echoed(reply))
    }
    t.equal(byWorker.size, 2, 'both workers served the token')
    t.equal(idp.introspectionRequests, before + 1, 'one introspection for both')
    const [first, second] = [...byWorker.values()]
    for (const name of ['authorization', 'x-client', 'x-scope', 'x-introspection']) {
      t.ok(first.headers[name] !== undefined, `${name} is set`)
      t.equal(second.headers[name], first.headers[name], `${name} is the same on both workers`)
    }
  })

  await t.test('/metrics counts the introspection calls by outcome, as the IdP saw them', async (t) => {
    const text = (await stack.admin('/metrics')).text
    const count = (outcome: string): number =>
      Number(new RegExp(`^tollgate_idp_introspection_requests_total\\{outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
    t.ok(count('success') >= 1, `successes: ${count('success')}`)
    t.ok(count('error') >= 1, `errors (the 500s and the refused client): ${count('error')}`)
    t.ok(count('timeout') >= 1, `timeouts (the hanging IdP): ${count('timeout')}`)
    t.match(text, /^tollgate_idp_introspection_request_latency_ms_count \d+$/m)
  })
})

t.test('introspection: an answer is cached until the token\'s exp, at most cache_ttl_max', async (t) => {
  const shortLived = await startIdp({ accessTokenTtl: 2 })
  t.teardown(() => shortLived.close())
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const stack = await startOidcStack(t, {
    idp,
    issuers: 2,
    services: (idp, upstream) => [
      oidcService('short-lived', upstream.url, '/short-lived', introspectionConfig(shortLived)),
      oidcService('max', upstream.url, '/max', introspectionConfig(idp, { cache_ttl_max: 1 })),
      oidcService('neg', upstream.url, '/neg', introspectionConfig(idp, { cache_ttl_neg: 1 }))
    ]
  })

  await t.test('past the token\'s exp the answer is asked again', async (t) => {
    const token = await shortLived.issueToken(shortLived.clients.secret)
    const before = shortLived.introspectionRequests
    t.equal((await stack.proxy('/short-lived', bearer(token))).status, 200, 'active')
    t.equal((await stack.proxy('/short-lived', bearer(token))).status, 200, 'from the cache')
    t.equal(shortLived.introspectionRequests, before + 1, 'one introspection')
    await delay(2200)
    assertKongUnauthorized(t, await stack.proxy('/short-lived', bearer(token)), 'past exp: introspected again, inactive')
    t.equal(shortLived.introspectionRequests, before + 2, 'the cached answer ended at the token\'s exp')
  })

  await t.test('cache_ttl_max shortens a longer-lived answer; cache_ttl_neg an inactive one', async (t) => {
    const token = await idp.issueToken(idp.clients.secret)
    const unknown = garbageToken()
    t.equal((await stack.proxy('/max', bearer(token))).status, 200, 'active for a minute')
    assertKongUnauthorized(t, await stack.proxy('/neg', bearer(unknown)), 'inactive')
    const before = idp.introspectionRequests
    assertKongUnauthorized(t, await stack.proxy('/neg', bearer(unknown)), 'inactive, from the cache')
    t.equal(idp.introspectionRequests, before, 'the negative answer is cached')
    await delay(1100)
    t.equal((await stack.proxy('/max', bearer(token))).status, 200, 'still active at the IdP')
    t.equal(idp.introspectionRequests, before + 1, 'cache_ttl_max 1: introspected again after a second')
    assertKongUnauthorized(t, await stack.proxy('/neg', bearer(unknown)), 'still inactive')
    t.equal(idp.introspectionRequests, before + 2, 'cache_ttl_neg 1: introspected again after a second')
  })
})
