// Tokens mapped to the config's consumers, end to end (Kong's openid-connect handler.lua consumer mapping
// and consumers.lua): consumer_claims with consumer_by (username, custom_id, id; by_username_ignore_case),
// the upstream consumer headers (set, removed, never the client's own), consumer_optional, anonymous (on
// a missing or refused token; a 500 when that consumer does not exist), credential_claim, and a plugin
// scoped to the mapped consumer running with Kong's precedence.

import t from 'tap'
import { startIdp } from '../../helpers/idp.ts'
import type { TestIdp } from '../../helpers/idp.ts'
import { assertKongUnauthorized, echoed, oidcService, startOidcStack } from '../../helpers/oidc-stack.ts'
import type { Reply } from '../../helpers/gateway.ts'

const BASIC_ID = '6e0e9dd0-9c2f-4a47-bb0e-6f1f2d1a7b01'
const POST_ID = '6e0e9dd0-9c2f-4a47-bb0e-6f1f2d1a7b02'
const GUEST_ID = '6e0e9dd0-9c2f-4a47-bb0e-6f1f2d1a7b03'

function config (idp: TestIdp, extra: Record<string, unknown>): Record<string, unknown> {
  return { issuer: idp.issuer, auth_methods: ['bearer'], consumer_claims: [['client_id']], ...extra }
}

const SPOOFED = {
  'x-consumer-id': 'spoofed',
  'x-consumer-username': 'spoofed',
  'x-consumer-custom-id': 'spoofed',
  'x-anonymous-consumer': 'spoofed',
  'x-credential-identifier': 'spoofed'
}

