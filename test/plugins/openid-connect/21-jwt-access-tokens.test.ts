// JWT access tokens (oidc-provider with a default resource whose tokens are JWTs) are verified against
// the issuer's JWKS before they are cached: a key the IdP rotated in is fetched once (throttled by
// rediscovery_lifetime), a token signed by a key the IdP never published or with a changed claim is
// refused. The bad tokens come from a proxy between the gateway and the real IdP's token endpoint.

import t from 'tap'
import type { Test } from 'tap'
import type { LogLine } from '../../helpers/gateway.ts'
import { startIdp } from '../../helpers/idp.ts'
import {
  assertKongUnauthorized, basicAuth, clientBasic, delay, jwtClaims, jwtHeader, oidcService, ROUTE, startOidcStack,
  upstreamBearer, waitForIssuers
} from '../../helpers/oidc-stack.ts'
import { foreignSigner, startTokenProxy, tamperClaims } from '../../helpers/oidc-token-proxy.ts'

const REDISCOVERY_LIFETIME_S = 1
const PROXIED = '/proxied'
const UNVERIFIED = '/unverified'

async function jwtStack (t: Test) {
  const idp = await startIdp({ accessTokenFormat: 'jwt', extraSecretClients: 3 })
  t.teardown(() => idp.close())
  const proxy = await startTokenProxy(idp.url)
  t.teardown(() => proxy.close())
  const base = {
    issuer: idp.issuer,
    auth_methods: ['client_credentials'],
    rediscovery_lifetime: REDISCOVERY_LIFETIME_S
  }
  const stack = await startOidcStack(t, {
    idp,
    settings: { log_level: 'debug' },
    services: (_idp, upstream) => [
      oidcService('example-service', upstream.url, ROUTE, base),
      // the salt keeps these entries apart from the first service's (the plugin id is not in the key, as Kong)
      oidcService('proxied', upstream.url, PROXIED, { ...base, token_endpoint: proxy.tokenEndpoint, cache_tokens_salt: 'proxied' }),
      oidcService('unverified', upstream.url, UNVERIFIED,
        { ...base, token_endpoint: proxy.tokenEndpoint, cache_tokens_salt: 'unverified', verify_signature: false })
    ]
  })
  return { ...stack, tokenProxy: proxy }
}

const unknownKidFetches = (logs: readonly LogLine[], after: number): LogLine[] =>
  logs.slice(after).filter((line) => line.event === 'oidc.discovery.ok' && line.reason === 'unknown kid')

t.test('JWT access tokens are verified before they are cached', async (t) => {
  const stack = await jwtStack(t)

  await t.test('a JWT access token is verified, and a key rotated in at the IdP is fetched once', async (t) => {
    const { idp, gateway } = stack
    const [a, b, c] = idp.extraClients.secret

    const first = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(a) } })
    const firstAnsweredAt = Date.now()
    t.equal(first.status, 200)
    const firstToken = upstreamBearer(first)!
    t.equal(firstToken.split('.').length, 3, 'a JWT reached the upstream')
    t.equal(jwtHeader(firstToken).kid, idp.signingKid, 'signed by the key discovery fetched')
    t.equal(jwtClaims(firstToken).iss, idp.issuer)

    const oldKid = idp.signingKid
    await idp.rotateKeys()
    t.not(idp.signingKid, oldKid)
    // The feature is time: an unknown kid may trigger a refetch only once rediscovery_lifetime has passed
    // since the last discovery.
    // Every discovery so far (at start, or one the first request needed) finished before its answer.
    await delay(firstAnsweredAt + REDISCOVERY_LIFETIME_S * 1000 + 300 - Date.now())

    const mark = gateway.mark()
    const rotated = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(b) } })
    t.equal(rotated.status, 200, 'the token signed by the new key is accepted')
    t.equal(jwtHeader(upstreamBearer(rotated)!).kid, idp.signingKid)
    // the log line comes from the main thread and may be read after the answer: wait for it, then count
    await gateway.waitForLog((line) => line.event === 'oidc.discovery.ok' && line.reason === 'unknown kid', { after: mark })
    t.equal(unknownKidFetches(gateway.logs, mark).length, 1, 'the JWKS was fetched once for the unknown kid')

    const listing = await waitForIssuers(stack)
    t.same(listing.data[0].keys.map((key) => key.kid), [idp.signingKid, oldKid], 'Admin shows the new key set')

    const next = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(c) } })
    t.equal(next.status, 200)
    t.equal(jwtHeader(upstreamBearer(next)!).kid, idp.signingKid)
    t.equal(unknownKidFetches(gateway.logs, mark).length, 1, 'the new key is known now: no further fetch')
    const cached = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(a) } })
    t.equal(upstreamBearer(cached), firstToken, 'the token of the old key stays cached')
  })

  await t.test('a token that does not verify is refused, never forwarded, never cached', async (t) => {
    const { idp, tokenProxy: proxy, upstream } = stack
    const authorization = clientBasic(idp.clients.secret)

    const control = await stack.proxy(PROXIED, { headers: { authorization: basicAuth(idp.extraClients.secret[0].client_id, idp.clients.secret.client_secret!) } })
    t.equal(control.status, 200, 'through the proxy untouched: accepted')
    t.equal(upstreamBearer(control), proxy.requests.at(-1)?.issued, 'the token the IdP issued')

    proxy.rewrite = tamperClaims
    const seen = upstream.requests.length
    const tampered = await stack.proxy(PROXIED, { headers: { authorization } })
    assertKongUnauthorized(t, tampered, 'a claim changed after signing')
    const unverified = await stack.proxy(UNVERIFIED, { headers: { authorization } })
    t.equal(unverified.status, 200, 'the same token passes where verify_signature is off: the signature was the reason')
    t.equal(jwtClaims(upstreamBearer(unverified)!).scope, 'openid admin')
    t.equal(upstream.requests.length, seen + 1, 'only the unverified route reached the upstream')

    proxy.rewrite = await foreignSigner()
    const before = proxy.requests.length
    const foreign = await stack.proxy(PROXIED, { headers: { authorization } })
    assertKongUnauthorized(t, foreign, 'signed by a key the IdP never published')
    t.ok(Number(foreign.headers['x-kong-response-latency']) < 4500, 'refused without waiting out a rediscovery')
    const again = await stack.proxy(PROXIED, { headers: { authorization } })
    assertKongUnauthorized(t, again, 'the same again')
    t.equal(proxy.requests.length, before + 2, 'a refused token is not cached: each request asked again')

    proxy.rewrite = null
    const recovered = await stack.proxy(PROXIED, { headers: { authorization } })
    t.equal(recovered.status, 200, 'a good token for the same credentials is accepted')
    t.equal(upstream.requests.length, seen + 2)
  })
})
