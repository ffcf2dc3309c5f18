// key-auth through the real gateway (CLI, worker thread, sockets) and a real upstream, after Kong's
// spec/03-plugins/09-key-auth/02-access_spec.lua and kong/plugins/key-auth/handler.lua: header and query
// keys, a missing key, a wrong key, a duplicate key, hide_credentials, realm, the consumer headers sent
// upstream, anonymous (a logical OR), run_on_preflight, a consumer-scoped plugin that runs once key-auth
// identified its consumer, and the Admin API showing the credential with its key redacted.

import t from 'tap'
import { send, type Reply } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'

const KEY = 'alice-s3cr3t-key'

function keyed (name: string, config: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, paths: [`/${name}`], plugins: [{ name: 'key-auth', config }] }
}

t.test('key-auth', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      keyed('plain'),
      keyed('hidden', { hide_credentials: true }),
      keyed('realm', { realm: 'tollgate' }),
      keyed('anonymous', { anonymous: 'nobody' }),
      keyed('anonymous-missing', { anonymous: 'ghost' }),
      keyed('header-only', { key_in_query: false, key_names: ['X-Api_Key'] }),
      keyed('no-preflight', { run_on_preflight: false }),
    ],
  }, {
    consumers: [
      { username: 'alice', custom_id: 'A-1', keyauth_credentials: [{ key: KEY }] },
      { username: 'nobody' },
      // a consumer-scoped plugin: runs only once key-auth identified bob
      { username: 'bob', plugins: [{ name: 'request-termination', config: { status_code: 418, message: 'bob is blocked' } }] },
    ],
    // the top-level form, naming the consumer
    keyauth_credentials: [{ consumer: 'bob', key: 'bob-key' }],
  })
  const call = (path: string, headers: Record<string, string | string[]> = {}, method = 'GET'): Promise<Reply> =>
    send(`${gateway.proxyUrl}${path}`, { headers, method })
  const last = () => upstream.requests[upstream.requests.length - 1]

  const admin = (await send(`${gateway.adminUrl}/consumers/alice/key-auth`)).json<{ data: Array<Record<string, unknown>> }>()
  const credentialId = admin.data[0].id as string

  t.test('a key in a header or the query identifies the consumer; its headers go upstream', async (t) => {
    for (const [path, headers] of [['/plain', { apikey: KEY }], [`/plain?apikey=${KEY}`, {}], ['/plain', { APIKEY: KEY }]] as const) {
      const reply = await call(path, headers)
      t.equal(reply.status, 200, path)
      const seen = last().headers
      t.equal(seen['x-consumer-username'], 'alice')
      t.equal(seen['x-consumer-custom-id'], 'A-1')
      t.equal(seen['x-credential-identifier'], credentialId)
      t.equal(seen['x-anonymous-consumer'], undefined)
      t.equal(seen.apikey ?? new URL(last().url, 'http://x').searchParams.get('apikey'), KEY, 'the key is passed on without hide_credentials')
    }
  })

  t.test('a spoofed consumer header is overwritten', async (t) => {
    await call('/plain', { apikey: KEY, 'x-consumer-username': 'mallory', 'x-anonymous-consumer': 'true' })
    t.equal(last().headers['x-consumer-username'], 'alice')
    t.equal(last().headers['x-anonymous-consumer'], undefined)
  })

  t.test('no key, a wrong key, a duplicate key: 401 with Kong bodies and WWW-Authenticate', async (t) => {
    const before = upstream.requests.length
    let reply = await call('/plain')
    t.equal(reply.status, 401)
    t.strictSame(reply.json().message, 'No API key found in request')
    t.equal(reply.headers['www-authenticate'], 'Key')
    reply = await call('/plain?apikey=')
    t.equal(reply.json().message, 'No API key found in request', 'an empty key is no key')
    reply = await call('/plain', { apikey: 'wrong' })
    t.equal(reply.status, 401)
    t.equal(reply.json().message, 'Unauthorized')
    reply = await call('/plain?apikey=a&apikey=b')
    t.equal(reply.json().message, 'Duplicate API key found')
    reply = await call('/plain', { apikey: ['a', 'b'] })
    t.equal(reply.json().message, 'Duplicate API key found')
    reply = await call('/realm')
    t.equal(reply.headers['www-authenticate'], 'Key realm="tollgate"')
    t.equal(upstream.requests.length, before, 'none reached the upstream')
  })

  t.test('hide_credentials strips the key from the header and the query', async (t) => {
    let reply = await call('/hidden', { apikey: KEY })
    t.equal(reply.status, 200)
    t.equal(last().headers.apikey, undefined)
    reply = await call(`/hidden?a=1&apikey=${KEY}&b=2`)
    t.equal(reply.status, 200)
    t.equal(last().url, '/?a=1&b=2', 'strip_path took /hidden')
  })

  t.test('key_names are header names (any case, _ read as - too); key_in_query off', async (t) => {
    t.equal((await call('/header-only', { 'x-api-key': KEY })).status, 200)
    t.equal((await call(`/header-only?X-Api_Key=${KEY}`)).status, 401)
  })

  t.test('anonymous: a failed authentication falls back to the anonymous consumer', async (t) => {
    let reply = await call('/anonymous')
    t.equal(reply.status, 200)
    t.equal(last().headers['x-consumer-username'], 'nobody')
    t.equal(last().headers['x-anonymous-consumer'], 'true')
    t.equal(last().headers['x-credential-identifier'], undefined)
    reply = await call('/anonymous', { apikey: KEY })
    t.equal(last().headers['x-consumer-username'], 'alice')
    reply = await call('/anonymous-missing')
    t.equal(reply.status, 500)
    t.equal(reply.json().message, "anonymous consumer ghost is configured but doesn't exist")
  })

  t.test('run_on_preflight off lets OPTIONS through unauthenticated', async (t) => {
    t.equal((await call('/no-preflight', {}, 'OPTIONS')).status, 200)
    t.equal((await call('/plain', {}, 'OPTIONS')).status, 401)
  })

  t.test("a consumer's own plugin runs once key-auth identified it", async (t) => {
    const reply = await call('/plain', { apikey: 'bob-key' })
    t.equal(reply.status, 418)
    t.equal(reply.json().message, 'bob is blocked')
  })

  t.test('the Admin API shows credentials with the key redacted', async (t) => {
    t.equal(admin.data.length, 1)
    t.equal(admin.data[0].key, '<redacted>')
    t.strictSame(admin.data[0].consumer, { id: (await send(`${gateway.adminUrl}/consumers/alice`)).json().id })
    const all = await send(`${gateway.adminUrl}/key-auths`)
    t.equal(all.status, 200)
    t.equal(all.json<{ data: unknown[] }>().data.length, 2)
    t.notMatch(all.text, KEY)
    t.notMatch(all.text, 'bob-key')
    const one = await send(`${gateway.adminUrl}/key-auths/${credentialId}`)
    t.equal(one.json().key, '<redacted>')
    t.equal((await send(`${gateway.adminUrl}/consumers/bob/key-auth/${credentialId}`)).status, 404, "not bob's")
    t.notMatch(gateway.output(), KEY, 'never logged')
  })
})
