// Client authentication to the token endpoint (Kong's openid-connect token.lua request) and the token request it goes into.

import t from 'tap'
import { decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import {
  assertionClaims, chooseClientAuthMethod, clientSecretBasic, clientSecretJwt, clientSecretPost, hmacAlg,
  privateKeyJwt, secretClientAuthentication
} from '../../../src/plugins/openid-connect/worker/client-auth.ts'
import type { AssertionClaims } from '../../../src/plugins/openid-connect/worker/client-auth.ts'
import { buildTokenRequest, createTokenRequestTemplate } from '../../../src/plugins/openid-connect/worker/token-request.ts'

const ENDPOINT = 'https://idp.example/realms/x/protocol/openid-connect/token'

t.test('method choice', async (t) => {
  const all = ['private_key_jwt', 'client_secret_jwt', 'client_secret_post', 'client_secret_basic']
  const cases: Array<[string | null, string[] | null, string, string]> = [
    [null, null, 'client_secret_basic', 'no setting, no discovery list'],
    [null, [], 'client_secret_basic', 'empty discovery list'],
    [null, all, 'client_secret_basic', 'Kong order, not discovery order'],
    [null, ['client_secret_jwt', 'client_secret_post'], 'client_secret_post', 'post before jwt'],
    [null, ['client_secret_jwt'], 'client_secret_jwt', 'only jwt'],
    [null, ['private_key_jwt', 'none'], 'client_secret_basic', 'nothing usable with a secret'],
    ['client_secret_post', ['client_secret_basic'], 'client_secret_post', 'setting wins over discovery'],
    ['client_secret_jwt', null, 'client_secret_jwt', 'setting without discovery'],
    ['none', ['client_secret_post'], 'client_secret_post', 'none is ignored'],
    ['private_key_jwt', ['client_secret_jwt'], 'client_secret_jwt', 'private_key_jwt is ignored']
  ]
  for (const [setting, supported, expected, name] of cases) t.equal(chooseClientAuthMethod(setting, supported), expected, name)
})

t.test('client_secret_basic form-encodes id and secret before base64 (RFC 6749 §2.3.1)', async (t) => {
  const auth = clientSecretBasic('my client:1', 'a+b%c:d/=')
  t.equal(auth.formFields, '')
  const decoded = Buffer.from(auth.authorization!.slice('Basic '.length), 'base64').toString()
  t.equal(decoded, 'my+client%3A1:a%2Bb%25c%3Ad%2F%3D')
  const [id, secret] = decoded.split(':').map((part) => decodeURIComponent(part.replaceAll('+', ' ')))
  t.same([id, secret], ['my client:1', 'a+b%c:d/='], 'an RFC-conforming server gets the originals back')
})

t.test('client_secret_post', async (t) => {
  const auth = clientSecretPost('id 1', 's&=+')
  t.equal(auth.authorization, null)
  t.same(Object.fromEntries(new URLSearchParams(auth.formFields)), { client_id: 'id 1', client_secret: 's&=+' })
})

t.test('assertion claims', async (t) => {
  const claims = assertionClaims('cid', ENDPOINT, 1000)
  t.match(claims, { iss: 'cid', sub: 'cid', aud: ENDPOINT, iat: 1000, exp: 1060 })
  t.match(claims.jti, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
  t.not(assertionClaims('cid', ENDPOINT, 1000).jti, claims.jti, 'a new jti each time')
  const now = Math.floor(Date.now() / 1000)
  t.ok(Math.abs(assertionClaims('cid', ENDPOINT).iat - now) <= 1, 'iat defaults to now')
})

t.test('client_secret_jwt: HMAC with the raw secret, header typ+alg without kid', async (t) => {
  const secret = 'a+secret/with%odd=chars'
  const auth = await clientSecretJwt('cid', secret, ENDPOINT)
  t.equal(auth.authorization, null)
  const fields = Object.fromEntries(new URLSearchParams(auth.formFields))
  t.equal(fields.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
  t.notOk('client_id' in fields, 'client_id is not sent (as Kong)')
  const { payload, protectedHeader } = await jwtVerify(fields.client_assertion, Buffer.from(secret), { algorithms: ['HS256'] })
  t.same(protectedHeader, { typ: 'JWT', alg: 'HS256' })
  t.match(payload, { iss: 'cid', sub: 'cid', aud: ENDPOINT })
  t.equal((payload.exp ?? 0) - (payload.iat ?? 0), 60)

  const hs512 = await secretClientAuthentication('client_secret_jwt', 'cid', secret, ENDPOINT, 'HS512')
  const assertion = new URLSearchParams(hs512.formFields).get('client_assertion')!
  t.equal(decodeProtectedHeader(assertion).alg, 'HS512', 'client_alg picks the HMAC')
  t.equal(hmacAlg('RS256'), 'HS256', 'a non-HMAC client_alg falls back to HS256')
  t.equal(hmacAlg(null), 'HS256')
  await t.rejects(jwtVerify(fields.client_assertion, Buffer.from('other'), { algorithms: ['HS256'] }), 'wrong key fails')
})

t.test('secretClientAuthentication picks the helper of the method', async (t) => {
  const basic = secretClientAuthentication('client_secret_basic', 'a', 'b', ENDPOINT)
  t.notOk(basic instanceof Promise, 'basic is synchronous')
  t.same(basic, clientSecretBasic('a', 'b'))
  t.same(secretClientAuthentication('client_secret_post', 'a', 'b', ENDPOINT), clientSecretPost('a', 'b'))
})

t.test('private_key_jwt: claims signed by the callback (the signer pool in production)', async (t) => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = 'gateway-key'
  let seen: { claims: AssertionClaims, alg: string } | null = null
  const sign = async (claims: AssertionClaims, alg: string): Promise<string> => {
    seen = { claims, alg }
    return new SignJWT({ ...claims }).setProtectedHeader({ typ: 'JWT', alg, kid }).sign(privateKey)
  }
  const auth = await privateKeyJwt('cid', ENDPOINT, 'ES256', sign)
  const assertion = new URLSearchParams(auth.formFields).get('client_assertion')!
  t.equal(seen!.alg, 'ES256')
  t.match(seen!.claims, { iss: 'cid', sub: 'cid', aud: ENDPOINT })
  const { payload, protectedHeader } = await jwtVerify(assertion, publicKey)
  t.same(protectedHeader, { typ: 'JWT', alg: 'ES256', kid })
  t.equal(payload.jti, seen!.claims.jti)
  t.ok(await exportJWK(publicKey))
})

t.test('token request: grant, scope, post args, headers, client auth', async (t) => {
  const template = createTokenRequestTemplate({
    scopes: ['openid', 'api read'],
    token_post_args_names: ['audience', 'scope'],
    token_post_args_values: ['https://api', 'custom'],
    token_headers_names: ['X-Tenant', 'Authorization'],
    token_headers_values: ['t1', 'configured']
  })
  const request = buildTokenRequest(template, clientSecretBasic('id', 'secret'))
  t.same([...new URLSearchParams(request.body)], [['grant_type', 'client_credentials'], ['scope', 'custom'], ['audience', 'https://api']],
    'a post arg named like a standard field replaces it in place')
  t.equal(request.headers['x-tenant'], 't1')
  t.equal(request.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8')
  t.equal(request.headers.authorization, clientSecretBasic('id', 'secret').authorization, 'client auth wins')

  const plain = createTokenRequestTemplate({ scopes: ['openid', 'api read'] })
  t.equal(plain.form, 'grant_type=client_credentials&scope=openid+api+read', 'scopes joined by spaces')
  const post = buildTokenRequest(plain, clientSecretPost('id', 's+'))
  t.equal(post.body, 'grant_type=client_credentials&scope=openid+api+read&client_id=id&client_secret=s%2B')
  t.notOk('authorization' in post.headers)
  t.equal(createTokenRequestTemplate({ scopes: [] }).form, 'grant_type=client_credentials', 'no scope when empty')
  t.equal(createTokenRequestTemplate({}).form, 'grant_type=client_credentials')
})
