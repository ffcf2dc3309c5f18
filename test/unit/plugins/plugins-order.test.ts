// Which plugin instances run on a route, and in which order, through the real chain builder (chain.ts)
// fed by the real bundled list (bundled.ts) and real config loading. Pins what Kong pins:
//   - execution order by PRIORITY, highest first (Kong: spec/01-unit/12-plugins_order_spec.lua); the
//     values are Kong's: request-termination 2 (kong/plugins/request-termination/handler.lua),
//     openid-connect 1050 (https://docs.konghq.com/konnect/reference/plugins/, an Enterprise plugin),
//     correlation-id 100001 (kong/plugins/correlation-id/handler.lua), prometheus 13
//     (kong/plugins/prometheus/handler.lua), cors 2000 (kong/plugins/cors/handler.lua),
//     request-transformer 801 and response-transformer 800 (their kong/plugins/*/handler.lua),
//     rate-limiting 910 (kong/plugins/rate-limiting/handler.lua), key-auth 1250, basic-auth 1100 and acl 950
//     (their kong/plugins/*/handler.lua);
//   - for one plugin name the most specific scope wins, as kong/runloop/plugins_iterator.lua lookup_cfg:
//     route+service+consumer, route+consumer, service+consumer, route+service, consumer, route, service,
//     global (Kong: spec/02-integration/15-plugins-iterator/01-precedence_spec.lua). Here, for a request
//     nobody identified: route+service > route > service > global; the consumer combos are pinned in
//     consumer-chains.test.ts.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import type { LoadedConfig, Plugin, Route } from '../../../src/config/types.ts'
import { BUNDLED_PLUGINS } from '../../../src/plugins/bundled.ts'
import { resolveRouteChain } from '../../../src/plugins/chain.ts'
import { createConsumerGroupIndex } from '../../../src/config/consumer-group-index.ts'
import { loadPluginModules } from '../../../src/plugins/handlers.ts'
import { createConfigView } from '../../../src/config/compile-runtime.ts'
import type { Entities } from '../../../src/config/types.ts'

const EMPTY: Entities = { services: [], routes: [], plugins: [], consumers: [], consumer_groups: [], consumer_group_consumers: [], keyauth_credentials: [], basicauth_credentials: [], jwt_secrets: [], acls: [], upstreams: [], targets: [], certificates: [], snis: [], ca_certificates: [] }
import type { PluginDescriptor, PluginInstance, PluginModule, PluginServices } from '../../../src/plugins/types.ts'

const OIDC_CONFIG = {
  issuer: 'http://idp.test/realms/master',
  client_id: ['kong'],
  auth_methods: ['client_credentials'],
  client_credentials_param_type: ['header']
}

/** a config each bundled plugin accepts; a plugin added to bundled.ts without one here fails this test */
const CONFIGS: Readonly<Record<string, Record<string, unknown>>> = {
  'openid-connect': OIDC_CONFIG,
  'request-termination': { status_code: 418 },
  'correlation-id': {},
  prometheus: {},
  cors: {},
  'request-transformer': {},
  'response-transformer': {},
  'rate-limiting': { minute: 10 },
  'key-auth': {},
  jwt: {},
  'basic-auth': {},
  acl: { allow: ['admins'] }
}

const NO_SERVICES: PluginServices = { settings: null as never, byPlugin: new Map(), onMessage () {}, redis: null }

function load (config: Record<string, unknown>): LoadedConfig {
  return loadConfigObject({ _format_version: '3.0', ...config }, '/test/config.json', {})
}

/** The bundled plugins with a stand-in handler: their instances run nothing but carry what the registry gave them. */
function standInPlugins (): PluginDescriptor[] {
  return BUNDLED_PLUGINS.map((plugin) => ({
    ...plugin,
    handler: async () => (entity: Plugin, priority: number): PluginInstance => Object.freeze({
      name: entity.name, id: entity.id, priority, access: () => {}, headerFilter: null, bodyFilter: null, log: null, close () {}
    })
  }))
}

function instancesOf (config: LoadedConfig, modules: ReadonlyMap<string, PluginModule>): Map<string, PluginInstance> {
  const instances = new Map<string, PluginInstance>()
  for (const plugin of config.entities.plugins) {
    if (plugin.enabled) instances.set(plugin.id, modules.get(plugin.name)!.create(plugin, NO_SERVICES, createConfigView(EMPTY)))
  }
  return instances
}

function routeNamed (config: LoadedConfig, name: string): Route {
  return config.entities.routes.find((route) => route.name === name)!
}

