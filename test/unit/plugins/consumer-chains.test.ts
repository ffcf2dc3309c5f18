// Consumer-scoped plugins in the route chains (plugins/chain.ts), from real configs: Kong's precedence of
// the eight scope combos (kong/runloop/plugins_iterator.lua lookup_cfg; Kong's own pin:
// spec/02-integration/15-plugins-iterator/01-precedence_spec.lua), checked for every pair, and which
// consumer-scoped instances never count.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { createConfigView } from '../../../src/config/compile-runtime.ts'
import type { LoadedConfig, Route } from '../../../src/config/types.ts'
import { ChainResolver, resolveRouteChain, type RouteChain } from '../../../src/plugins/chain.ts'
import { loadPluginModules } from '../../../src/plugins/handlers.ts'
import type { PluginInstance, PluginModule, PluginServices } from '../../../src/plugins/types.ts'

const NO_SERVICES: PluginServices = { settings: null as never, byPlugin: new Map(), onMessage () {}, redis: null }

/** request-termination on each combo, highest precedence first; `message` names the combo */
const COMBOS = [
  ['consumer+route+service', { consumer: 'alice', route: 'r1', service: 's1' }],
  ['consumer+route', { consumer: 'alice', route: 'r1' }],
  ['consumer+service', { consumer: 'alice', service: 's1' }],
  ['route+service', { route: 'r1', service: 's1' }],
  ['consumer', { consumer: 'alice' }],
  ['route', { route: 'r1' }],
  ['service', { service: 's1' }],
  ['global', {}]
] as const

function load (plugins: unknown[]): LoadedConfig {
  return loadConfigObject({
    _format_version: '3.0',
    services: [
      { name: 's1', url: 'http://one.test', routes: [{ name: 'r1', paths: ['/one'] }, { name: 'r2', paths: ['/two'] }] },
      { name: 's2', url: 'http://two.test', routes: [{ name: 'r3', paths: ['/three'] }] }
    ],
    consumers: [{ username: 'alice' }, { username: 'bob' }],
    plugins
  }, '/test/config.json', {})
}

function instancesOf (config: LoadedConfig, modules: ReadonlyMap<string, PluginModule>): Map<string, PluginInstance> {
  const instances = new Map<string, PluginInstance>()
  const view = createConfigView(config.entities)
  for (const plugin of config.entities.plugins) {
    if (plugin.enabled) instances.set(plugin.id, modules.get(plugin.name)!.create(plugin, NO_SERVICES, view))
  }
  return instances
}

function routeNamed (config: LoadedConfig, name: string): Route {
  return config.entities.routes.find((route) => route.name === name)!
}

function consumerId (config: LoadedConfig, username: string): string {
  return config.entities.consumers.find((c) => c.username === username)!.id
}

/** the message of the request-termination instance that runs, or null when none does */
function winner (config: LoadedConfig, chain: RouteChain): string | null {
  if (chain.access === null) return null
  return config.entities.plugins.find((p) => p.id === chain.access![0].id)!.config.message as string
}

/** the chain a request on `route` runs with the consumer authenticated: its entry, or the route's own */
function forConsumer (chain: RouteChain, id: string): RouteChain {
  return chain.consumers?.get(id) ?? chain
}

t.test('every pair of scope combos: the higher one wins, for the consumer and without one', async (t) => {
  const modules = await loadPluginModules()
  for (let hi = 0; hi < COMBOS.length; hi++) {
    for (let lo = hi + 1; lo < COMBOS.length; lo++) {
      const [hiName, hiScope] = COMBOS[hi]
      const [loName, loScope] = COMBOS[lo]
      // declared lowest first, so that file order cannot be what decides
      const config = load([
        { name: 'request-termination', ...loScope, config: { message: loName } },
        { name: 'request-termination', ...hiScope, config: { message: hiName } }
      ])
      const chain = resolveRouteChain(routeNamed(config, 'r1'), config.entities.plugins, instancesOf(config, modules))
      const alice = consumerId(config, 'alice')
      t.equal(winner(config, forConsumer(chain, alice)), hiName, `alice: ${hiName} over ${loName}`)
      const anonymousWinner = [hiName, loName].find((name) => !name.startsWith('consumer')) ?? null
      t.equal(winner(config, chain), anonymousWinner, `nobody identified: ${hiName} + ${loName} → ${anonymousWinner}`)
      t.equal(winner(config, forConsumer(chain, consumerId(config, 'bob'))), anonymousWinner, 'bob gets what nobody gets')
      t.notOk(chain.consumers?.has(consumerId(config, 'bob')), 'no entry for a consumer without plugins')
      if (!hiName.startsWith('consumer')) t.equal(chain.consumers, null, `${loName} outranked by ${hiName}: the route keeps the fast path`)
      else t.ok(chain.consumers?.has(alice), 'alice has her own chain')
    }
  }
})

t.test('consumer-scoped instances that never count', async (t) => {
  const modules = await loadPluginModules()
  const cases: Array<[string, Record<string, unknown>]> = [
    ['on another route', { consumer: 'alice', route: 'r2' }],
    ['on another service', { consumer: 'alice', service: 's2' }],
    ['on this route with another service', { consumer: 'alice', route: 'r1', service: 's2' }],
    ['disabled', { consumer: 'alice', enabled: false }],
    ['disabled, on this route', { consumer: 'alice', route: 'r1', enabled: false }]
  ]
  for (const [label, scope] of cases) {
    const config = load([
      { name: 'request-termination', config: { message: 'global' } },
      { name: 'request-termination', ...scope, config: { message: label } }
    ])
    const chain = resolveRouteChain(routeNamed(config, 'r1'), config.entities.plugins, instancesOf(config, modules))
    t.equal(chain.consumers, null, `${label}: no consumer chains on r1`)
    t.equal(winner(config, chain), 'global')
  }

  const config = load([{ name: 'request-termination', consumer: 'bob', config: { message: 'bob' } }])
  const chain = resolveRouteChain(routeNamed(config, 'r1'), config.entities.plugins, instancesOf(config, modules))
  t.strictSame([...chain.consumers!.keys()], [consumerId(config, 'bob')], 'another consumer\'s plugin: an entry for that consumer only')
  t.equal(chain.access, null, 'and nothing runs for anybody else')
  t.equal(winner(config, forConsumer(chain, consumerId(config, 'alice'))), null)
  t.equal(chain.consumers!.get(consumerId(config, 'bob'))!.consumers, chain.consumers,
    'a consumer chain holds the same map, so a second authentication switches again')
})

t.test('routes with the same scoped plugins share their chains', async (t) => {
  const modules = await loadPluginModules()
  const config = load([
    { name: 'request-termination', consumer: 'alice', config: { message: 'alice' } },
    { name: 'request-termination', route: 'r2', config: { message: 'r2' } }
  ])
  const resolver = new ChainResolver(config.entities.plugins, instancesOf(config, modules))
  const [r1, r2, r3] = ['r1', 'r2', 'r3'].map((name) => resolver.resolve(routeNamed(config, name)))
  t.equal(r1, r3, 'r1 and r3 (another service, but no service-scoped plugin) share one chain')
  t.not(r1, r2)
  t.equal(winner(config, forConsumer(r2, consumerId(config, 'alice'))), 'alice', 'consumer beats route')
  t.equal(winner(config, r2), 'r2')
})
