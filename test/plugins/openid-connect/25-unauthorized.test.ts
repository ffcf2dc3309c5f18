// Wrong, missing and malformed credentials: Kong's exact 401 (body, Bearer challenge with the issuer's
// host as realm, X-Kong-Response-Latency and no X-Kong-Proxy-Latency), nothing sent upstream, and the IdP
// asked only when there was a well-formed id and secret to ask about.

import t from 'tap'
import { assertKongUnauthorized, basicAuth, clientBasic, howToConfig, oidcService, ROUTE, startOidcStack } from '../../helpers/oidc-stack.ts'

const b64 = (text: string): string => Buffer.from(text).toString('base64')

t.test('401s for every way the credentials can be wrong', async (t) => {
  const stack = await startOidcStack(t, {
    services: (idp, upstream) => [
      oidcService('example-service', upstream.url, ROUTE, howToConfig(idp)),
      oidcService('verbose', upstream.url, '/verbose', { ...howToConfig(idp), display_errors: true, cache_tokens_salt: 'verbose' }),
      oidcService('custom', upstream.url, '/custom', {
        ...howToConfig(idp), unauthorized_error_message: 'Go away', expose_error_code: false
      })
    ]
  })
  const { idp, upstream } = stack
  const { client_id: id, client_secret: secret } = idp.clients.secret

  await t.test('missing or malformed: 401 without asking the IdP', async (t) => {
    const cases: Array<[string, Record<string, string>]> = [
      ['no Authorization', {}],
      ['a Bearer token instead', { authorization: 'Bearer abc.def.ghi' }],
      ['Basic without a value', { authorization: 'Basic' }],
      ['Basic with only a space', { authorization: 'Basic ' }],
      ['not base64 and no colon', { authorization: 'Basic !!!' }],
      ['base64 without a colon', { authorization: `Basic ${b64('just-an-id')}` }],
      ['an empty id', { authorization: `Basic ${b64(':' + secret!)}` }],
      ['an empty secret', { authorization: `Basic ${b64(id + ':')}` }],
      ['another scheme named like Basic', { authorization: `Basically ${b64(`${id}:${secret!}`)}` }]
    ]
    for (const [label, headers] of cases) assertKongUnauthorized(t, await stack.proxy(ROUTE, { headers }), label)
    t.equal(idp.tokenRequests, 0, 'the IdP was never asked')
    t.equal(upstream.requests.length, 0, 'nothing reached the upstream')
  })

  await t.test('well-formed but wrong: the IdP says no, the gateway says 401', async (t) => {
    assertKongUnauthorized(t, await stack.proxy(ROUTE, { headers: { authorization: basicAuth(id, 'wrong') } }), 'wrong secret')
    assertKongUnauthorized(t, await stack.proxy(ROUTE, { headers: { authorization: basicAuth('nobody', secret!) } }), 'unknown client')
    assertKongUnauthorized(t, await stack.proxy(ROUTE, { headers: { authorization: basicAuth(id, secret!.toUpperCase()) } }), 'secret in another case')
    t.equal(idp.tokenRequests, 3)
    t.equal(upstream.requests.length, 0)
  })

  await t.test('the scheme is case-insensitive and a raw (not base64) pair is used as Kong does', async (t) => {
    const mixed = await stack.proxy(ROUTE, { headers: { authorization: `bAsIc ${b64(`${id}:${secret!}`)}` } })
    t.equal(mixed.status, 200)
    const raw = await stack.proxy(ROUTE, { headers: { authorization: `Basic ${id}:${secret!}` } })
    t.equal(raw.status, 200, 'the raw pair is not base64, so it is taken as it is')
  })

  await t.test('display_errors appends the reason, never the secret', async (t) => {
    const first = await stack.proxy('/verbose', { headers: { authorization: basicAuth(id, 'wrong-verbose') } })
    t.equal(first.status, 401)
    t.equal(first.json().message, 'Unauthorized (invalid status code received from the token endpoint (401))')
    const missing = await stack.proxy('/verbose')
    t.equal(missing.json().message, 'Unauthorized (no suitable authorization credentials were provided)')
    t.notOk(first.text.includes('wrong-verbose'))
  })

  await t.test('unauthorized_error_message and expose_error_code', async (t) => {
    const reply = await stack.proxy('/custom', { headers: { authorization: 'Basic !!!' } })
    t.equal(reply.status, 401)
    t.equal(reply.json().message, 'Go away')
    t.equal(reply.headers['www-authenticate'], 'Bearer realm="127.0.0.1"', 'no error code exposed')
  })

  await t.test('the good credentials still work alongside', async (t) => {
    const ok = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(idp.clients.secret) } })
    t.equal(ok.status, 200)
  })
})