t.test('the bundled plugins, their PRIORITY and their execution order', async (t) => {
  t.strictSame(BUNDLED_PLUGINS.map((p) => [p.name, p.PRIORITY]), [['request-termination', 2], ['openid-connect', 1050], ['correlation-id', 100001], ['prometheus', 13], ['cors', 2000], ['request-transformer', 801],
    ['response-transformer', 800], ['rate-limiting', 910], ['key-auth', 1250], ['jwt', 1450], ['basic-auth', 1100],
    ['acl', 950]],
  'the bundled list (a new plugin is added here and to the expected order below)')
  const modules = await loadPluginModules()
  t.strictSame([...modules.keys()], BUNDLED_PLUGINS.map((p) => p.name), 'every bundled plugin has its handler loaded')
  for (const plugin of BUNDLED_PLUGINS) t.equal(modules.get(plugin.name)!.PRIORITY, plugin.PRIORITY, `${plugin.name} keeps its PRIORITY`)

  // every bundled plugin on one route: the chain runs them highest PRIORITY first
  const config = load({
    services: [{ name: 's', url: 'http://upstream.test', routes: [{ name: 'r', paths: ['/'] }] }],
    plugins: BUNDLED_PLUGINS.map((p) => ({ name: p.name, route: 'r', config: CONFIGS[p.name] }))
  })
  const chain = resolveRouteChain(routeNamed(config, 'r'), config.entities.plugins, instancesOf(config, await loadPluginModules(standInPlugins())))
  t.strictSame(chain.access?.map((i) => [i.name, i.priority]), [
    ['correlation-id', 100001], ['cors', 2000], ['jwt', 1450], ['key-auth', 1250], ['basic-auth', 1100], ['openid-connect', 1050], ['acl', 950], ['rate-limiting', 910], ['request-transformer', 801], ['response-transformer', 800], ['prometheus', 13], ['request-termination', 2]
  ])
  t.equal(chain.headerFilter, null, 'a phase no plugin has is null')
  t.equal(chain.log, null)
})

t.test('the real request-termination handler gets its PRIORITY from the descriptor', async (t) => {
  const modules = await loadPluginModules()
  const config = load({ plugins: [{ name: 'request-termination' }] })
  const instance = modules.get('request-termination')!.create(config.entities.plugins[0], NO_SERVICES, createConfigView(EMPTY))
  t.equal(instance.priority, 2)
  t.type(instance.access, 'function')
})

t.test('for one plugin, the most specific scope wins: route+service > route > service > global', async (t) => {
  const modules = await loadPluginModules()
  const scoped = {
    global: { name: 'request-termination', config: { message: 'global' } },
    service: { name: 'request-termination', service: 's1', config: { message: 'service' } },
    route: { name: 'request-termination', route: 'r1', config: { message: 'route' } },
    routeService: { name: 'request-termination', route: 'r1', service: 's1', config: { message: 'route+service' } },
    consumer: { name: 'request-termination', consumer: 'alice', config: { message: 'consumer' } },
    routeConsumer: { name: 'request-termination', route: 'r1', consumer: 'alice', config: { message: 'route+consumer' } },
    elsewhere: { name: 'request-termination', route: 'r2', config: { message: 'other route' } },
    otherService: { name: 'request-termination', route: 'r1', service: 's2', config: { message: 'route with another service' } }
  }
  const winner = (...keys: Array<keyof typeof scoped>): string | null => {
    const config = load({
      services: [
        { name: 's1', url: 'http://one.test', routes: [{ name: 'r1', paths: ['/one'] }, { name: 'r2', paths: ['/two'] }] },
        { name: 's2', url: 'http://two.test' }
      ],
      consumers: [{ username: 'alice' }],
      plugins: keys.map((key) => scoped[key])
    })
    const chain = resolveRouteChain(routeNamed(config, 'r1'), config.entities.plugins, instancesOf(config, modules))
    if (chain.access === null) return null
    t.equal(chain.access.length, 1, 'one instance per plugin name')
    return config.entities.plugins.find((p) => p.id === chain.access![0].id)!.config.message as string
  }
  t.equal(winner('global', 'service', 'route', 'routeService'), 'route+service')
  t.equal(winner('global', 'service', 'route'), 'route')
  t.equal(winner('global', 'service'), 'service')
  t.equal(winner('global'), 'global')
  t.equal(winner('routeService', 'route', 'service', 'global'), 'route+service', 'declaration order does not matter')
  t.equal(winner('elsewhere', 'otherService'), null, 'an instance on another route, or on this route with another service, does not apply')
  t.equal(winner('elsewhere', 'global'), 'global')
  t.equal(winner('consumer', 'routeConsumer', 'service'), 'service',
    'consumer-scoped instances need an identified consumer (consumer-chains.test.ts)')
})

