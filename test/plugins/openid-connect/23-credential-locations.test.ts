// Where the caller's client id and secret are found (client_credentials_param_type: header, query, form
// body, JSON body): each location buys a token, a body read for credentials still reaches the upstream
// byte for byte, and hide_credentials strips what was used (and the Grant-Type headers) from what goes
// upstream while keeping everything else.

import t from 'tap'
import type { Test } from 'tap'
import type { Reply } from '../../helpers/gateway.ts'
import { startIdp } from '../../helpers/idp.ts'
import type { TestIdp } from '../../helpers/idp.ts'
import { startBodyUpstream } from '../../helpers/oidc-body-upstream.ts'
import type { BodyUpstream, ReceivedWithBody } from '../../helpers/oidc-body-upstream.ts'
import { assertKongUnauthorized, basicAuth, oidcService, startOidcStack } from '../../helpers/oidc-stack.ts'
import type { OidcStack } from '../../helpers/oidc-stack.ts'

const PLAIN = '/plain'
const HIDDEN = '/hidden'

interface Fixture {
  stack: OidcStack
  idp: TestIdp
  body: BodyUpstream
  id: string
  secret: string
}

async function fixture (t: Test): Promise<Fixture> {
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const body = await startBodyUpstream()
  t.teardown(() => body.close())
  // one salt: the two instances differ only in hide_credentials, so they share tokens (without it each
  // instance has its own salt, as Kong's auto-generated one, and would fetch its own)
  const base = { issuer: idp.issuer, auth_methods: ['client_credentials'], cache_tokens_salt: 'plain-and-hidden' }
  const stack = await startOidcStack(t, {
    idp,
    services: () => [
      oidcService('plain', body.url, PLAIN, base),
      oidcService('hidden', body.url, HIDDEN, { ...base, hide_credentials: true })
    ]
  })
  const { client_id: id, client_secret: secret } = idp.clients.secret
  return { stack, idp, body, id, secret: secret! }
}

function received (reply: Reply): ReceivedWithBody {
  return reply.json<ReceivedWithBody>()
}

function assertBearer (t: Test, seen: ReceivedWithBody, label: string): void {
  t.match(seen.headers.authorization, /^Bearer [\w-]{20,}$/, `${label}: the access token upstream`)
}

