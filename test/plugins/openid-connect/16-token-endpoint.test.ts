// The token request against the real test IdP (oidc-provider), and its failure modes.

import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { once } from 'node:events'
import { Agent } from 'undici'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { JWK } from 'jose'
import { startIdp } from '../../helpers/idp.ts'
import type { TestIdp } from '../../helpers/idp.ts'
import {
  chooseClientAuthMethod, privateKeyJwt, secretClientAuthentication
} from '../../../src/plugins/openid-connect/worker/client-auth.ts'
import type { AssertionClaims, SecretAuthMethod } from '../../../src/plugins/openid-connect/worker/client-auth.ts'
import { buildTokenRequest, createTokenRequestTemplate } from '../../../src/plugins/openid-connect/worker/token-request.ts'
import type { TokenRequest } from '../../../src/plugins/openid-connect/worker/token-request.ts'
import { MAX_RESPONSE_BYTES, parseTokenResponse, requestToken } from '../../../src/plugins/openid-connect/worker/token-endpoint.ts'
import { isIdpRejection } from '../../../src/plugins/openid-connect/worker/token-errors.ts'
import { createJwksVerifier } from '../../../src/plugins/openid-connect/worker/jwks-verifier.ts'
import { createVerifyOptions, verifyAccessToken } from '../../../src/plugins/openid-connect/worker/verify-token.ts'

const template = createTokenRequestTemplate({ scopes: ['openid'] })

function agent (t: Test): Agent {
  const dispatcher = new Agent({ connect: { timeout: 2000 } })
  t.teardown(() => dispatcher.close())
  return dispatcher
}

async function idpFor (t: Test, options?: Parameters<typeof startIdp>[0]): Promise<TestIdp> {
  const idp = await startIdp(options)
  t.teardown(() => idp.close())
  return idp
}

async function secretRequest (method: SecretAuthMethod, id: string, secret: string, endpoint: string): Promise<TokenRequest> {
  return buildTokenRequest(template, await secretClientAuthentication(method, id, secret, endpoint))
}

