// Loading consumer groups (Kong Enterprise's consumer_groups entity, as decK files carry it): ids as Kong
// DB-less makes them, membership from both decK forms (consumers[].groups and consumer_groups[].consumers,
// each pair once), group-scoped plugins nested or by reference, and every error at its JSON path.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { generatedId } from '../../../src/config/ids.ts'
import { exportedDocument } from '../../../src/admin/config-export.ts'
import { SOURCE, doc, issuesOf, sortIssues } from './issues.ts'

const load = (input: Record<string, unknown>) => loadConfigObject(doc(input), SOURCE, {})
const errors = (input: Record<string, unknown>) => issuesOf(doc(input))

t.test('groups, both membership forms, nested and referenced plugins', async (t) => {
  const config = load({
    consumers: [
      { username: 'alice', groups: [{ name: 'gold' }] },
      { username: 'bob', custom_id: 'b-1' },
      { username: 'carol', groups: [{ name: 'gold' }] },
    ],
    consumer_groups: [
      { name: 'gold', tags: ['tier'], consumers: [{ username: 'alice' }], plugins: [{ name: 'rate-limiting', config: { minute: 10 } }] },
      { id: '6f0c2b6a-3c1e-4d5f-9a7b-2c8d9e0f1a2b', name: 'silver', consumers: [{ custom_id: 'b-1' }] },
    ],
    plugins: [{ name: 'request-termination', consumer_group: { id: '6f0c2b6a-3c1e-4d5f-9a7b-2c8d9e0f1a2b' } }],
  })
  const { consumers, consumer_groups: groups, consumer_group_consumers: members, plugins } = config.entities
  const gold = groups[0]
  t.equal(gold.id, generatedId('consumer_groups', 'gold'), 'a name-based id, as DB-less Kong makes it')
  t.match(gold, { name: 'gold', tags: ['tier'] })
  t.notOk('consumers' in gold || 'plugins' in gold, 'nested entities are not fields of the group')
  const id = (name: string) => consumers.find((c) => c.username === name)!.id
  t.strictSame(members, [
    { consumer_group: { id: gold.id }, consumer: { id: id('alice') } },
    { consumer_group: { id: gold.id }, consumer: { id: id('carol') } },
    { consumer_group: { id: groups[1].id }, consumer: { id: id('bob') } },
  ], 'alice given in both places is one membership')
  t.strictSame(plugins.map((p) => [p.name, p.consumer_group]), [
    ['rate-limiting', { id: gold.id }],
    ['request-termination', { id: '6f0c2b6a-3c1e-4d5f-9a7b-2c8d9e0f1a2b' }],
  ])
  t.equal(plugins[0].consumer, null)
  const again = load({ consumer_groups: [{ name: 'gold', plugins: [{ name: 'rate-limiting', config: { minute: 10 } }] }] })
  t.equal(again.entities.plugins[0].id, plugins[0].id, 'a group plugin keeps its id across loads')
  const unscoped = load({ plugins: [{ name: 'rate-limiting', config: { minute: 10 } }] })
  t.not(unscoped.entities.plugins[0].id, plugins[0].id, 'and differs from the same plugin unscoped')
})

t.test('decK: _info.select_tags reach consumer groups and their plugins; _plugin_configs their plugins', async (t) => {
  const config = load({
    _info: { select_tags: ['team'] },
    _plugin_configs: { stop: { status_code: 402 } },
    consumer_groups: [{ name: 'gold', plugins: [{ name: 'request-termination', _config: 'stop' }] }],
  })
  t.strictSame(config.entities.consumer_groups[0].tags, ['team'])
  t.strictSame(config.entities.plugins[0].tags, ['team'])
  t.equal(config.entities.plugins[0].config.status_code, 402)
})

t.test('GET /config exports groups with their members, and that loads back the same', async (t) => {
  const config = load({
    consumers: [{ username: 'alice', groups: [{ name: 'gold' }] }],
    consumer_groups: [{ name: 'gold', plugins: [{ name: 'request-termination' }] }, { name: 'empty' }],
  })
  const exported = exportedDocument(config)
  t.match(exported.consumer_groups, [{ name: 'gold', consumers: [{ id: config.entities.consumers[0].id }] }, { name: 'empty' }])
  const back = loadConfigObject(exported, SOURCE, {})
  t.strictSame(back.entities.consumer_group_consumers, config.entities.consumer_group_consumers)
  t.strictSame(back.entities.plugins, config.entities.plugins)
  t.equal(back.hash, config.hash)
})

t.test('errors name the JSON path', async (t) => {
  t.strictSame(errors({ consumers: [{ username: 'a', groups: [{ name: 'gold' }] }] }), sortIssues([
    { path: 'consumers[0].groups[0]', message: 'invalid reference \'consumer_group: {"name":"gold"}\' (no such entry in \'consumer_groups\')' },
  ]))
  t.strictSame(errors({ consumer_groups: [{ name: 'gold', consumers: [{ username: 'nobody' }] }] }), sortIssues([
    { path: 'consumer_groups[0].consumers[0]', message: 'invalid reference \'consumer: {"username":"nobody"}\' (no such entry in \'consumers\')' },
  ]))
  t.strictSame(errors({ consumer_groups: [{ name: 'gold' }, { name: 'gold' }] }), sortIssues([
    { path: 'consumer_groups[1].name', message: "uniqueness violation: 'consumer_groups' entity with name set to 'gold' already declared at consumer_groups[0]" },
  ]))
  t.strictSame(errors({ consumer_groups: [{ tags: ['x'] }] }), sortIssues([{ path: 'consumer_groups[0].name', message: 'required field missing' }]))
  t.strictSame(errors({ consumers: [{ username: 'a', groups: [{}] }] }), sortIssues([
    { path: 'consumers[0].groups[0]', message: "at least one of these fields must be non-empty: 'id', 'name'" },
  ]))
  t.strictSame(errors({ plugins: [{ name: 'rate-limiting', consumer_group: 'gold', config: { minute: 1 } }] }), sortIssues([
    { path: 'plugins[0].consumer_group', message: "invalid reference 'consumer_group: gold' (no such entry in 'consumer_groups')" },
  ]))
  t.strictSame(errors({ consumer_groups: [{ name: 'gold', plugins: [{ name: 'cors' }] }] }), sortIssues([
    { path: 'consumer_groups[0].plugins[0]', message: "plugin 'cors' cannot be applied to a consumer group" },
  ]), 'a plugin Kong does not allow on a consumer group')
  t.strictSame(errors({ consumer_groups: [{ name: 'gold' }], plugins: [{ name: 'key-auth', consumer_group: 'gold' }] }), sortIssues([
    { path: 'plugins[0].consumer_group', message: "plugin 'key-auth' cannot be applied to a consumer group" },
  ]))
  t.strictSame(errors({ consumers: [{ username: 'a' }], consumer_groups: [{ name: 'gold', plugins: [{ name: 'request-termination', consumer: 'a' }] }] }), sortIssues([
    { path: 'consumer_groups[0].plugins[0]', message: "only one or none of these fields must be set: 'consumer', 'consumer_group'" },
  ]))
  t.strictSame(errors({ consumer_groups: [{ name: 'gold', plugins: [{ name: 'request-termination' }, { name: 'request-termination' }] }] }), sortIssues([
    { path: 'consumer_groups[0].plugins[1]', message: "uniqueness violation: plugin 'request-termination' is already configured on this scope at consumer_groups[0].plugins[0]" },
  ]))
})