t.test('with consumer groups, the twelve scopes rank as Kong documents (plugin precedence)', async (t) => {
  // developer.konghq.com/gateway/entities/plugin/#plugin-precedence, highest first
  const rows: Array<[string, Record<string, string>]> = [
    ['consumer+route+service', { consumer: 'alice', route: 'r1', service: 's1' }],
    ['group+route+service', { consumer_group: 'gold', route: 'r1', service: 's1' }],
    ['consumer+route', { consumer: 'alice', route: 'r1' }],
    ['consumer+service', { consumer: 'alice', service: 's1' }],
    ['group+route', { consumer_group: 'gold', route: 'r1' }],
    ['group+service', { consumer_group: 'gold', service: 's1' }],
    ['route+service', { route: 'r1', service: 's1' }],
    ['consumer', { consumer: 'alice' }],
    ['group', { consumer_group: 'gold' }],
    ['route', { route: 'r1' }],
    ['service', { service: 's1' }],
    ['global', {}],
  ]
  const modules = await loadPluginModules()
  const winner = (scopes: ReadonlyArray<[string, Record<string, string>]>, who: string): string | null => {
    const config = load({
      services: [{ name: 's1', url: 'http://one.test', routes: [{ name: 'r1', paths: ['/one'] }] }],
      consumers: [{ username: 'alice', groups: [{ name: 'gold' }] }, { username: 'bob' }],
      consumer_groups: [{ name: 'gold' }],
      plugins: scopes.map(([message, scope]) => ({ name: 'request-termination', ...scope, config: { message } })),
    })
    const groups = createConsumerGroupIndex(config.entities)
    const route = resolveRouteChain(routeNamed(config, 'r1'), config.entities.plugins, instancesOf(config, modules), groups)
    const id = config.entities.consumers.find((c) => c.username === who)!.id
    const chain = route.consumers?.get(id) ?? route
    return chain.access === null ? null : config.entities.plugins.find((p) => p.id === chain.access![0].id)!.config.message as string
  }
  for (let i = 0; i < rows.length; i++) {
    // every scope from this row down, declared lowest first: the row's own wins for alice
    t.equal(winner(rows.slice(i).reverse(), 'alice'), rows[i][0], `${rows[i][0]} beats everything below it`)
  }
  t.equal(winner(rows.slice(1), 'bob'), 'route+service', 'bob is in no group: group scopes do not apply to him')
  t.equal(winner([rows[8]], 'bob'), null)
})

t.test('a consumer in two groups with the same plugin on the same scope gets the group first by name', async (t) => {
  const modules = await loadPluginModules()
  const config = load({
    services: [{ name: 's1', url: 'http://one.test', routes: [{ name: 'r1', paths: ['/one'] }] }],
    consumers: [{ username: 'alice', groups: [{ name: 'silver' }, { name: 'gold' }] }, { username: 'bob', groups: [{ name: 'silver' }] }],
    consumer_groups: [
      { name: 'silver', plugins: [{ name: 'request-termination', config: { message: 'silver' } }] },
      { name: 'gold', plugins: [{ name: 'request-termination', config: { message: 'gold' } }] },
    ],
  })
  const route = resolveRouteChain(routeNamed(config, 'r1'), config.entities.plugins, instancesOf(config, modules), createConsumerGroupIndex(config.entities))
  const message = (who: string): unknown => {
    const chain = route.consumers!.get(config.entities.consumers.find((c) => c.username === who)!.id)!
    return config.entities.plugins.find((p) => p.id === chain.access![0].id)!.config.message
  }
  t.equal(message('alice'), 'gold', 'gold < silver, whatever the order of declaration or membership')
  t.equal(message('bob'), 'silver')
  t.equal(route.access, null, 'nobody identified: no group plugin')
})

t.test('a disabled instance does not take part', async (t) => {
  const modules = await loadPluginModules()
  const config = load({
    services: [{ name: 's', url: 'http://upstream.test', routes: [{ name: 'r', paths: ['/'] }] }],
    plugins: [
      { name: 'request-termination', route: 'r', enabled: false, config: { message: 'route' } },
      { name: 'request-termination', config: { message: 'global' } }
    ]
  })
  const chain = resolveRouteChain(routeNamed(config, 'r'), config.entities.plugins, instancesOf(config, modules))
  t.equal(chain.access?.length, 1)
  t.equal(config.entities.plugins.find((p) => p.id === chain.access![0].id)!.config.message, 'global')
})
