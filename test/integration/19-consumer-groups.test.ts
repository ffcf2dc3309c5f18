// Consumer groups end to end on a real gateway (CLI, worker thread, sockets) and a real upstream: key-auth
// identifies alice (gold, by her `groups`) and bob (silver, by the group's `consumers`); a
// request-transformer scoped to gold adds a header to alice's requests only, a request-termination scoped
// to silver on one route ends bob's; acl with include_consumer_groups lets a group in by its name. Then
// Kong Enterprise's Admin API shapes (kong/api/routes/consumer_groups.lua) for the same config.

import t from 'tap'
import { send, type Reply } from '../helpers/gateway.ts'
import { startBackendGateway } from '../helpers/backend.ts'
import { call } from './admin/admin-helpers.ts'

t.test('consumer groups', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      { name: 'open', paths: ['/open'], plugins: [{ name: 'key-auth' }] },
      { name: 'paid', paths: ['/paid'], plugins: [{ name: 'key-auth' }] },
      { name: 'gold-only', paths: ['/gold-only'], plugins: [{ name: 'key-auth' }, { name: 'acl', config: { allow: ['gold'], include_consumer_groups: true } }] },
      { name: 'acl-groups-only', paths: ['/acl-groups-only'], plugins: [{ name: 'key-auth' }, { name: 'acl', config: { allow: ['gold'] } }] },
    ],
  }, {
    consumers: [
      { username: 'alice', keyauth_credentials: [{ key: 'alice-key' }], groups: [{ name: 'gold' }] },
      { username: 'bob', keyauth_credentials: [{ key: 'bob-key' }] },
      { username: 'carol', keyauth_credentials: [{ key: 'carol-key' }] },
    ],
    consumer_groups: [
      { name: 'gold', tags: ['tier'], plugins: [{ name: 'request-transformer', config: { add: { headers: ['x-tier:gold'] } } }] },
      { name: 'silver', consumers: [{ username: 'bob' }] },
    ],
    plugins: [{ name: 'request-termination', consumer_group: 'silver', route: 'paid', config: { status_code: 402, message: 'upgrade' } }],
  })
  const proxy = (path: string, key: string): Promise<Reply> => send(`${gateway.proxyUrl}${path}`, { headers: { apikey: key } })
  const last = () => upstream.requests[upstream.requests.length - 1]

  t.test('a plugin scoped to a group applies to its members only', async (t) => {
    t.equal((await proxy('/open', 'alice-key')).status, 200)
    t.equal(last().headers['x-tier'], 'gold', 'alice is in gold')
    t.equal((await proxy('/open', 'bob-key')).status, 200)
    t.equal(last().headers['x-tier'], undefined, 'bob is not')
    t.equal((await proxy('/open', 'carol-key')).status, 200)
    t.equal(last().headers['x-tier'], undefined)
    t.equal((await send(`${gateway.proxyUrl}/open`)).status, 401, 'nobody identified')
  })

  t.test('group + route scope, and acl with include_consumer_groups', async (t) => {
    const bob = await proxy('/paid', 'bob-key')
    t.equal(bob.status, 402, 'silver + route: bob is stopped on that route')
    t.equal(bob.json().message, 'upgrade')
    t.equal((await proxy('/open', 'bob-key')).status, 200, 'and only there')
    t.equal((await proxy('/paid', 'alice-key')).status, 200, 'alice is not in silver')
    t.equal((await proxy('/gold-only', 'bob-key')).status, 403, 'silver is not gold')
    t.equal((await proxy('/gold-only', 'alice-key')).status, 200, 'allowed by her consumer group name')
    t.equal(last().headers['x-consumer-groups'], 'gold')
    t.equal((await proxy('/acl-groups-only', 'alice-key')).status, 403, 'without include_consumer_groups a consumer group is no acl group')
  })

  t.test('Admin API', async (t) => {
    const admin = async (path: string): Promise<{ status: number, body: Record<string, any> }> => {
      const reply = await call(gateway.adminUrl, 'GET', path)
      return { status: reply.status, body: reply.json() }
    }
    const groups = await admin('/consumer_groups')
    t.equal(groups.status, 200)
    t.same(groups.body.data.map((g: { name: string }) => g.name), ['gold', 'silver'])
    t.same(Object.keys(groups.body.data[0]).sort(), ['created_at', 'id', 'name', 'tags', 'updated_at'])
    const gold = await admin('/consumer_groups/gold')
    t.equal(gold.status, 200)
    t.equal(gold.body.consumer_group.name, 'gold')
    t.same(gold.body.consumers.map((c: { username: string }) => c.username), ['alice'])
    t.same(gold.body.plugins.map((p: { name: string }) => p.name), ['request-transformer'])
    t.equal((await admin(`/consumer_groups/${gold.body.consumer_group.id as string}`)).body.consumer_group.name, 'gold', 'by id')
    t.same((await admin('/consumer_groups/silver/consumers')).body.consumers.map((c: { username: string }) => c.username), ['bob'])
    t.same((await admin('/consumer_groups/silver/plugins')).body.data.map((p: { name: string }) => p.name), ['request-termination'])
    t.same((await admin('/consumers/alice/consumer_groups')).body.consumer_groups.map((g: { name: string }) => g.name), ['gold'])
    t.same((await admin('/consumers/carol/consumer_groups')).body, { consumer_groups: [] })
    t.equal((await admin('/consumer_groups/silver/consumers/bob')).body.consumer.username, 'bob')
    t.equal((await admin('/consumers/bob/consumer_groups/silver')).body.consumer_group.name, 'silver')
    t.same(await admin('/consumer_groups/bronze'), { status: 404, body: { message: "Group 'bronze' not found" } })
    t.same(await admin('/consumers/dave/consumer_groups'), { status: 404, body: { message: "Consumer 'dave' not found" } })
    t.match(await admin('/consumer_groups/gold/consumers/bob'), { status: 404, body: { message: /^Consumer '.+' not found in Group '.+'$/ } })
    const write = await call(gateway.adminUrl, 'POST', '/consumer_groups/gold/consumers', { body: { consumer: 'bob' } })
    t.equal(write.status, 405)
    t.equal(write.json().name, 'operation unsupported')
  })
})
