// The introspection request (RFC 7662) against the real test IdP (oidc-provider), what it carries from
// config and from the caller, the gateway's client authentication, and the failure modes.

import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { once } from 'node:events'
import { Agent } from 'undici'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { JWK } from 'jose'
import { startIdp } from '../../helpers/idp.ts'
import type { IdpClient, TestIdp } from '../../helpers/idp.ts'
import {
  createIntrospectionClient, createIntrospectionTemplate, introspectionCallerArgs, introspectionClientAuthentication,
  MAX_INTROSPECTION_BYTES, parseIntrospectionResponse, requestIntrospection
} from '../../../src/plugins/openid-connect/worker/introspection-endpoint.ts'
import type { IntrospectionClientConfig } from '../../../src/plugins/openid-connect/worker/introspection-endpoint.ts'
import { chooseIntrospectionAuthMethod } from '../../../src/plugins/openid-connect/worker/introspection-auth.ts'
import type { IntrospectionClient } from '../../../src/plugins/openid-connect/worker/introspection-auth.ts'
import { clientSecretBasic } from '../../../src/plugins/openid-connect/worker/client-auth.ts'
import type { AssertionClaims, ClientAuthentication } from '../../../src/plugins/openid-connect/worker/client-auth.ts'
import { isIdpRejection } from '../../../src/plugins/openid-connect/worker/token-errors.ts'

const template = createIntrospectionTemplate({})

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

function basic (client: IdpClient): ClientAuthentication {
  return clientSecretBasic(client.client_id, client.client_secret!)
}

function endpointOf (idp: TestIdp): string {
  return `${idp.url}/token/introspection`
}

const noSigner = async (): Promise<string> => { throw new Error('no signer in this test') }

interface Seen { method: string, headers: IncomingMessage['headers'], body: string }

