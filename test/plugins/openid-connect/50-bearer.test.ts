// The bearer auth method end to end: a caller's JWT access token, issued by a real oidc-provider (JWT
// access tokens through resource indicators), verified by the gateway against the IdP's JWKS; Kong's
// authorization requirements (scopes, audience, groups, roles) with their 401/403 and WWW-Authenticate;
// claim headers; where the token may come from; key rotation; and a route that takes both a bearer token
// and client credentials (Kong's handler.lua looks for a bearer token first).

import t from 'tap'
import type { Test } from 'tap'
import { startIdp } from '../../helpers/idp.ts'
import type { TestIdp } from '../../helpers/idp.ts'
import {
  assertKongUnauthorized, clientBasic, delay, echoed, jwtClaims, jwtHeader, oidcService, startOidcStack, upstreamBearer
} from '../../helpers/oidc-stack.ts'
import type { OidcStack } from '../../helpers/oidc-stack.ts'
import { foreignSigner, tamperClaims } from '../../helpers/oidc-token-proxy.ts'
import type { Reply } from '../../helpers/gateway.ts'

const AUDIENCE = 'urn:tollgate:test-api'
const EXTRA_CLAIMS = { groups: ['staff', 'ops'], roles: 'reader writer', tenant: 'acme', level: 7 }

function bearerConfig (idp: TestIdp, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { issuer: idp.issuer, auth_methods: ['bearer'], rediscovery_lifetime: 0, ...extra }
}

async function bearerStack (t: Test): Promise<OidcStack> {
  const idp = await startIdp({ accessTokenFormat: 'jwt', extraTokenClaims: EXTRA_CLAIMS })
  t.teardown(() => idp.close())
  return await startOidcStack(t, {
    idp,
    settings: { worker_processes: 1 },
    services: (idp, upstream) => [
      oidcService('bearer', upstream.url, '/bearer', bearerConfig(idp, {
        upstream_headers_claims: ['client_id', 'groups', 'level', 'missing'],
        upstream_headers_names: ['x-client', 'x-groups', 'x-level', 'x-missing'],
        downstream_headers_claims: ['tenant'],
        downstream_headers_names: ['x-tenant']
      })),
      oidcService('scopes', upstream.url, '/scopes', bearerConfig(idp, { scopes_required: ['openid nope', 'api'] })),
      oidcService('scopes-and', upstream.url, '/scopes-and', bearerConfig(idp, { scopes_required: ['openid api'] })),
      oidcService('audience', upstream.url, '/audience', bearerConfig(idp, { audience_required: [AUDIENCE] })),
      oidcService('audience-other', upstream.url, '/audience-other', bearerConfig(idp, { audience_required: ['urn:other'] })),
      oidcService('groups', upstream.url, '/groups', bearerConfig(idp, { groups_required: ['ops'], roles_required: ['writer'] })),
      oidcService('roles-missing', upstream.url, '/roles-missing', bearerConfig(idp, { roles_required: ['admin'] })),
      oidcService('issuers', upstream.url, '/issuers', bearerConfig(idp, { issuers_allowed: ['https://other.example'] })),
      oidcService('query', upstream.url, '/query', bearerConfig(idp, { bearer_token_param_type: ['query', 'body'], hide_credentials: true })),
      oidcService('cookie', upstream.url, '/cookie', bearerConfig(idp, {
        bearer_token_param_type: ['cookie'], bearer_token_cookie_name: 'at', hide_credentials: true
      })),
      oidcService('display', upstream.url, '/display', bearerConfig(idp, { display_errors: true, scopes_required: ['admin'] })),
      oidcService('mixed', upstream.url, '/mixed', bearerConfig(idp, {
        auth_methods: ['client_credentials', 'bearer'], client_credentials_param_type: ['header']
      }))
    ]
  })
}

function bearer (token: string): { headers: Record<string, string> } {
  return { headers: { authorization: `Bearer ${token}` } }
}

function assertForbidden (t: Test, reply: Reply, label: string): void {
  t.equal(reply.status, 403, `${label}: 403`)
  t.equal(reply.headers['www-authenticate'], 'Bearer realm="127.0.0.1", error="insufficient_scope"', `${label}: challenge`)
  t.equal(reply.json().message, 'Forbidden', `${label}: Kong's message`)
}

