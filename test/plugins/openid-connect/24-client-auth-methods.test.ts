// How the gateway authenticates the caller's client to the token endpoint: each method the IdP supports,
// chosen by token_endpoint_auth_method or, unset, by Kong's preference over discovery's list. The IdP binds
// each client to one method, so a 200 from it is the proof; a recording proxy shows the request's shape.
// The fixture's secret holds '+', '/', '=' and '%': Basic only works if they are form-encoded (RFC 6749).

import t from 'tap'
import { compactVerify, decodeProtectedHeader } from 'jose'
import { startIdp } from '../../helpers/idp.ts'
import type { IdpClient } from '../../helpers/idp.ts'
import { assertKongUnauthorized, clientBasic, oidcService, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'
import { startTokenProxy } from '../../helpers/oidc-token-proxy.ts'
import type { ProxiedTokenRequest } from '../../helpers/oidc-token-proxy.ts'

const form = (value: string): string => new URLSearchParams([['', value]]).toString().slice(1)

t.test('client_secret_basic, client_secret_post and client_secret_jwt with the caller\'s secret', async (t) => {
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const proxy = await startTokenProxy(idp.url)
  t.teardown(() => proxy.close())
  const routes: Record<string, string | null> = {
    '/default': null,
    '/basic': 'client_secret_basic',
    '/post': 'client_secret_post',
    '/secret-jwt': 'client_secret_jwt',
    '/private-key-jwt': 'private_key_jwt'
  }
  const stack = await startOidcStack(t, {
    idp,
    services: (_idp, upstream) => Object.entries(routes).map(([path, method]) => oidcService(path.slice(1), upstream.url, path, {
      issuer: idp.issuer,
      auth_methods: ['client_credentials'],
      token_endpoint: proxy.tokenEndpoint,
      token_endpoint_auth_method: method,
      cache_tokens_salt: path // one cache entry per route, so each route asks the IdP itself
    }))
  })

  const call = async (path: string, client: IdpClient): Promise<ProxiedTokenRequest> => {
    const before = proxy.requests.length
    const reply = await stack.proxy(path, { headers: { authorization: clientBasic(client) } })
    t.equal(reply.status, 200, `${path}: 200`)
    t.equal(proxy.requests.length, before + 1, `${path}: one token request`)
    const request = proxy.requests.at(-1)!
    t.equal(request.status, 200, `${path}: the IdP accepted the client authentication`)
    t.equal(upstreamBearer(reply), request.issued, `${path}: its token went upstream`)
    t.equal(request.form.get('grant_type'), 'client_credentials')
    t.equal(request.form.get('scope'), 'openid')
    return request
  }
  const { secret, secretPost, secretJwt } = idp.clients
  const expectedBasic = 'Basic ' + Buffer.from(`${form(secret.client_id)}:${form(secret.client_secret!)}`).toString('base64')

  await t.test('client_secret_basic: the form-encoded pair in Basic', async (t) => {
    const request = await call('/basic', secret)
    t.equal(request.headers.authorization, expectedBasic)
    t.equal(request.form.get('client_secret'), null)
  })

  await t.test('unset: the first of Kong\'s order that discovery lists (basic)', async (t) => {
    t.equal((await call('/default', secret)).headers.authorization, expectedBasic)
  })

  await t.test('private_key_jwt cannot use a caller\'s secret: Kong falls back to discovery (basic)', async (t) => {
    t.equal((await call('/private-key-jwt', secret)).headers.authorization, expectedBasic)
  })

  await t.test('client_secret_post: id and secret in the form', async (t) => {
    const request = await call('/post', secretPost)
    t.equal(request.headers.authorization, undefined)
    t.equal(request.form.get('client_id'), secretPost.client_id)
    t.equal(request.form.get('client_secret'), secretPost.client_secret)
  })

  await t.test('client_secret_jwt: an HS256 assertion keyed by the secret', async (t) => {
    const request = await call('/secret-jwt', secretJwt)
    t.equal(request.headers.authorization, undefined)
    t.equal(request.form.get('client_secret'), null)
    t.equal(request.form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    const assertion = request.form.get('client_assertion')!
    t.same(decodeProtectedHeader(assertion), { typ: 'JWT', alg: 'HS256' }, 'no kid, as Kong')
    const { payload } = await compactVerify(assertion, Buffer.from(secretJwt.client_secret!))
    const claims = JSON.parse(Buffer.from(payload).toString()) as Record<string, unknown>
    t.equal(claims.iss, secretJwt.client_id)
    t.equal(claims.sub, secretJwt.client_id)
    t.equal(claims.aud, proxy.tokenEndpoint)
    t.equal((claims.exp as number) - (claims.iat as number), 60)
  })

  await t.test('the method matters: a client bound to another one is refused by the IdP', async (t) => {
    const before = proxy.requests.length
    assertKongUnauthorized(t, await stack.proxy('/secret-jwt', { headers: { authorization: clientBasic(secret) } }), 'basic client over client_secret_jwt')
    assertKongUnauthorized(t, await stack.proxy('/basic', { headers: { authorization: clientBasic(secretJwt) } }), 'client_secret_jwt client over basic')
    t.same(proxy.requests.slice(before).map((r) => r.status), [401, 401], 'both refused by the IdP')
  })
})
