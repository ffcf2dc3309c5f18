// decK's file-level keys: `_plugin_configs` with a plugin's `_config`, `_info` (select_tags, defaults),
// `_workspace`, `_konnect`. Each row names the decK source it follows.

import t from 'tap'
import { mergePluginConfig } from '../../../src/config/deck-file.ts'
import { loadConfigObject } from '../../../src/config/load.ts'
import type { LoadedConfig } from '../../../src/config/types.ts'
import { SOURCE, doc, issuesOf } from './issues.ts'

const BUILDER = 'go-database-reconciler pkg/file/builder.go'
const MERGE = `${BUILDER} mergePluginConfig (plugin-level values take precedence at every level)`
const FILL = `${BUILDER} fillPluginConfig`
const SYNC_TEST = 'deck tests/integration/testdata/sync/007-fill-defaults-rate-limiting-dedup (the same shape)'

const load = (extra: Record<string, unknown>): LoadedConfig => loadConfigObject(doc(extra), SOURCE, {})
const terminate = (extra: Record<string, unknown> = {}) => ({ name: 'request-termination', ...extra })

interface MergeRow {
  readonly from: string
  readonly shared: Record<string, unknown>
  readonly plugin: Record<string, unknown>
  readonly want: Record<string, unknown>
}

const MERGE_ROWS: readonly MergeRow[] = [
  { from: SYNC_TEST, shared: { status_code: 404 }, plugin: terminate({ _config: 'x' }), want: { status_code: 404, message: null } },
  { from: MERGE, shared: { status_code: 404, message: 'shared' }, plugin: terminate({ _config: 'x', config: { message: 'own' } }), want: { status_code: 404, message: 'own' } },
  // a key the plugin has wins even when it is null (decK: present in the plugin's map)
  { from: MERGE, shared: { status_code: 404, message: 'shared' }, plugin: terminate({ _config: 'x', config: { message: null } }), want: { status_code: 404, message: null } },
  { from: MERGE, shared: { status_code: 404 }, plugin: terminate({ _config: 'x', config: { status_code: 410 } }), want: { status_code: 410 } },
]

t.test('_plugin_configs: the named config is merged under the plugin\'s own, which wins', async (t) => {
  for (const row of MERGE_ROWS) {
    const config = load({ _plugin_configs: { x: row.shared }, plugins: [row.plugin] })
    t.match(config.entities.plugins[0].config, row.want, `${JSON.stringify(row.plugin)} (${row.from})`)
  }
})

t.test('mergePluginConfig recurses into records and copies the shared values', async (t) => {
  const shared = { a: { x: 2, y: 3 }, b: 4, c: [1] }
  const merged = mergePluginConfig({ a: { x: 1 }, c: [9] }, shared)
  t.same(merged, { a: { x: 1, y: 3 }, b: 4, c: [9] }, `${MERGE}; arrays are values, not merged`)
  t.same(shared, { a: { x: 2, y: 3 }, b: 4, c: [1] }, 'the shared config is not modified')
})

t.test('_config works wherever a plugin is nested, and every error names its path', async (t) => {
  const config = load({
    _plugin_configs: { deny: { status_code: 403 } },
    services: [{ name: 's', host: 'h', plugins: [terminate({ _config: 'deny' })], routes: [{ name: 'r', paths: ['/'], plugins: [terminate({ _config: 'deny' })] }] }],
    consumers: [{ username: 'c', plugins: [terminate({ _config: 'deny' })] }],
  })
  t.same(config.entities.plugins.map((plugin) => plugin.config.status_code), [403, 403, 403], FILL)
  t.same(issuesOf(doc({ plugins: [terminate({ _config: 'nope' })] })), [{ path: 'plugins[0]._config', message: "_plugin_config 'nope' not found" }], FILL)
  t.same(issuesOf(doc({ _plugin_configs: { x: {} }, plugins: [terminate({ _config: 3 })] })), [{ path: 'plugins[0]._config', message: 'expected a string' }])
  t.same(issuesOf(doc({ _plugin_configs: { x: 'status 404' } })), [{ path: '_plugin_configs.x', message: 'expected a record' }])
  t.same(issuesOf(doc({ _plugin_configs: { x: { status_code: 1000 } }, plugins: [terminate({ _config: 'x' })] })),
    [{ path: 'plugins[0].config.status_code', message: 'value should be between 100 and 599' }], 'the merged config is validated as the plugin\'s')
})

t.test('_info.select_tags are added to every entity\'s tags', async (t) => {
  // go-database-reconciler pkg/file/builder.go: utils.MustMergeTags(entity, b.selectTags) for each entity
  const config = load({
    _info: { select_tags: ['team-a'] },
    services: [{ name: 's', host: 'h', tags: ['x'], routes: [{ name: 'r', paths: ['/'] }], plugins: [terminate()] }],
    consumers: [{ username: 'c', tags: ['team-a'] }],
  })
  t.same(config.entities.services[0].tags, ['x', 'team-a'])
  t.same(config.entities.routes[0].tags, ['team-a'])
  t.same(config.entities.plugins[0].tags, ['team-a'])
  t.same(config.entities.consumers[0].tags, ['team-a'], 'not repeated')
})

t.test('_info.defaults fill what a service or route leaves unset', async (t) => {
  // go-database-reconciler pkg/file/builder.go defaulter(): KongDefaults from _info.defaults
  const config = load({
    _info: { defaults: { service: { read_timeout: 5000, retries: 2 }, route: { strip_path: false }, upstream: { slots: 100 } } },
    services: [{ name: 's', host: 'h', retries: 9, read_timeout: null, routes: [{ name: 'r', paths: ['/'] }] }],
    routes: [{ name: 'top', paths: ['/t'], service: 's', strip_path: true }],
  })
  t.match(config.entities.services[0], { read_timeout: 5000, retries: 9 })
  t.same(config.entities.routes.map((route) => route.strip_path), [false, true])
  t.same(issuesOf(doc({ _info: { defaults: { service: { bogus: 1 } } } })), [{ path: '_info.defaults.service', message: 'unknown field(s): bogus' }])
  t.same(issuesOf(doc({ _info: { select_tag: ['x'] } })), [{ path: '_info.select_tag', message: 'unknown field' }])
})

t.test('decK\'s other file-level keys are accepted', async (t) => {
  // go-database-reconciler pkg/file/types.go Content: _format_version, _transform, _info, _workspace, _konnect
  const config = load({
    _transform: true,
    _workspace: 'default',
    _konnect: { control_plane_name: 'cp', runtime_group_name: 'rg' },
    _info: { default_lookup_tags: { services: ['shared'] }, skip_hash_for_basic_auth: true, consumer_group_policy_overrides: false },
    services: [{ name: 's', url: 'http://h' }],
  })
  t.equal(config.entities.services.length, 1)
  t.same(issuesOf(doc({ rbac_roles: [{ name: 'admin' }] })), [{ path: 'rbac_roles', message: "'rbac_roles' entities are not supported by Tollgate yet" }])
})
