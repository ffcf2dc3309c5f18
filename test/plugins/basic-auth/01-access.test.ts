// basic-auth through the real gateway (CLI, worker thread, sockets) and a real upstream, after Kong's
// spec/03-plugins/10-basic-auth/03-access_spec.lua and kong/plugins/basic-auth/access.lua: good, wrong and
// missing credentials (401 "Unauthorized", WWW-Authenticate: Basic realm="..."), Proxy-Authorization,
// the consumer headers (X-Credential-Identifier is the credential's username), hide_credentials, anonymous
// (a logical OR, with key-auth), a password given as a hash, and the same header accepted again (memo).

import t from 'tap'
import { send, type Reply } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'
import { basicAuthHash } from '../../../src/config/resolve-credentials.ts'

const basic = (userPass: string): string => `Basic ${Buffer.from(userPass).toString('base64')}`
const CAROL_ID = '5f6d2b1c-3a4e-4f80-9a1b-2c3d4e5f6a7b'

function guarded (name: string, config: Record<string, unknown> = {}, more: Array<Record<string, unknown>> = []): Record<string, unknown> {
  return { name, paths: [`/${name}`], plugins: [{ name: 'basic-auth', config }, ...more] }
}

t.test('basic-auth', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      guarded('plain'),
      guarded('realm', { realm: 'test-realm' }),
      guarded('hidden', { hide_credentials: true }),
      guarded('anonymous', { anonymous: 'nobody' }),
      guarded('anonymous-missing', { anonymous: 'ghost' }),
      // key-auth (1250) runs first; basic-auth with anonymous does nothing once key-auth identified a credential
      guarded('either', { anonymous: 'nobody' }, [{ name: 'key-auth', config: { anonymous: 'nobody' } }]),
    ],
  }, {
    consumers: [
      { username: 'bob', custom_id: 'B-1', basicauth_credentials: [{ username: 'bob', password: 'kong' }] },
      { username: 'user123', basicauth_credentials: [{ username: 'user123', password: 'password123' }], keyauth_credentials: [{ key: 'k-123' }] },
      { username: 'nobody' },
      { id: CAROL_ID, username: 'carol' },
    ],
    // the top-level form, and a password already hashed is not accepted as is
    basicauth_credentials: [{ consumer: 'carol', username: 'carol', password: 'pa:ss wörd' }],
  })
  const call = (path: string, headers: Record<string, string> = {}): Promise<Reply> => send(`${gateway.proxyUrl}${path}`, { headers })
  const last = () => upstream.requests[upstream.requests.length - 1]

  t.test('good credentials identify the consumer; its headers go upstream', async (t) => {
    for (let i = 0; i < 2; i++) {
      const reply = await call('/plain', { authorization: 'Basic Ym9iOmtvbmc=', 'x-consumer-username': 'mallory' })
      t.equal(reply.status, 200, i === 0 ? 'first time: hashed' : 'again: remembered')
      const seen = last().headers
      t.equal(seen['x-consumer-username'], 'bob')
      t.equal(seen['x-consumer-custom-id'], 'B-1')
      t.equal(seen['x-credential-identifier'], 'bob', "Kong sends the credential's username")
      t.equal(seen['x-anonymous-consumer'], undefined)
      t.equal(seen.authorization, 'Basic Ym9iOmtvbmc=', 'kept without hide_credentials')
    }
    t.equal((await call('/plain', { authorization: basic('carol:pa:ss wörd') })).status, 200, 'a password with a colon, a space and UTF-8')
    t.equal(last().headers['x-consumer-id'], CAROL_ID)
  })

  t.test('missing, malformed, unknown and wrong credentials: 401 Unauthorized with WWW-Authenticate', async (t) => {
    const before = upstream.requests.length
    for (const authorization of [null, 'Basic a29uZw==', 'Basic Ym9i', 'Basic adXNlcjEyMzpwYXNzd29yZDEyMw==', basic('alice:kong'),
      basic('bob:wrong'), basic('bob:'), 'Bearer Ym9iOmtvbmc=', basic(`bob:${basicAuthHash('x', 'kong')}`)]) {
      const reply = await call('/realm', authorization === null ? {} : { authorization })
      t.equal(reply.status, 401, String(authorization))
      t.equal(reply.json().message, 'Unauthorized')
      t.equal(reply.headers['www-authenticate'], 'Basic realm="test-realm"')
    }
    const reply = await call('/plain')
    t.equal(reply.headers['www-authenticate'], 'Basic realm="service"', 'the default realm')
    t.equal(upstream.requests.length, before, 'none reached the upstream')
  })

  t.test('Proxy-Authorization is read first; Authorization when it names no known user', async (t) => {
    t.equal((await call('/plain', { 'proxy-authorization': 'Basic Ym9iOmtvbmc=' })).status, 200)
    t.equal((await call('/plain', { 'proxy-authorization': basic('nobody:x'), authorization: 'Basic Ym9iOmtvbmc=' })).status, 200)
    t.equal((await call('/plain', { 'proxy-authorization': basic('user123:wrong'), authorization: 'Basic Ym9iOmtvbmc=' })).status, 401,
      'a known user with a wrong password is refused without trying Authorization')
  })

  t.test('hide_credentials strips the header that was read', async (t) => {
    t.equal((await call('/hidden', { authorization: 'Basic Ym9iOmtvbmc=' })).status, 200)
    t.equal(last().headers.authorization, undefined)
    t.equal((await call('/hidden', { 'proxy-authorization': 'Basic Ym9iOmtvbmc=', authorization: 'Bearer other' })).status, 200)
    t.equal(last().headers['proxy-authorization'], undefined)
    t.equal(last().headers.authorization, 'Bearer other', 'Authorization was not read: kept')
  })

  t.test('anonymous: a failed authentication falls back to the anonymous consumer', async (t) => {
    let reply = await call('/anonymous', { authorization: basic('bob:wrong') })
    t.equal(reply.status, 200)
    t.equal(last().headers['x-consumer-username'], 'nobody')
    t.equal(last().headers['x-anonymous-consumer'], 'true')
    t.equal(last().headers['x-credential-identifier'], undefined)
    reply = await call('/anonymous', { authorization: 'Basic Ym9iOmtvbmc=' })
    t.equal(last().headers['x-consumer-username'], 'bob')
    reply = await call('/anonymous-missing')
    t.equal(reply.status, 500)
    t.equal(reply.json().message, "anonymous consumer ghost is configured but doesn't exist")
  })

  t.test('with key-auth, anonymous is a logical OR', async (t) => {
    t.equal((await call('/either', { apikey: 'k-123' })).status, 200)
    t.equal(last().headers['x-consumer-username'], 'user123', 'key-auth identified it; basic-auth did nothing')
    t.equal((await call('/either', { authorization: 'Basic Ym9iOmtvbmc=' })).status, 200)
    t.equal(last().headers['x-consumer-username'], 'bob', 'basic-auth identified it after key-auth fell back')
    t.equal(last().headers['x-anonymous-consumer'], undefined)
    t.equal((await call('/either')).status, 200)
    t.equal(last().headers['x-consumer-username'], 'nobody')
  })

  t.test('never logged', async (t) => {
    t.notMatch(gateway.output(), 'Ym9iOmtvbmc')
  })
})