t.test('consumer mapping', async (t) => {
  const idp = await startIdp({ accessTokenFormat: 'jwt' })
  t.teardown(() => idp.close())
  const stack = await startOidcStack(t, {
    idp,
    consumers: [
      { id: BASIC_ID, username: 'tollgate-basic', custom_id: 'basic-custom' },
      {
        id: POST_ID,
        username: 'TOLLGATE-POST',
        // a plugin scoped to this consumer on one route: it runs only once the token mapped to it
        plugins: [{ name: 'request-termination', route: 'terminated-route', config: { status_code: 418, message: 'consumer-scoped' } }]
      },
      { id: GUEST_ID, username: 'guest' }
    ],
    services: (idp, upstream) => [
      oidcService('by-username', upstream.url, '/by-username', config(idp, { consumer_by: ['username'] })),
      oidcService('by-custom-id', upstream.url, '/by-custom-id', config(idp, { consumer_claims: [['tenant']], consumer_by: ['custom_id'] })),
      oidcService('ignore-case', upstream.url, '/ignore-case', config(idp, { consumer_by: ['username'], by_username_ignore_case: true })),
      oidcService('optional', upstream.url, '/optional', config(idp, { consumer_by: ['username'], consumer_optional: true })),
      oidcService('anonymous', upstream.url, '/anonymous', config(idp, { consumer_by: ['username'], anonymous: 'guest' })),
      oidcService('anonymous-missing', upstream.url, '/anonymous-missing', config(idp, { consumer_by: ['username'], anonymous: 'nobody' })),
      oidcService('unmapped', upstream.url, '/unmapped', { issuer: idp.issuer, auth_methods: ['bearer'], credential_claim: ['client_id'] }),
      oidcService('terminated', upstream.url, '/terminated', config(idp, { consumer_by: ['username'], by_username_ignore_case: true }))
    ]
  })
  const basicToken = await idp.issueToken(idp.clients.secret)
  const postToken = await idp.issueToken(idp.clients.secretPost)
  const headersOf = (reply: Reply): Record<string, string | undefined> => echoed(reply).headers
  const call = (path: string, token: string | null): Promise<Reply> =>
    stack.proxy(path, { headers: token === null ? SPOOFED : { ...SPOOFED, authorization: `Bearer ${token}` } })

  await t.test('a mapped consumer sets its headers; the client\'s own never pass', async (t) => {
    const reply = await call('/by-username', basicToken)
    t.equal(reply.status, 200)
    const headers = headersOf(reply)
    t.equal(headers['x-consumer-id'], BASIC_ID)
    t.equal(headers['x-consumer-username'], 'tollgate-basic')
    t.equal(headers['x-consumer-custom-id'], 'basic-custom')
    t.equal(headers['x-anonymous-consumer'], undefined, 'not anonymous')
    t.equal(headers['x-credential-identifier'], idp.clients.secret.client_id, 'the credential_claim value (sub)')
  })

  await t.test('a consumer without a custom_id: that header is removed', async (t) => {
    const reply = await call('/ignore-case', postToken)
    t.equal(reply.status, 200, 'TOLLGATE-POST matched tollgate-post with by_username_ignore_case')
    const headers = headersOf(reply)
    t.equal(headers['x-consumer-id'], POST_ID)
    t.equal(headers['x-consumer-custom-id'], undefined, 'no custom_id: the spoofed one is removed')
  })

  await t.test('no consumer for the claim: 403 insufficient_scope; consumer_optional lets it through', async (t) => {
    const refused = await call('/by-username', postToken)
    t.equal(refused.status, 403, 'case matters without by_username_ignore_case')
    t.equal(refused.headers['www-authenticate'], 'Bearer realm="127.0.0.1", error="insufficient_scope"')
    t.equal(refused.json().message, 'Forbidden')
    const optional = await call('/optional', postToken)
    t.equal(optional.status, 200)
    const headers = headersOf(optional)
    for (const name of Object.keys(SPOOFED).filter((name) => name !== 'x-credential-identifier')) {
      t.equal(headers[name], undefined, `${name}: Kong removes the remnants`)
    }
  })

  await t.test('consumer_by custom_id with a claim the token lacks: 403', async (t) => {
    t.equal((await call('/by-custom-id', basicToken)).status, 403)
  })

  await t.test('anonymous: a missing or refused token proceeds as that consumer; a missing consumer is a 500', async (t) => {
    for (const [label, token] of [['no token', null], ['a token that maps to nobody', postToken], ['garbage', 'x.y.z']] as const) {
      const reply = await call('/anonymous', token)
      t.equal(reply.status, 200, `${label}: proxied`)
      const headers = headersOf(reply)
      t.equal(headers['x-anonymous-consumer'], 'true', `${label}: X-Anonymous-Consumer`)
      t.equal(headers['x-consumer-username'], 'guest')
      t.equal(headers['x-consumer-id'], GUEST_ID)
      t.equal(headers['x-consumer-custom-id'], undefined)
    }
    const mapped = await call('/anonymous', basicToken)
    t.equal(headersOf(mapped)['x-consumer-username'], 'tollgate-basic', 'a token that maps is not anonymous')
    t.equal(headersOf(mapped)['x-anonymous-consumer'], undefined)
    const missing = await call('/anonymous-missing', null)
    t.equal(missing.status, 500)
    t.equal(missing.json().message, 'An unexpected error occurred')
  })

  await t.test('without consumer mapping, every consumer header is removed (Kong\'s "remnants")', async (t) => {
    const reply = await call('/unmapped', basicToken)
    t.equal(reply.status, 200)
    const headers = headersOf(reply)
    t.equal(headers['x-credential-identifier'], undefined, 'set only for a mapped consumer')
    t.equal(headers['x-consumer-id'], undefined)
    t.equal(headers['x-anonymous-consumer'], undefined)
    assertKongUnauthorized(t, await call('/unmapped', null), 'no token')
  })

  await t.test('a plugin scoped to the mapped consumer runs after the mapping (Kong\'s precedence)', async (t) => {
    const terminated = await call('/terminated', postToken)
    t.equal(terminated.status, 418, 'the consumer\'s request-termination ran')
    t.equal(terminated.json().message, 'consumer-scoped')
    const other = await call('/terminated', basicToken)
    t.equal(other.status, 200, 'another consumer is proxied')
    const elsewhere = await call('/ignore-case', postToken)
    t.equal(elsewhere.status, 200, 'the plugin is scoped to its route only')
  })
})
