// A broker's client_jwk: completed at load when it has no alg or kid (kid = RFC 7638 thumbprint, alg from
// kty/crv), refused with the JSON path when it cannot sign; and the signing threads cache imported keys
// by their material, so two keys sharing a kid (or a key replaced in place) each sign with their own.

import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { generateKeyPairSync } from 'node:crypto'
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from 'jose'
import type { JWK } from 'jose'
import { validate } from '../../../src/config/schema/engine.ts'
import { completeSigningJwk } from '../../../src/plugins/openid-connect/config/jwk-schema.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
import { createSignerPool } from '../../../src/workers/signer-pool.ts'
import { startIdp } from '../../helpers/idp.ts'
import { basicAuth, ROUTE, startOidcStack } from '../../helpers/oidc-stack.ts'
import { startTokenProxy } from '../../helpers/oidc-token-proxy.ts'

const rsaJwk = (): JWK => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK
const ecJwk = (namedCurve: string): JWK => generateKeyPairSync('ec', { namedCurve }).privateKey.export({ format: 'jwk' }) as JWK
const edJwk = (): JWK => generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK

function publicOf (jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk
  return rest
}

t.test('completion: alg from kty/crv or client_alg, kid = the RFC 7638 thumbprint', async (t) => {
  const cases: Array<[string, JWK, string | null, string]> = [
    ['RSA', rsaJwk(), null, 'RS256'],
    ['RSA with client_alg PS384', rsaJwk(), 'PS384', 'PS384'],
    ['EC P-256', ecJwk('P-256'), null, 'ES256'],
    ['EC P-384', ecJwk('P-384'), null, 'ES384'],
    ['EC P-521', ecJwk('P-521'), null, 'ES512'],
    ['OKP Ed25519', edJwk(), null, 'EdDSA']
  ]
  for (const [name, jwk, clientAlg, alg] of cases) {
    const { jwk: done, issue } = completeSigningJwk({ ...jwk, kid: null, alg: null, use: null }, clientAlg, 0)
    t.equal(issue, null, name)
    t.equal(done?.alg, alg, `${name}: alg`)
    t.equal(done?.kid, await calculateJwkThumbprint(jwk), `${name}: kid is jose's thumbprint`)
    t.notOk(done !== null && 'use' in done, `${name}: absent members are dropped`)
  }
  const own = ecJwk('P-256')
  t.same(completeSigningJwk({ ...own, kid: 'mine', alg: 'ES256' }, null, 0).jwk, { ...own, kid: 'mine', alg: 'ES256' }, 'given ones are kept')
})

t.test('a key that cannot sign is a config error naming the JSON path', async (t) => {
  const ec = ecJwk('P-384')
  const rsa = rsaJwk()
  const broker = (jwk: JWK, extra: Record<string, unknown> = {}) => validate(openIdConnectSchema.configSchema, {
    issuer: 'http://127.0.0.1:9/realms/test',
    auth_methods: ['client_credentials'],
    client_id: ['a', 'b'],
    client_secret: ['s', 't'],
    client_auth: ['client_secret_basic', 'private_key_jwt'],
    client_jwk: [rsa, jwk],
    ...extra
  }, 'config').issues
  t.same(broker(ec), [], 'a complete EC key')
  t.match(broker(ec, { client_alg: ['RS256', 'ES256'] }), [{ path: 'config.client_alg[1]', message: /EC key on P-384 cannot sign ES256 \(it signs ES384\)/ }])
  t.match(broker({ ...ec, alg: 'ES512' }), [{ path: 'config.client_jwk[1].alg', message: /cannot sign ES512/ }])
  t.match(broker({ ...rsa, alg: 'ES256' }), [{ path: 'config.client_jwk[1].alg', message: /RS256\/384\/512 or PS256\/384\/512/ }])
  t.match(broker(publicOf(ec)), [{ path: 'config.client_jwk[1].d', message: /private member 'd' is required/ }])
  t.match(broker({ kty: 'oct', k: 'c2VjcmV0' }), [{ path: 'config.client_jwk[1].kty', message: /asymmetric/ }])
  t.match(broker({ ...ec, crv: 'P-192' }), [{ path: 'config.client_jwk[1].crv' }])
  t.match(broker({ kty: 'RSA', n: 'n', e: 'AQAB', d: 'private' }), [{ path: 'config.client_jwk[1]', message: /not a usable private key/ }])
  const issues = broker({ kty: 'RSA', n: rsa.n, e: rsa.e, d: rsa.d })
  t.match(issues, [{ path: 'config.client_jwk[1]' }], 'RSA without its CRT members')
  t.notOk(JSON.stringify(issues).includes(String(rsa.d)), 'no private member in the message')
  t.same(broker({ ...ec, alg: 'ES512' }, { client_auth: ['client_secret_basic', 'client_secret_basic'] }), [],
    'not brokered: the key is never used to sign, so it is not checked')
})