t.test('credential locations', async (t) => {
  const { stack, idp, body, id, secret } = await fixture(t)

  await t.test('bodies that cannot hold credentials are not read; other grants are not ours', async (t) => {
    const text = `client_id=${id}&client_secret=${secret}`
    assertKongUnauthorized(t, await stack.proxy(PLAIN, { method: 'POST', body: text, headers: { 'content-type': 'text/plain' } }), 'text/plain body')
    assertKongUnauthorized(t, await stack.proxy(PLAIN, {
      headers: { authorization: basicAuth(id, secret), 'grant-type': 'password' }
    }), 'Basic with Grant-Type: password')
    assertKongUnauthorized(t, await stack.proxy(`${PLAIN}?client_id=${id}&client_secret=${encodeURIComponent(secret)}&grant_type=password`), 'query with grant_type=password')
    assertKongUnauthorized(t, await stack.proxy(PLAIN, {
      method: 'POST', body: JSON.stringify({ client_id: id, client_secret: secret, grant_type: 'authorization_code' }), headers: { 'content-type': 'application/json' }
    }), 'JSON body with another grant_type')
    t.equal(idp.tokenRequests, 0)
    t.equal(body.requests.length, 0)
  })

  await t.test('each location buys a token; the request otherwise reaches the upstream unchanged', async (t) => {
    const query = new URLSearchParams({ client_id: id, client_secret: secret, page: '2' }).toString()

    const header = await stack.proxy(`${PLAIN}?page=1`, { headers: { authorization: basicAuth(id, secret) } })
    t.equal(header.status, 200)
    assertBearer(t, received(header), 'header')
    t.equal(idp.tokenRequests, 1)

    const viaQuery = await stack.proxy(`${PLAIN}?${query}`)
    t.equal(viaQuery.status, 200)
    assertBearer(t, received(viaQuery), 'query')
    t.equal(received(viaQuery).url, `/?${query}`, 'without hide_credentials the query passes through (as Kong)')

    const form = `note=caf%C3%A9+au+lait&client_id=${encodeURIComponent(id)}&client_secret=${encodeURIComponent(secret)}&n=1`
    const viaForm = await stack.proxy(PLAIN, {
      method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' }
    })
    t.equal(viaForm.status, 200)
    assertBearer(t, received(viaForm), 'form body')
    t.equal(received(viaForm).body, form, 'the form body arrives byte for byte')
    t.equal(received(viaForm).headers['content-length'], String(Buffer.byteLength(form)))

    const json = JSON.stringify({ client_id: id, client_secret: secret, order: { items: [1, 2, 3] }, note: 'ünïcode' })
    const viaJson = await stack.proxy(PLAIN, { method: 'POST', body: json, headers: { 'content-type': 'application/json; charset=utf-8' } })
    t.equal(viaJson.status, 200)
    assertBearer(t, received(viaJson), 'JSON body')
    t.equal(received(viaJson).body, json, 'the JSON body arrives byte for byte')

    t.equal(idp.tokenRequests, 1, 'the same credentials wherever found: one token, cached')
  })

  await t.test('hide_credentials strips the credentials that were used, and only them', async (t) => {
    const header = await stack.proxy(HIDDEN, {
      headers: { authorization: basicAuth(id, secret), 'grant-type': 'client_credentials', 'x-grant-type': 'client_credentials', 'x-other': 'kept' }
    })
    t.equal(header.status, 200)
    const seenHeader = received(header)
    assertBearer(t, seenHeader, 'header')
    t.equal(seenHeader.headers['grant-type'], undefined, 'Grant-Type removed')
    t.equal(seenHeader.headers['x-grant-type'], undefined, 'X-Grant-Type removed')
    t.equal(seenHeader.headers['x-other'], 'kept')

    const query = await stack.proxy(`${HIDDEN}?page=2&client_id=${encodeURIComponent(id)}&client_secret=${encodeURIComponent(secret)}&sort=asc`)
    t.equal(query.status, 200)
    assertBearer(t, received(query), 'query')
    t.equal(received(query).url, '/?page=2&sort=asc', 'the query without the credentials, order kept')

    const form = `note=hello+world&client_id=${encodeURIComponent(id)}&client_secret=${encodeURIComponent(secret)}&n=1`
    const viaForm = await stack.proxy(HIDDEN, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    t.equal(viaForm.status, 200)
    const seenForm = received(viaForm)
    assertBearer(t, seenForm, 'form body')
    t.equal(seenForm.body, 'note=hello+world&n=1', 'the form body without the credentials')
    t.equal(seenForm.headers['content-length'], String(Buffer.byteLength(seenForm.body)), 'Content-Length follows the new body')

    const viaJson = await stack.proxy(HIDDEN, {
      method: 'POST',
      body: JSON.stringify({ client_id: id, client_secret: secret, order: { items: [1, 2] }, note: 'x' }),
      headers: { 'content-type': 'application/json' }
    })
    t.equal(viaJson.status, 200)
    const seenJson = received(viaJson)
    assertBearer(t, seenJson, 'JSON body')
    t.same(JSON.parse(seenJson.body), { order: { items: [1, 2] }, note: 'x' }, 'the JSON body without the credentials')
    t.equal(seenJson.headers['content-length'], String(Buffer.byteLength(seenJson.body)))

    t.equal(idp.tokenRequests, 1)
    for (const seen of [seenHeader, received(query), seenForm, seenJson]) {
      t.notOk(JSON.stringify(seen).includes(encodeURIComponent(secret)) || JSON.stringify(seen).includes(secret), 'no trace of the secret upstream')
    }
  })
})