/** A token endpoint of our own, for answers the IdP never gives; counts the requests it sees. */
async function fakeEndpoint (t: Test, answer: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  const state = { url: '', requests: 0 }
  const server = createServer((req, res) => {
    state.requests++
    req.resume()
    req.on('end', () => answer(req, res, state.requests))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close(); server.closeAllConnections() })
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`
  return state
}

t.test('a token with each client auth method the IdP supports', async (t) => {
  const idp = await idpFor(t)
  const dispatcher = agent(t)
  const endpoint = `${idp.url}/token`
  const discovery = await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json() as Record<string, string[]>
  t.equal(chooseClientAuthMethod(null, discovery.token_endpoint_auth_methods_supported), 'client_secret_basic', 'Kong\'s choice')
  const clients: Array<[SecretAuthMethod, { client_id: string, client_secret?: string }]> = [
    ['client_secret_basic', idp.clients.secret],
    ['client_secret_post', idp.clients.secretPost],
    ['client_secret_jwt', idp.clients.secretJwt]
  ]
  t.equal(idp.clients.secret.client_secret, 'sec+ret/=%', 'a secret that needs form-encoding')
  for (const [method, client] of clients) {
    const request = await secretRequest(method, client.client_id, client.client_secret!, endpoint)
    const token = await requestToken(dispatcher, endpoint, request, 5000)
    t.match(token, { tokenType: 'Bearer', expiresIn: 60 }, method)
    t.ok(token.accessToken.length > 10)
  }
  t.equal(idp.tokenRequests, 3)
})

t.test('private_key_jwt (broker mode) with a signer callback', async (t) => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = 'gateway-rs256'
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  const jwks = await fakeEndpoint(t, (_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ keys: [publicJwk] }))
  })
  const idp = await idpFor(t, { jwtClientJwksUri: jwks.url })
  const endpoint = `${idp.url}/token`
  const sign = (claims: AssertionClaims, alg: string): Promise<string> =>
    new SignJWT({ ...claims }).setProtectedHeader({ typ: 'JWT', alg, kid }).sign(privateKey)
  const auth = await privateKeyJwt(idp.clients.jwt.client_id, endpoint, 'RS256', sign)
  const token = await requestToken(agent(t), endpoint, buildTokenRequest(template, auth), 5000)
  t.equal(token.tokenType, 'Bearer')
  t.ok(jwks.requests >= 1, 'the IdP fetched the gateway\'s public keys')
})

t.test('the IdP says no: IDP_STATUS, a rejection (negatively cacheable), nothing secret in it', async (t) => {
  const idp = await idpFor(t)
  const endpoint = `${idp.url}/token`
  const wrongSecret = 'wrong-s3cret-value'
  const request = await secretRequest('client_secret_basic', idp.clients.secret.client_id, wrongSecret, endpoint)
  const err = await requestToken(agent(t), endpoint, request, 5000).catch((e: unknown) => e)
  t.match(err, { name: 'IdpError', code: 'IDP_STATUS', status: 401, message: 'invalid status code received from the token endpoint (401)', rejected: true })
  t.equal(isIdpRejection(err), true)
  t.notOk(JSON.stringify({ ...(err as object), message: (err as Error).message }).includes(wrongSecret))
  t.equal(idp.tokenRequests, 1, 'a rejection is not retried')
})

t.test('the IdP fails: each failMode maps to its code and is not a rejection', async (t) => {
  const idp = await idpFor(t)
  const dispatcher = agent(t)
  const endpoint = `${idp.url}/token`
  const request = await secretRequest('client_secret_basic', idp.clients.secret.client_id, idp.clients.secret.client_secret!, endpoint)
  const attempt = (timeoutMs = 5000) => requestToken(dispatcher, endpoint, request, timeoutMs).catch((e: unknown) => e)
  const cases: Array<[TestIdp['failMode'], string, number]> = [
    ['status500', 'IDP_STATUS', 5000],
    ['garbage', 'IDP_BAD_RESPONSE', 5000],
    ['hang', 'IDP_TIMEOUT', 300],
    ['refuse', 'IDP_UNREACHABLE', 5000]
  ]
  for (const [mode, code, timeoutMs] of cases) {
    idp.failMode = mode
    const err = await attempt(timeoutMs)
    t.match(err, { name: 'IdpError', code, status: 401 }, mode)
    t.equal(isIdpRejection(err), false, `${mode}: stale may be served`)
    t.notOk((err as Error).message.includes(idp.clients.secret.client_secret!), `${mode}: no secret in the message`)
  }
  idp.failMode = 'none'
  t.match(await attempt(), { tokenType: 'Bearer' }, 'recovers')
  await idp.stop()
  t.match(await attempt(), { code: 'IDP_UNREACHABLE', message: 'token endpoint unreachable (ECONNREFUSED)' }, 'port closed')
})

t.test('a transport failure is retried once; a timeout is not', async (t) => {
  const dispatcher = agent(t)
  const request = buildTokenRequest(template, { authorization: null, formFields: '' })
  const flaky = await fakeEndpoint(t, (req, res, n) => {
    if (n === 1) { req.socket.destroy(); return }
    res.setHeader('content-type', 'application/json')
    res.end('{"access_token":"tok","token_type":"bearer","expires_in":"30"}')
  })
  t.same(await requestToken(dispatcher, flaky.url, request, 5000), { accessToken: 'tok', tokenType: 'bearer', expiresIn: 30 })
  t.equal(flaky.requests, 2)

  const dead = await fakeEndpoint(t, (req) => { req.socket.destroy() })
  await t.rejects(requestToken(dispatcher, dead.url, request, 5000), { code: 'IDP_UNREACHABLE' })
  t.equal(dead.requests, 2, 'one retry, not more')

  const slow = await fakeEndpoint(t, () => {})
  await t.rejects(requestToken(dispatcher, slow.url, request, 200), { code: 'IDP_TIMEOUT' })
  t.equal(slow.requests, 1)
})

t.test('answers that are not a usable token', async (t) => {
  const dispatcher = agent(t)
  const request = buildTokenRequest(template, { authorization: null, formFields: '' })
  const bodies: Array<[string, string]> = [
    ['{"access_token":"t","token_type":"DPoP"}', 'IDP_BAD_TOKEN_TYPE'],
    ['{"access_token":"t","token_type":7}', 'IDP_BAD_TOKEN_TYPE'],
    ['{"token_type":"Bearer"}', 'IDP_BAD_RESPONSE'],
    ['["access_token"]', 'IDP_BAD_RESPONSE'],
    ['{"access_token":"secret-token-value"', 'IDP_BAD_RESPONSE']
  ]
  let next = ''
  const endpoint = await fakeEndpoint(t, (_req, res) => { res.end(next) })
  for (const [body, code] of bodies) {
    next = body
    const err = await requestToken(dispatcher, endpoint.url, request, 5000).catch((e: unknown) => e)
    t.match(err, { code }, body)
    t.notOk((err as Error).message.includes('secret-token-value'), 'no token in the message')
    t.equal((err as Error).cause, undefined, 'no cause that could quote the body')
  }
  next = 'x'.repeat(MAX_RESPONSE_BYTES + 1)
  await t.rejects(requestToken(dispatcher, endpoint.url, request, 5000), { code: 'IDP_BAD_RESPONSE', message: /too large/ })
  t.match(parseTokenResponse(Buffer.from('{"access_token":"a"}')), { tokenType: 'Bearer', expiresIn: null }, 'token_type absent')
  t.match(parseTokenResponse(Buffer.from('{"access_token":"a","token_type":"ACCESS_TOKEN","expires_in":"x"}')),
    { tokenType: 'ACCESS_TOKEN', expiresIn: null })
})

t.test('JWT access tokens verified against the IdP\'s JWKS; a rotated key is JWKS_KID_UNKNOWN', async (t) => {
  const idp = await idpFor(t, { accessTokenFormat: 'jwt' })
  const dispatcher = agent(t)
  const endpoint = `${idp.url}/token`
  const fetchJwks = async (): Promise<JWK[]> => ((await (await fetch(`${idp.url}/jwks`)).json()) as { keys: JWK[] }).keys
  const options = createVerifyOptions({}, idp.issuer)
  const getToken = async (): Promise<string> => {
    const request = await secretRequest('client_secret_basic', idp.clients.secret.client_id, idp.clients.secret.client_secret!, endpoint)
    return (await requestToken(dispatcher, endpoint, request, 5000)).accessToken
  }
  const verifier = createJwksVerifier(await fetchJwks())
  const first = await getToken()
  t.equal(first.split('.').length, 3)
  const { exp } = await verifyAccessToken(first, verifier, options)
  t.ok(exp !== null && Math.abs(exp - (Date.now() / 1000 + 60)) < 10, 'exp returned')
  await t.rejects(verifyAccessToken(first, verifier, createVerifyOptions({}, 'http://other.example')), { code: 'TOKEN_ISSUER_INVALID' })

  await idp.rotateKeys()
  const second = await getToken()
  await t.rejects(verifyAccessToken(second, verifier, options), { code: 'JWKS_KID_UNKNOWN' })
  const refreshed = createJwksVerifier(await fetchJwks())
  t.match(await verifyAccessToken(second, refreshed, options), { exp: Number })
  t.match(await verifyAccessToken(first, refreshed, options), { exp: Number }, 'the old key is still published')
})
