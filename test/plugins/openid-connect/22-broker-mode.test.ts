// Tollgate's broker mode: client_id[i] with client_auth private_key_jwt AND a client_secret[i]. The gateway
// checks the caller's secret itself (a wrong one never reaches the IdP) and authenticates to the IdP with
// a private_key_jwt assertion signed by its own key; the IdP's private_key_jwt client knows only the
// gateway's public keys, fetched from Admin /openid-connect/jwks. The keys persist under `prefix`.

import t from 'tap'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compactVerify, createLocalJWKSet } from 'jose'
import type { JSONWebKeySet } from 'jose'
import { send, startGateway } from '../../helpers/gateway.ts'
import { startIdp } from '../../helpers/idp.ts'
import {
  assertKongUnauthorized, basicAuth, clientBasic, howToConfig, oidcService, ROUTE, startOidcStack, upstreamBearer,
  waitForIssuers
} from '../../helpers/oidc-stack.ts'
import { startTokenProxy } from '../../helpers/oidc-token-proxy.ts'

const BROKER_SECRET = 'gateway+checks/this=secret%'
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

t.test('broker mode: the gateway checks the secret and signs a private_key_jwt assertion', async (t) => {
  const prefix = await mkdtemp(join(tmpdir(), 'tollgate-oidc-broker-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const proxy = await startTokenProxy(idp.url)
  t.teardown(() => proxy.close())
  const plugin = { ...howToConfig(idp), client_secret: [BROKER_SECRET], token_endpoint: proxy.tokenEndpoint }
  const stack = await startOidcStack(t, { idp, plugin, settings: { prefix } })
  const { gateway } = stack
  await idp.setJwtClientJwksUri(`${gateway.adminUrl}/openid-connect/jwks`)
  t.notOk(gateway.logs.some((line) => line.event === 'oidc_private_key_jwt_not_brokered'), 'brokered: no Kong-grant notice')

  const jwksReply = await stack.admin('/openid-connect/jwks')
  t.equal(jwksReply.status, 200)
  t.equal(jwksReply.headers['content-type'], 'application/jwk-set+json')
  const jwks = jwksReply.json<JSONWebKeySet>()
  t.ok(jwks.keys.some((key) => key.alg === 'RS256'), 'an RS256 key is published')
  t.notOk(jwks.keys.some((key) => key.kty === 'oct' || 'd' in key || 'k' in key), 'public asymmetric keys only')

  const keyFile = join(prefix, 'openid-connect-jwks.json')
  t.equal((await stat(keyFile)).mode & 0o777, 0o600, 'the private keys are persisted with mode 0600')
  const stored = JSON.parse(await readFile(keyFile, 'utf8')) as JSONWebKeySet
  t.same(stored.keys.map((key) => key.kid), jwks.keys.map((key) => key.kid), 'Admin serves the persisted set')

  const jwtClient = idp.clients.jwt.client_id
  const authorization = basicAuth(jwtClient, BROKER_SECRET)

  await t.test('the right secret: one IdP call authenticated by an assertion, then the cache', async (t) => {
    const ok = await stack.proxy(ROUTE, { headers: { authorization } })
    t.equal(ok.status, 200)
    t.equal(proxy.requests.length, 1)
    const [call] = proxy.requests
    t.equal(call.status, 200, 'the IdP accepted the assertion (it fetched the gateway\'s JWKS for it)')
    t.equal(upstreamBearer(ok), call.issued, 'the upstream got the token the IdP issued')
    t.equal(call.headers.authorization, undefined, 'no Basic header to the IdP')
    t.equal(call.form.get('client_secret'), null, 'the secret never leaves the gateway')
    t.equal(call.form.get('grant_type'), 'client_credentials')
    t.equal(call.form.get('scope'), 'openid')
    t.equal(call.form.get('client_assertion_type'), ASSERTION_TYPE)

    const assertion = call.form.get('client_assertion')!
    const verified = await compactVerify(assertion, createLocalJWKSet(jwks))
    t.equal(verified.protectedHeader.alg, 'RS256')
    t.ok(jwks.keys.some((key) => key.kid === verified.protectedHeader.kid), 'the header names a published kid')
    const claims = JSON.parse(Buffer.from(verified.payload).toString('utf8')) as Record<string, unknown>
    t.equal(claims.iss, jwtClient)
    t.equal(claims.sub, jwtClient)
    t.equal(claims.aud, proxy.tokenEndpoint, 'aud is the token endpoint')
    t.equal((claims.exp as number) - (claims.iat as number), 60)
    t.match(claims.jti, /^[\w-]{43}$/)

    const cached = await stack.proxy(ROUTE, { headers: { authorization } })
    t.equal(upstreamBearer(cached), call.issued)
    t.equal(proxy.requests.length, 1, 'served from the cache')
  })

  await t.test('a wrong secret for the brokered client: 401 and no IdP call at all', async (t) => {
    const idpBefore = idp.tokenRequests
    const wrong = [BROKER_SECRET + 'x', BROKER_SECRET.slice(0, -1), 'x', idp.clients.secret.client_secret!]
    for (const secret of wrong) {
      assertKongUnauthorized(t, await stack.proxy(ROUTE, { headers: { authorization: basicAuth(jwtClient, secret) } }), `secret ${JSON.stringify(secret)}`)
    }
    t.equal(idp.tokenRequests, idpBefore, 'the IdP saw nothing')
    t.equal(proxy.requests.length, 1)
  })

  await t.test('a client that is not brokered still gets Kong\'s grant with its own secret', async (t) => {
    const other = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(idp.clients.secret) } })
    t.equal(other.status, 200)
    const call = proxy.requests.at(-1)!
    t.match(call.headers.authorization, /^Basic /, 'client_secret_basic with the caller\'s secret')
    t.equal(call.form.get('client_assertion'), null)
  })

  await t.test('rotated keys persist: a restarted gateway signs with them and the IdP accepts them', async (t) => {
    const rotated = await stack.admin('/openid-connect/jwks', { method: 'DELETE' })
    t.equal(rotated.status, 204)
    const after = (await stack.admin('/openid-connect/jwks')).json<JSONWebKeySet>()
    t.notSame(after.keys.map((key) => key.kid), jwks.keys.map((key) => key.kid), 'new kids')
    await gateway.stop()

    const again = await startGateway({ services: [oidcService('example-service', stack.upstream.url, ROUTE, plugin)] }, { settings: { prefix } })
    t.teardown(() => again.stop())
    const admin = { admin: (path: string) => send(again.adminUrl + path) }
    await waitForIssuers(admin)
    await idp.setJwtClientJwksUri(`${again.adminUrl}/openid-connect/jwks`)
    const served = (await admin.admin('/openid-connect/jwks')).json<JSONWebKeySet>()
    t.same(served.keys.map((key) => key.kid), after.keys.map((key) => key.kid), 'the restarted gateway kept the rotated keys')
    const ok = await send(again.proxyUrl + ROUTE, { headers: { authorization } })
    t.equal(ok.status, 200, 'a fresh token (new cache) authenticated with the rotated key')
    const kid = JSON.parse(Buffer.from(proxy.requests.at(-1)!.form.get('client_assertion')!.split('.')[0], 'base64url').toString()).kid
    t.ok(after.keys.some((key) => key.kid === kid), 'signed with a rotated key')
  })
})