/** An introspection endpoint of our own, for answers the IdP never gives; keeps what each request carried. */
async function fakeEndpoint (t: Test, answer: (res: ServerResponse, n: number) => void) {
  const state = { url: '', seen: [] as Seen[] }
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => { body += chunk })
    req.on('end', () => {
      state.seen.push({ method: req.method ?? '', headers: req.headers, body })
      answer(res, state.seen.length)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close(); server.closeAllConnections() })
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/introspect`
  return state
}

function json (body: unknown): (res: ServerResponse) => void {
  return (res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(body))
  }
}

t.test('an active token: active true with its claims; revoked and unknown tokens: active false', async (t) => {
  const idp = await idpFor(t, { extraTokenClaims: { groups: ['admins'], roles: ['reader'] } })
  const dispatcher = agent(t)
  const token = await idp.issueToken(idp.clients.secret, { scope: 'api' })
  const auth = basic(idp.clients.introspect)

  const active = await requestIntrospection(dispatcher, endpointOf(idp), token, template, auth, null, 5000)
  t.equal(active.active, true)
  t.match(active.claims, {
    active: true, client_id: idp.clients.secret.client_id, scope: 'api', exp: Number, iss: idp.issuer, groups: ['admins'], roles: ['reader']
  })
  t.equal(active.exp, active.claims.exp, 'exp is the answer\'s')
  t.ok(active.exp! > Date.now() / 1000, 'in the future')
  t.equal(idp.introspectionRequests, 1, 'one POST, counted')

  await idp.revoke(token)
  const revoked = await requestIntrospection(dispatcher, endpointOf(idp), token, template, auth, null, 5000)
  t.same(revoked, { active: false, claims: { active: false }, exp: null }, 'revoked')

  const unknown = await requestIntrospection(dispatcher, endpointOf(idp), 'not-a-token-it-issued', template, auth, null, 5000)
  t.same(unknown, { active: false, claims: { active: false }, exp: null }, 'unknown')
  t.equal(idp.introspectionRequests, 3)
})

t.test('a token for the resource server carries its audience', async (t) => {
  const idp = await idpFor(t)
  const token = await idp.issueToken(idp.clients.secretPost, { scope: 'api', resource: true })
  const result = await requestIntrospection(agent(t), endpointOf(idp), token, template, basic(idp.clients.introspect), null, 5000)
  t.match(result.claims, { active: true, client_id: idp.clients.secretPost.client_id, aud: 'urn:tollgate:test-api' })
})

t.test('a token with & and = is form-encoded (one token field, the IdP finds nothing)', async (t) => {
  const idp = await idpFor(t)
  const tricky = 'a&token=b=c&token_type_hint=refresh_token+%'
  // unencoded, oidc-provider would see a repeated token and answer 400 invalid_request
  const result = await requestIntrospection(agent(t), endpointOf(idp), tricky, template, basic(idp.clients.introspect), null, 5000)
  t.equal(result.active, false)

  const fake = await fakeEndpoint(t, json({ active: false }))
  await requestIntrospection(agent(t), fake.url, tricky, template, { authorization: null, formFields: '' }, null, 5000)
  const form = new URLSearchParams(fake.seen[0].body)
  t.same(form.getAll('token'), [tricky], 'the token arrives whole')
  t.same(form.getAll('token_type_hint'), ['access_token'])
})

t.test('the gateway authenticates with each method: basic, post, client_secret_jwt, private_key_jwt', async (t) => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = 'gateway-rs256'
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  const jwks = await fakeEndpoint(t, json({ keys: [publicJwk] }))
  const idp = await idpFor(t, { jwtClientJwksUri: jwks.url })
  const dispatcher = agent(t)
  const endpoint = endpointOf(idp)
  const token = await idp.issueToken(idp.clients.secret)
  const signed: AssertionClaims[] = []
  const sign = async (claims: AssertionClaims, alg: string): Promise<string> => {
    signed.push(claims)
    return await new SignJWT({ ...claims }).setProtectedHeader({ typ: 'JWT', alg, kid }).sign(privateKey)
  }
  const discovered = { introspectionAuthMethods: null, authMethods: null }
  const cases: Array<[IdpClient, string]> = [
    [idp.clients.introspect, 'client_secret_basic'],
    [idp.clients.secretPost, 'client_secret_post'],
    [idp.clients.secretJwt, 'client_secret_jwt'],
    [idp.clients.jwt, 'private_key_jwt']
  ]
  for (const [client, method] of cases) {
    const config: IntrospectionClientConfig = {
      client_id: [client.client_id],
      client_secret: client.client_secret === undefined ? null : [client.client_secret],
      introspection_endpoint_auth_method: method
    }
    const auth = await introspectionClientAuthentication(createIntrospectionClient(config)!, endpoint, discovered, sign)
    const result = await requestIntrospection(dispatcher, endpoint, token, template, auth, null, 5000)
    t.equal(result.active, true, method)
  }
  t.equal(signed.length, 1, 'only private_key_jwt signs')
  t.match(signed[0], { iss: idp.clients.jwt.client_id, sub: idp.clients.jwt.client_id, aud: endpoint })
})

t.test('the method: configured, client_auth, discovered for introspection, else the token endpoint\'s choice', async (t) => {
  const client = (config: IntrospectionClientConfig): IntrospectionClient => createIntrospectionClient({ client_id: ['gw'], ...config })!
  const withSecret = { client_secret: ['s'] }
  const none = { introspectionAuthMethods: null, authMethods: null }
  t.equal(chooseIntrospectionAuthMethod(client({ ...withSecret, introspection_endpoint_auth_method: 'client_secret_post', client_auth: ['private_key_jwt'] }), none), 'client_secret_post')
  t.equal(chooseIntrospectionAuthMethod(client({ ...withSecret, client_auth: ['private_key_jwt'] }), none), 'private_key_jwt')
  t.equal(chooseIntrospectionAuthMethod(client(withSecret), { introspectionAuthMethods: ['private_key_jwt', 'client_secret_post'], authMethods: ['client_secret_basic'] }), 'client_secret_post')
  t.equal(chooseIntrospectionAuthMethod(client(withSecret), { introspectionAuthMethods: ['tls_client_auth'], authMethods: ['client_secret_post'] }), 'client_secret_post', 'nothing usable listed: the token endpoint\'s')
  t.equal(chooseIntrospectionAuthMethod(client({ ...withSecret, token_endpoint_auth_method: 'client_secret_jwt' }), none), 'client_secret_jwt')
  t.equal(chooseIntrospectionAuthMethod(client(withSecret), null), 'client_secret_basic')
  t.equal(chooseIntrospectionAuthMethod(client({}), { introspectionAuthMethods: ['none'], authMethods: null }), 'none')
  t.equal(chooseIntrospectionAuthMethod(client({}), null), 'private_key_jwt', 'no secret: the gateway\'s key')
  t.equal(createIntrospectionClient({}), null, 'no client_id: no client')
  t.throws(() => createIntrospectionClient({ client_id: ['gw'], introspection_endpoint_auth_method: 'tls_client_auth' }), TypeError)
  const none2 = await introspectionClientAuthentication(client({ introspection_endpoint_auth_method: 'none' }), 'http://idp/introspect', null, noSigner)
  t.same(none2, { authorization: null, formFields: 'client_id=gw' })
})

t.test('a wrong gateway secret: IDP_STATUS, not a rejection (never cached negatively), nothing secret in it', async (t) => {
  const idp = await idpFor(t)
  const token = await idp.issueToken(idp.clients.secret)
  const wrongSecret = 'wrong-s3cret-value'
  const auth = clientSecretBasic(idp.clients.introspect.client_id, wrongSecret)
  const err = await requestIntrospection(agent(t), endpointOf(idp), token, template, auth, null, 5000).catch((e: unknown) => e)
  t.match(err, { name: 'IdpError', code: 'IDP_STATUS', status: 401, rejected: false })
  t.equal(isIdpRejection(err), false)
  const message = (err as Error).message
  t.match(message, /\(401\)/)
  t.notOk(message.includes(wrongSecret) || message.includes(token), 'neither the secret nor the token')
})

t.test('failModes: status500, garbage, hang (timeout), refuse', async (t) => {
  const idp = await idpFor(t)
  const dispatcher = agent(t)
  const token = await idp.issueToken(idp.clients.secret)
  const auth = basic(idp.clients.introspect)
  idp.failOnly = 'introspection'
  const expectations: Array<[TestIdp['failMode'], string, number]> = [
    ['status500', 'IDP_STATUS', 5000], ['garbage', 'IDP_BAD_RESPONSE', 5000], ['hang', 'IDP_TIMEOUT', 200], ['refuse', 'IDP_UNREACHABLE', 5000]
  ]
  for (const [mode, code, timeout] of expectations) {
    idp.failMode = mode
    const started = performance.now()
    const err = await requestIntrospection(dispatcher, endpointOf(idp), token, template, auth, null, timeout).catch((e: unknown) => e)
    t.match(err, { code, rejected: false }, mode)
    t.notOk((err as Error).message.includes(token), `${mode}: no token in the message`)
    if (mode === 'hang') t.ok(performance.now() - started < 2000, 'the deadline holds')
  }
  t.equal(idp.introspectionRequests, 3, 'refused requests are never seen')
  idp.failMode = 'none'
  t.equal((await requestIntrospection(dispatcher, endpointOf(idp), token, template, auth, null, 5000)).active, true, 'recovers')
})

t.test('every configured and copied post arg and header reaches the endpoint', async (t) => {
  const fake = await fakeEndpoint(t, json({ active: true, sub: 'svc', exp: 1_900_000_000 }))
  const configured = createIntrospectionTemplate({
    introspection_token_param_name: 'access_token',
    introspection_hint: 'opaque',
    introspection_accept: 'application/json; charset=utf-8',
    introspection_post_args_names: ['audience', 'token_type_hint', 'client_id', 'access_token'],
    introspection_post_args_values: ['api://x', 'replaced-hint', 'configured-id', 'not-the-token'],
    introspection_headers_names: ['X-Tenant', 'Content-Length', 'X-Shared'],
    introspection_headers_values: ['t1', '999', 'from-config'],
    introspection_headers_client: ['X-Request-Id', 'X-Shared', 'Accept', 'X-Absent'],
    introspection_post_args_client: ['tenant', 'region', 'client_secret', 'access_token', 'empty'],
    introspection_post_args_client_headers: ['X-Device']
  })
  const caller = {
    headers: { 'x-request-id': ['r-1', 'r-2'], 'x-shared': 'from-caller', accept: 'text/html', 'x-device': 'd&7', 'x-absent': '' },
    query: new URLSearchParams('tenant=q&tenant=q2&client_secret=stolen&access_token=other&empty='),
    form: new URLSearchParams('tenant=body&region=eu')
  }
  const args = introspectionCallerArgs(configured, caller)
  t.not(args, null)
  const auth = clientSecretBasic('gw', 's')
  const result = await requestIntrospection(agent(t), fake.url, 'tok&en', configured, auth, args, 5000)
  t.same(result, { active: true, claims: { active: true, sub: 'svc', exp: 1_900_000_000 }, exp: 1_900_000_000 })

  const [seen] = fake.seen
  t.equal(seen.method, 'POST')
  t.match(seen.headers, {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    accept: 'application/json; charset=utf-8',
    authorization: auth.authorization!,
    'x-tenant': 't1',
    'x-shared': 'from-caller',
    'x-request-id': 'r-1'
  })
  t.equal(seen.headers['x-absent'], undefined, 'an empty header is absent')
  t.equal(seen.headers['content-length'], String(Buffer.byteLength(seen.body)), 'a configured Content-Length is not sent')
  t.same([...new URLSearchParams(seen.body)], [
    ['access_token', 'tok&en'],
    ['token_type_hint', 'replaced-hint'],
    ['audience', 'api://x'],
    ['client_id', 'configured-id'],
    ['tenant', 'q'],
    ['region', 'eu'],
    ['X-Device', 'd&7']
  ], 'the token field as configured, args in order, the query before the body, no caller client_secret or token')

  t.equal(introspectionCallerArgs(template, caller), null, 'nothing to copy: null')
  t.equal(introspectionCallerArgs(configured, { headers: {}, query: null, form: null }), null, 'nothing present: null')
})

t.test('answers that are not an introspection response', async (t) => {
  const badJson = (text: string): unknown => { try { return parseIntrospectionResponse(Buffer.from(text)) } catch (err) { return err } }
  t.match(badJson('<html>'), { code: 'IDP_BAD_RESPONSE', message: /not JSON/ })
  t.match(badJson('[{"active":true}]'), { code: 'IDP_BAD_RESPONSE', message: /not a JSON object/ })
  t.match(badJson('null'), { code: 'IDP_BAD_RESPONSE', message: /not a JSON object/ })
  t.match(badJson(`{"a":${'['.repeat(2000)}${']'.repeat(2000)}}`), { code: 'IDP_BAD_RESPONSE' }, 'nested too deep')
  t.match(parseIntrospectionResponse(Buffer.from('{"active":"true","exp":"1"}')), { active: false, exp: null }, 'only the boolean true is active')
  t.match(parseIntrospectionResponse(Buffer.from('{"sub":"x"}')), { active: false, claims: { sub: 'x' } }, 'no active: inactive, claims kept')

  const big = 'x'.repeat(MAX_INTROSPECTION_BYTES)
  const declared = await fakeEndpoint(t, json({ active: true, pad: big }))
  const chunked = await fakeEndpoint(t, (res) => {
    res.setHeader('content-type', 'application/json')
    res.write('{"active":true,"pad":"')
    res.write(big)
    res.end('"}')
  })
  for (const fake of [declared, chunked]) {
    const err = await requestIntrospection(agent(t), fake.url, 't', template, { authorization: null, formFields: '' }, null, 5000).catch((e: unknown) => e)
    t.match(err, { code: 'IDP_BAD_RESPONSE', message: /too large/, rejected: false })
  }
})

t.test('a 400 from the IdP (a JWT it will not introspect) is not a rejection either', async (t) => {
  const idp = await idpFor(t, { accessTokenFormat: 'jwt' })
  const token = await idp.issueToken(idp.clients.secret)
  const err = await requestIntrospection(agent(t), endpointOf(idp), token, template, basic(idp.clients.introspect), null, 5000).catch((e: unknown) => e)
  t.match(err, { code: 'IDP_STATUS', message: /\(400\)/, rejected: false })
})