t.test('bearer: a JWT access token verified at the gateway', async (t) => {
  const stack = await bearerStack(t)
  const { idp } = stack
  const client = idp.clients.secret
  const token = await idp.issueToken(client, { scope: 'openid api' })
  t.equal(token.split('.').length, 3, 'the IdP issues JWT access tokens')
  const claims = jwtClaims(token)

  await t.test('a valid token is proxied with the token and the claim headers; the IdP is never called', async (t) => {
    const before = idp.tokenRequests
    for (let i = 0; i < 3; i++) {
      const reply = await stack.proxy('/bearer', bearer(token))
      t.equal(reply.status, 200, `request ${i}`)
      t.equal(upstreamBearer(reply), token, 'the upstream gets the token as it came (upstream_access_token_header)')
      const headers = echoed(reply).headers
      t.equal(headers['x-client'], client.client_id, 'a string claim as it is')
      t.equal(headers['x-groups'], Buffer.from(JSON.stringify(EXTRA_CLAIMS.groups)).toString('base64'), 'an array claim: base64 of its JSON')
      t.equal(headers['x-level'], '7', 'a number claim as text')
      t.equal(headers['x-missing'], undefined, 'a missing claim sets no header')
      t.equal(reply.headers['x-tenant'], 'acme', 'downstream_headers_* reach the client')
    }
    t.equal(idp.tokenRequests, before, 'a bearer token costs no IdP call')
    t.equal(claims.iss, idp.issuer)
  })

  await t.test('no token, another scheme, or a token that does not verify: Kong\'s 401', async (t) => {
    assertKongUnauthorized(t, await stack.proxy('/bearer'), 'no token')
    assertKongUnauthorized(t, await stack.proxy('/bearer', { headers: { authorization: clientBasic(client) } }), 'Basic on a bearer-only route')
    assertKongUnauthorized(t, await stack.proxy('/bearer', bearer('not-a-jwt')), 'an opaque token without introspection')
    assertKongUnauthorized(t, await stack.proxy('/bearer', bearer(tamperClaims(token))), 'a changed claim')
    const foreign = await (await foreignSigner())(token)
    assertKongUnauthorized(t, await stack.proxy('/bearer', bearer(foreign)), 'signed by a key the IdP never published')
    const lower = await stack.proxy('/bearer', { headers: { authorization: `bearer ${token}` } })
    t.equal(lower.status, 200, 'the scheme in any case')
  })

  await t.test('scopes: OR across entries, AND within one', async (t) => {
    t.equal((await stack.proxy('/scopes', bearer(token))).status, 200, '"api" is granted')
    const openidOnly = await idp.issueToken(client, { scope: 'openid' })
    assertForbidden(t, await stack.proxy('/scopes', bearer(openidOnly)), 'neither "openid nope" nor "api"')
    assertForbidden(t, await stack.proxy('/scopes-and', bearer(openidOnly)), '"openid api" needs both')
    t.equal((await stack.proxy('/scopes-and', bearer(token))).status, 200, 'both granted')
  })

  await t.test('audience, groups and roles; issuers_allowed is a 401', async (t) => {
    t.equal(claims.aud, AUDIENCE, 'the token is for the test resource')
    t.equal((await stack.proxy('/audience', bearer(token))).status, 200)
    assertForbidden(t, await stack.proxy('/audience-other', bearer(token)), 'another audience')
    t.equal((await stack.proxy('/groups', bearer(token))).status, 200, 'a group from an array, a role from a space-separated string')
    assertForbidden(t, await stack.proxy('/roles-missing', bearer(token)), 'a role the token lacks')
    assertKongUnauthorized(t, await stack.proxy('/issuers', bearer(token)), 'iss not in issuers_allowed')
  })

  await t.test('display_errors says why, without the token', async (t) => {
    const reply = await stack.proxy('/display', bearer(token))
    t.equal(reply.status, 403)
    t.match(reply.json().message, /^Forbidden \(required scopes were not found/)
    t.notOk(reply.text.includes(token), 'the token is not in the body')
  })

  await t.test('query and body tokens; hide_credentials removes them, the upstream still gets the token', async (t) => {
    const reply = await stack.proxy(`/query?a=1&access_token=${token}&b=2`)
    t.equal(reply.status, 200)
    t.equal(echoed(reply).url, '/?a=1&b=2', 'access_token left the query (the route strips /query)')
    t.equal(upstreamBearer(reply), token)
    const form = await stack.proxy('/query', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `x=1&access_token=${token}`
    })
    t.equal(form.status, 200, 'a form body token')
    t.equal(echoed(form).bodyBytes, 'x=1'.length, 'access_token left the body')
    const json = await stack.proxy('/query', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: token, keep: true })
    })
    t.equal(json.status, 200, 'a JSON body token')
    t.equal(echoed(json).bodyBytes, JSON.stringify({ keep: true }).length, 'access_token left the JSON')
    assertKongUnauthorized(t, await stack.proxy('/query', bearer(token)), 'the header is not a location there')
    const cookie = await stack.proxy('/cookie', { headers: { cookie: `a=1; at=${token}; b=2` } })
    t.equal(cookie.status, 200, 'a cookie token')
    t.equal(echoed(cookie).headers.cookie, 'a=1; b=2', 'the cookie left, the others stay')
  })

  await t.test('a route with bearer and client_credentials: a Bearer caller is verified, a Basic caller gets the grant', async (t) => {
    const before = idp.tokenRequests
    const viaBearer = await stack.proxy('/mixed', bearer(token))
    t.equal(viaBearer.status, 200)
    t.equal(upstreamBearer(viaBearer), token)
    t.equal(idp.tokenRequests, before, 'no token request for a bearer caller')
    const viaBasic = await stack.proxy('/mixed', { headers: { authorization: clientBasic(client) } })
    t.equal(viaBasic.status, 200)
    t.not(upstreamBearer(viaBasic), token, 'the Basic caller got a token of its own')
    t.equal(idp.tokenRequests, before + 1, 'one token request for the Basic caller')
    assertKongUnauthorized(t, await stack.proxy('/mixed'), 'neither')
  })

  await t.test('a key the IdP rotated in is fetched once; tokens of the old key still verify', async (t) => {
    await idp.rotateKeys()
    const fresh = await idp.issueToken(client, { scope: 'openid api' })
    t.equal(jwtHeader(fresh).kid, idp.signingKid, 'signed by the new key')
    t.equal((await stack.proxy('/bearer', bearer(fresh))).status, 200, 'the new key was discovered on an unknown kid')
    t.equal((await stack.proxy('/bearer', bearer(token))).status, 200, 'the old key is still published')
  })
})

