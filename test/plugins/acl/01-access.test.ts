// acl through the real gateway (CLI, worker thread, sockets) and a real upstream, with key-auth identifying
// the consumer, after Kong's spec/03-plugins/18-acl/02-access_spec.lua and kong/plugins/acl/handler.lua:
// allow and deny, X-Consumer-Groups upstream (", "-joined, or removed when the consumer has none),
// hide_groups_header, no consumer (401 Unauthorized), a denied consumer (403 "You cannot consume this
// service"), an anonymous consumer's groups, and the config checks at load.

import t from 'tap'
import { send, type Reply } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'
import { loadConfigObject } from '../../../src/config/load.ts'

const DENIED = 'You cannot consume this service'

function guarded (name: string, acl: Record<string, unknown>, keyAuth: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, paths: [`/${name}`], plugins: [{ name: 'key-auth', config: keyAuth }, { name: 'acl', config: acl }] }
}

t.test('acl', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      guarded('admins', { allow: ['admin'] }),
      guarded('no-admins', { deny: ['admin'] }),
      guarded('hidden', { allow: ['admin', 'pro'], hide_groups_header: true }),
      guarded('anonymous', { allow: ['guests'] }, { anonymous: 'nobody' }),
      { name: 'acl-only', paths: ['/acl-only'], plugins: [{ name: 'acl', config: { allow: ['admin'] } }] },
    ],
  }, {
    consumers: [
      { username: 'alice', keyauth_credentials: [{ key: 'alice-key' }], acls: [{ group: 'admin' }, { group: 'pro' }] },
      { username: 'bob', keyauth_credentials: [{ key: 'bob-key' }], acls: [{ group: 'pro' }] },
      { username: 'carol', keyauth_credentials: [{ key: 'carol-key' }] },
      { username: 'nobody', acls: [{ group: 'guests' }] },
    ],
    // the top-level form
    acls: [{ consumer: 'bob', group: 'hello' }],
  })
  const call = (path: string, headers: Record<string, string> = {}): Promise<Reply> => send(`${gateway.proxyUrl}${path}`, { headers })
  const last = () => upstream.requests[upstream.requests.length - 1]

  t.test('allow: a consumer in the group passes with X-Consumer-Groups; others get 403', async (t) => {
    for (let i = 0; i < 2; i++) {
      t.equal((await call('/admins', { apikey: 'alice-key', 'x-consumer-groups': 'forged' })).status, 200)
      t.equal(last().headers['x-consumer-groups'], 'admin, pro', 'the consumer groups, in file order')
    }
    let reply = await call('/admins', { apikey: 'bob-key' })
    t.equal(reply.status, 403)
    t.equal(reply.json().message, DENIED)
    reply = await call('/admins', { apikey: 'carol-key' })
    t.equal(reply.status, 403, 'no groups, a credential: 403')
    t.equal(reply.json().message, DENIED)
  })

  t.test('deny: a consumer in the group gets 403; others pass', async (t) => {
    t.equal((await call('/no-admins', { apikey: 'alice-key' })).status, 403)
    t.equal((await call('/no-admins', { apikey: 'bob-key' })).status, 200)
    t.equal(last().headers['x-consumer-groups'], 'pro, hello')
    t.equal((await call('/no-admins', { apikey: 'carol-key', 'x-consumer-groups': 'forged' })).status, 200)
    t.equal(last().headers['x-consumer-groups'], undefined, 'no groups: the header is removed (set to "")')
  })

  t.test('hide_groups_header', async (t) => {
    t.equal((await call('/hidden', { apikey: 'bob-key' })).status, 200)
    t.equal(last().headers['x-consumer-groups'], undefined)
  })

  t.test("an anonymous consumer's groups count", async (t) => {
    t.equal((await call('/anonymous')).status, 200)
    t.equal(last().headers['x-consumer-groups'], 'guests')
    t.equal((await call('/anonymous', { apikey: 'alice-key' })).status, 403)
  })

  t.test('no consumer: 401 Unauthorized', async (t) => {
    const reply = await call('/acl-only')
    t.equal(reply.status, 401)
    t.equal(reply.json().message, 'Unauthorized')
  })
})

t.test('a config without allow or deny is refused at load; include_consumer_groups is accepted', async (t) => {
  const load = (config: Record<string, unknown>): unknown => loadConfigObject({ _format_version: '3.0', plugins: [{ name: 'acl', config }] }, '/test/config.json', {})
  t.doesNotThrow(() => load({ allow: ['a'], include_consumer_groups: true }))
  t.throws(() => load({}), /exactly one of these fields must be non-empty/)
  t.throws(() => load({ allow: ['a'], deny: ['b'] }), /exactly one of these fields must be non-empty/)
})
