// No secret, access token or client assertion in any log line: one gateway at log_level debug goes
// through every kind of success and failure this plugin has (each client auth method, broker mode, wrong
// and malformed credentials, IdP 500 / garbage / hang / refused / down, tampered and foreign-signed
// tokens, a failed background renewal, a reload, a key rotation), then its whole output is searched for
// everything secret that passed through it, in every encoding a log line could plausibly carry.

import t from 'tap'
import { startIdp } from '../../helpers/idp.ts'
import type { IdpClient, IdpFailMode } from '../../helpers/idp.ts'
import { basicAuth, clientBasic, delay, oidcService, startOidcStack, upstreamBearer, waitForIssuers } from '../../helpers/oidc-stack.ts'
import { foreignSigner, startTokenProxy, tamperClaims } from '../../helpers/oidc-token-proxy.ts'

const CLIENT_SECRET = 'Cl1ent-S3cret+with/marks=%'
const BROKER_SECRET = 'Br0ker-S3cret+with/marks=%'
const SALT = 'S4lt-value-kept-secret'
const TTL_S = 6
const JWS = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/

t.test('the gateway\'s whole output holds no secret, token or assertion', async (t) => {
  const idp = await startIdp({ accessTokenFormat: 'jwt', accessTokenTtl: TTL_S, clientSecret: CLIENT_SECRET, extraSecretClients: 12 })
  t.teardown(() => idp.close())
  const proxy = await startTokenProxy(idp.url)
  t.teardown(() => proxy.close())
  const base = { issuer: idp.issuer, auth_methods: ['client_credentials'], token_endpoint: proxy.tokenEndpoint, timeout: 1000 }
  const stack = await startOidcStack(t, {
    idp,
    settings: { log_level: 'debug' },
    services: (_idp, upstream) => [
      oidcService('basic', upstream.url, '/basic', { ...base, cache_tokens_salt: SALT, rediscovery_lifetime: 0 }),
      oidcService('post', upstream.url, '/post', { ...base, token_endpoint_auth_method: 'client_secret_post' }),
      oidcService('secret-jwt', upstream.url, '/secret-jwt', { ...base, token_endpoint_auth_method: 'client_secret_jwt' }),
      oidcService('broker', upstream.url, '/broker', {
        // signing and the exchange within 1 s is not what this test is about: a loaded machine missed it
        ...base, timeout: 10_000, client_id: [idp.clients.jwt.client_id], client_secret: [BROKER_SECRET], client_auth: ['private_key_jwt']
      }),
      oidcService('resurrect', upstream.url, '/resurrect', { ...base, cache_ttl_resurrect: 60, cache_tokens_salt: 'r' })
    ]
  })
  const { gateway } = stack
  await idp.setJwtClientJwksUri(`${gateway.adminUrl}/openid-connect/jwks`)
  const cold = [...idp.extraClients.secret]
  const nextCold = (): IdpClient => cold.shift()!
  const upstreamTokens: string[] = []
  let lastOk = 0
  const fetchedAt = (): number => lastOk
  const call = async (path: string, authorization: string | null, expected: number, label: string): Promise<void> => {
    const reply = await stack.proxy(path, { headers: authorization === null ? {} : { authorization } })
    t.equal(reply.status, expected, label)
    const token = reply.status === 200 ? upstreamBearer(reply) : null
    if (token !== null) upstreamTokens.push(token)
    if (reply.status === 200) lastOk = Date.now()
  }

  // successes, every client authentication
  await call('/basic', clientBasic(idp.clients.secret), 200, 'basic')
  await call('/post', clientBasic(idp.clients.secretPost), 200, 'post')
  await call('/secret-jwt', clientBasic(idp.clients.secretJwt), 200, 'client_secret_jwt')
  await call('/broker', basicAuth(idp.clients.jwt.client_id, BROKER_SECRET), 200, 'broker')
  await call('/resurrect', clientBasic(idp.clients.secret), 200, 'resurrect warm-up')
  const resurrectFetchedAt = fetchedAt()

  // wrong and malformed credentials
  await call('/basic', basicAuth(idp.clients.secret.client_id, CLIENT_SECRET + 'x'), 401, 'wrong secret')
  await call('/broker', basicAuth(idp.clients.jwt.client_id, BROKER_SECRET.slice(1)), 401, 'wrong broker secret')
  await call('/basic', `Basic ${CLIENT_SECRET}`, 401, 'malformed')
  await call('/basic', null, 401, 'missing')

  // the IdP failing in every way
  idp.failOnly = 'token'
  for (const mode of ['status500', 'garbage', 'hang', 'refuse'] as IdpFailMode[]) {
    idp.failMode = mode
    await call('/basic', clientBasic(nextCold()), 401, mode)
  }
  idp.failMode = 'none'
  idp.failOnly = null

  // tokens that do not verify
  proxy.rewrite = tamperClaims
  await call('/basic', clientBasic(nextCold()), 401, 'tampered token')
  proxy.rewrite = await foreignSigner()
  await call('/basic', clientBasic(nextCold()), 401, 'foreign-signed token')
  proxy.rewrite = null

  // a background renewal that fails, then a stale token served while the IdP fails. The feature is time:
  // each wait is measured from when the token it is about was fetched.
  const renewing = clientBasic(nextCold())
  await call('/basic', renewing, 200, 'a fresh token')
  await delay(fetchedAt() + TTL_S * 500 + 200 - Date.now()) // past its renew-ahead point, well before expiry
  idp.failMode = 'status500'
  idp.failOnly = 'token'
  const mark = gateway.mark()
  await call('/basic', renewing, 200, 'served while its renewal fails')
  await gateway.waitForLog((line) => line.event === 'oidc_token_renewal_failed', { after: mark })
  await delay(resurrectFetchedAt + TTL_S * 1000 + 300 - Date.now()) // past the resurrect route's token expiry
  await call('/resurrect', clientBasic(idp.clients.secret), 200, 'stale token served')
  idp.failMode = 'none'
  idp.failOnly = null

  // the IdP down entirely, then back; a reload; a key rotation with a brokered fill after it
  await idp.stop()
  await call('/basic', clientBasic(nextCold()), 401, 'IdP down')
  await stack.admin('/openid-connect/issuers', { method: 'DELETE' })
  await call('/post', clientBasic(nextCold()), 401, 'IdP down, discovery forgotten')
  await idp.restart()
  await waitForIssuers(stack) // rediscovered by the gateway's own retry
  t.equal((await gateway.reload()).event, 'reloaded')
  t.equal((await stack.admin('/openid-connect/jwks', { method: 'DELETE' })).status, 204)
  await call('/broker', basicAuth(idp.clients.jwt.client_id, BROKER_SECRET), 200, 'broker, cached')
  await call('/secret-jwt', clientBasic(nextCold()), 401, 'secret-jwt with a basic-only client')
  await gateway.stop()

  const output = gateway.output()
  const events = new Set(gateway.logs.map((line) => line.event))
  for (const event of ['oidc_token_failed', 'oidc_token_renewal_failed', 'oidc.discovery.failed', 'reloaded']) {
    t.ok(events.has(event), `the scenario logged ${event}`)
  }

  const secrets = [CLIENT_SECRET, BROKER_SECRET, SALT]
  const forms = secrets.flatMap((secret) => [
    secret, encodeURIComponent(secret), new URLSearchParams([['', secret]]).toString().slice(1), JSON.stringify(secret).slice(1, -1)
  ])
  const basics = [idp.clients.secret, idp.clients.secretPost, idp.clients.secretJwt, ...idp.extraClients.secret]
    .flatMap((client) => [clientBasic(client).slice(6), Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret!)}`).toString('base64')])
  basics.push(basicAuth(idp.clients.jwt.client_id, BROKER_SECRET).slice(6))
  const issued = proxy.requests.flatMap((r) => r.issued === null ? [] : [r.issued])
  const assertions = proxy.requests.flatMap((r) => r.form.get('client_assertion') ?? [])
  t.ok(issued.length >= 6 && upstreamTokens.length >= 6, `${issued.length} tokens issued, ${upstreamTokens.length} forwarded`)
  t.ok(assertions.length >= 3, `${assertions.length} assertions sent`)

  const leaks = (values: string[]): string[] => values.filter((value) => output.includes(value))
  t.same(leaks(forms), [], 'no secret, in any encoding')
  t.same(leaks(basics), [], 'no Basic credentials')
  t.same(leaks([...issued, ...upstreamTokens]), [], 'no access token')
  t.same(leaks(assertions), [], 'no client assertion')
  t.same(leaks(issued.map((token) => token.split('.')[2])), [], 'not even a token\'s signature')
  t.notOk(JWS.test(output), 'nothing that looks like a JWS at all')
})