t.test('the signer caches keys by material: two keys with one kid each sign with their own', async (t) => {
  const pool = createSignerPool({ threads: 1 })
  t.teardown(() => pool.close())
  const first = { ...ecJwk('P-256'), kid: 'shared', alg: 'ES256' }
  const second = { ...ecJwk('P-256'), kid: 'shared', alg: 'ES256' }
  for (const [name, jwk, other] of [['first', first, second], ['second (same kid)', second, first], ['first again', first, second]] as const) {
    const jws = await pool.sign({ jwk, claims: { who: name } })
    t.equal(decodeProtectedHeader(jws).kid, 'shared')
    const { payload } = await compactVerify(jws, await importJWK(publicOf(jwk), 'ES256'))
    t.same(JSON.parse(new TextDecoder().decode(payload)), { who: name }, `${name}: verifies with its own public key`)
    await t.rejects(compactVerify(jws, await importJWK(publicOf(other), 'ES256')), `${name}: not with the other key`)
  }
  const rsa = { ...rsaJwk(), kid: 'r' }
  for (const alg of ['RS256', 'PS256']) {
    const jws = await pool.sign({ jwk: { ...rsa, alg }, claims: {} })
    t.equal(decodeProtectedHeader(jws).alg, alg, `one RSA key, ${alg}: a key imported per alg`)
    await compactVerify(jws, await importJWK(publicOf(rsa), alg))
  }
})

t.test('the real gateway signs with a client_jwk given without alg and kid', async (t) => {
  const jwk = ecJwk('P-256')
  const kid = await calculateJwkThumbprint(jwk)
  // the client's key as the IdP registered it, kid = its thumbprint (the gateway's keys are not in it)
  const keySet = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' })
    res.end(JSON.stringify({ keys: [{ ...publicOf(jwk), kid, alg: 'ES256', use: 'sig' }] }))
  })
  keySet.listen(0, '127.0.0.1')
  await once(keySet, 'listening')
  t.teardown(() => new Promise((resolve) => keySet.close(resolve)))

  const secret = 'gateway-side-secret'
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const proxy = await startTokenProxy(idp.url)
  t.teardown(() => proxy.close())
  const stack = await startOidcStack(t, {
    idp,
    plugin: { client_secret: [secret], client_jwk: [jwk], token_endpoint: proxy.tokenEndpoint }
  })
  await idp.setJwtClientJwksUri(`http://127.0.0.1:${(keySet.address() as { port: number }).port}/jwks`)

  const reply = await stack.proxy(ROUTE, { headers: { authorization: basicAuth(idp.clients.jwt.client_id, secret) } })
  t.equal(reply.status, 200, 'the IdP accepted the assertion')
  const assertion = proxy.requests.at(-1)!.form.get('client_assertion')!
  t.same(decodeProtectedHeader(assertion), { typ: 'JWT', alg: 'ES256', kid }, 'alg from the curve, kid = thumbprint')
})
