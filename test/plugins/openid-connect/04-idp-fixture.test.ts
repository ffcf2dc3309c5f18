// The test IdP (test/helpers/idp.ts) behaves as the other openid-connect tests assume it does.

import t from 'tap'
import type { Test } from 'tap'
import { request, errors as undiciErrors } from 'undici'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose'
import { randomBytes } from 'node:crypto'
import { startIdp } from '../../helpers/idp.ts'
import type { IdpClient, TestIdp } from '../../helpers/idp.ts'

// RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
function basic (client: IdpClient): string {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+')
  return 'Basic ' + Buffer.from(`${encode(client.client_id)}:${encode(client.client_secret ?? '')}`).toString('base64')
}

async function tokenRequest (idp: TestIdp, init: { authorization?: string, form?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  if (init.authorization !== undefined) headers.authorization = init.authorization
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'openid', ...init.form }).toString()
  const response = await fetch(`${idp.url}/token`, { method: 'POST', headers, body })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

async function startedIdp (t: Test, options?: Parameters<typeof startIdp>[0]): Promise<TestIdp> {
  const idp = await startIdp(options)
  t.teardown(() => idp.close())
  return idp
}

t.test('discovery lists the token endpoint, the JWKS and every client auth method', async (t) => {
  const idp = await startedIdp(t)
  t.match(idp.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(idp.issuer, idp.url)
  const discovery = await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>
  t.equal(discovery.issuer, idp.issuer)
  t.equal(discovery.token_endpoint, `${idp.url}/token`)
  t.equal(discovery.jwks_uri, `${idp.url}/jwks`)
  t.same(discovery.token_endpoint_auth_methods_supported,
    ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'])
  const jwks = await (await fetch(`${idp.url}/jwks`)).json() as { keys: Array<Record<string, unknown>> }
  t.same(jwks.keys.map((key) => key.kid), [idp.signingKid])
  t.notOk('d' in jwks.keys[0], 'no private member published')
})

t.test('Kong\'s default request (Basic, scope=openid) gets an opaque token; the secret needs form-encoding', async (t) => {
  const idp = await startedIdp(t)
  t.equal(idp.clients.secret.client_secret, 'sec+ret/=%')
  const ok = await tokenRequest(idp, { authorization: basic(idp.clients.secret) })
  t.equal(ok.status, 200)
  t.equal(ok.body.token_type, 'Bearer')
  t.equal(ok.body.expires_in, 60)
  t.equal(ok.body.scope, 'openid')
  t.equal((ok.body.access_token as string).split('.').length, 1, 'opaque')

  const raw = `Basic ${Buffer.from(`${idp.clients.secret.client_id}:${idp.clients.secret.client_secret}`).toString('base64')}`
  const rawAnswer = await tokenRequest(idp, { authorization: raw })
  t.not(rawAnswer.status, 200, 'a raw + decodes to a space and a raw % does not decode')
  t.ok(['invalid_request', 'invalid_client'].includes(rawAnswer.body.error as string))
  const wrong = await tokenRequest(idp, { authorization: basic({ ...idp.clients.secret, client_secret: 'wrong' }) })
  t.equal(wrong.status, 401)
  t.equal(wrong.body.error, 'invalid_client')
  t.equal(idp.tokenRequests, 3)
})

t.test('client_secret_post and client_secret_jwt clients', async (t) => {
  const idp = await startedIdp(t, { clientSecret: 'another secret', accessTokenTtl: 5 })
  const post = idp.clients.secretPost
  const viaPost = await tokenRequest(idp, { form: { client_id: post.client_id, client_secret: post.client_secret ?? '' } })
  t.equal(viaPost.status, 200)
  t.equal(viaPost.body.expires_in, 5)

  const jwtClient = idp.clients.secretJwt
  const now = Math.floor(Date.now() / 1000)
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(jwtClient.client_id).setSubject(jwtClient.client_id).setAudience(`${idp.url}/token`)
    .setJti(randomBytes(32).toString('base64url')).setIssuedAt(now).setExpirationTime(now + 60)
    .sign(new TextEncoder().encode(jwtClient.client_secret))
  const viaJwt = await tokenRequest(idp, {
    form: { client_assertion: assertion, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' }
  })
  t.equal(viaJwt.status, 200)
  // oidc-provider treats basic and post as one family, but a client_secret_jwt client takes neither.
  t.equal((await tokenRequest(idp, { authorization: basic(post) })).status, 200)
  t.equal((await tokenRequest(idp, { authorization: basic(jwtClient) })).status, 401)
})

t.test('JWT access tokens are signed by the current key and rotateKeys changes the kid', async (t) => {
  const idp = await startedIdp(t, { accessTokenFormat: 'jwt' })
  const first = await tokenRequest(idp, { authorization: basic(idp.clients.secret) })
  t.equal(first.status, 200)
  t.equal(first.body.scope, 'openid')
  const firstToken = first.body.access_token as string
  t.equal(decodeProtectedHeader(firstToken).kid, idp.signingKid)
  const oldKid = idp.signingKid

  await idp.rotateKeys()
  t.not(idp.signingKid, oldKid)
  const jwks = await (await fetch(`${idp.url}/jwks`)).json() as { keys: Array<{ kid: string }> }
  t.same(jwks.keys.map((key) => key.kid), [idp.signingKid, oldKid], 'the new key first, the old one still published')
  const second = await tokenRequest(idp, { authorization: basic(idp.clients.secret) })
  const secondToken = second.body.access_token as string
  t.equal(decodeProtectedHeader(secondToken).kid, idp.signingKid)
  const keySet = createLocalJWKSet(jwks as never)
  for (const token of [firstToken, secondToken]) {
    const { payload } = await jwtVerify(token, keySet, { issuer: idp.issuer })
    t.equal(payload.client_id, idp.clients.secret.client_id)
  }
})

t.test('failModes break the IdP before oidc-provider sees the request', async (t) => {
  const idp = await startedIdp(t)
  const token = `${idp.url}/token`

  idp.failMode = 'status500'
  const failed = await request(token, { method: 'POST' })
  t.equal(failed.statusCode, 500)
  t.match(await failed.body.json(), { error: 'server_error' })

  idp.failMode = 'garbage'
  const garbage = await request(`${idp.url}/.well-known/openid-configuration`)
  t.equal(garbage.statusCode, 200)
  await t.rejects(garbage.body.json(), SyntaxError)

  idp.failMode = 'hang'
  await t.rejects(request(token, { method: 'POST', headersTimeout: 300 }), undiciErrors.HeadersTimeoutError)

  idp.failMode = 'refuse'
  await t.rejects(request(token, { method: 'POST' }), { code: 'UND_ERR_SOCKET' })

  idp.failMode = 'status500'
  idp.failOnly = 'token'
  t.equal((await request(token, { method: 'POST' })).statusCode, 500)
  const discovery = await request(`${idp.url}/.well-known/openid-configuration`)
  t.equal(discovery.statusCode, 200, 'failOnly spares the other endpoints')
  await discovery.body.dump()

  idp.failMode = 'none'
  t.equal((await tokenRequest(idp, { authorization: basic(idp.clients.secret) })).status, 200)
  t.equal(idp.tokenRequests, 4, 'every POST to the token endpoint counts, except refused ones')
})

t.test('stop releases the port and restart listens on the same one', async (t) => {
  const idp = await startedIdp(t)
  const { port } = idp
  const before = await tokenRequest(idp, { authorization: basic(idp.clients.secret) })
  t.equal(before.status, 200)
  await idp.stop()
  await t.rejects(request(`${idp.url}/jwks`), { code: 'ECONNREFUSED' })
  await idp.restart()
  t.equal(idp.port, port)
  const after = await tokenRequest(idp, { authorization: basic(idp.clients.secret) })
  t.equal(after.status, 200)
})