t.test('bearer: a verified token serves until its exp, then it is refused', async (t) => {
  const idp = await startIdp({ accessTokenFormat: 'jwt', accessTokenTtl: 2 })
  t.teardown(() => idp.close())
  const stack = await startOidcStack(t, {
    idp,
    services: (idp, upstream) => [oidcService('bearer', upstream.url, '/bearer', bearerConfig(idp))]
  })
  const token = await idp.issueToken(idp.clients.secret)
  const exp = jwtClaims(token).exp as number
  t.equal((await stack.proxy('/bearer', bearer(token))).status, 200, 'valid')
  t.equal((await stack.proxy('/bearer', bearer(token))).status, 200, 'served from the memo')
  await delay(exp * 1000 - Date.now() + 200)
  assertKongUnauthorized(t, await stack.proxy('/bearer', bearer(token)), 'past exp')
})

t.test('bearer with the verified-token cache off verifies every request the same way', async (t) => {
  const idp = await startIdp({ accessTokenFormat: 'jwt' })
  t.teardown(() => idp.close())
  const stack = await startOidcStack(t, {
    idp,
    settings: { oidc_verified_token_cache_size: 0 },
    services: (idp, upstream) => [oidcService('bearer', upstream.url, '/bearer', bearerConfig(idp, { scopes_required: ['api'] }))]
  })
  const token = await idp.issueToken(idp.clients.secret, { scope: 'api' })
  for (let i = 0; i < 3; i++) t.equal((await stack.proxy('/bearer', bearer(token))).status, 200, `request ${i}`)
  assertForbidden(t, await stack.proxy('/bearer', bearer(await idp.issueToken(idp.clients.secret, { scope: 'openid' }))), 'a scope missing')
})
