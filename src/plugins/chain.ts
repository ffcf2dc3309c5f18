// Resolves, once per config, which plugin instances run on each route and in which order, as Kong's
// plugins iterator does (kong/runloop/plugins_iterator.lua lookup_cfg): for each plugin name the most
// specific scope wins, consumer+route+service > consumer+route > consumer+service > route+service >
// consumer > route > service > global; the winners run by PRIORITY, highest first (ties by name).
// A route's chain is the one for a request no plugin identified yet; `consumers` holds, per consumer
// that changes something on the route, the chain as it would be for that consumer, which the proxy
// switches to when an auth plugin calls ctx.authenticate (proxy/consumer-switch.ts). Consumer groups
// are refused at load, so their combos are left out.

import type { Plugin, Route } from '../config/types.ts'
import type { PluginInstance } from './types.ts'

export interface RouteChain {
  /** null when no plugin has the phase, so the hot path skips it with one comparison */
  readonly access: readonly PluginInstance[] | null
  readonly headerFilter: readonly PluginInstance[] | null
  /** plugins whose config rewrites response bodies; null (the common case) keeps the streaming path */
  readonly bodyFilter: readonly PluginInstance[] | null
  readonly log: readonly PluginInstance[] | null
  /**
   * Per consumer id, the route's chain for that consumer; only consumers whose chain differs from the
   * route's own. null when no consumer-scoped plugin changes anything on this route (the hot path's case).
   * A consumer's chain holds the same map, so a second authentication switches again.
   */
  readonly consumers: ReadonlyMap<string, RouteChain> | null
}

export const EMPTY_CHAIN: RouteChain = Object.freeze({ access: null, headerFilter: null, bodyFilter: null, log: null, consumers: null })

/** Kong's order of execution: PRIORITY descending, then (our choice, Kong leaves ties unordered) name. */
export function compareInstances (a: PluginInstance, b: PluginInstance): number {
  return b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

// The scope ranks of lookup_cfg, higher wins; -1: the plugin does not apply to this route and consumer.
function scopeRank (plugin: Plugin, route: Route, consumerId: string | null): number {
  if (plugin.route !== null && plugin.route.id !== route.id) return -1
  if (plugin.service !== null && plugin.service.id !== (route.service?.id ?? null)) return -1
  if (plugin.consumer !== null && plugin.consumer.id !== consumerId) return -1
  const onRoute = plugin.route !== null
  const onService = plugin.service !== null
  if (plugin.consumer !== null) return onRoute && onService ? 7 : onRoute ? 6 : onService ? 5 : 3
  return onRoute && onService ? 4 : onRoute ? 2 : onService ? 1 : 0
}

/** Builds route chains for one config; routes to which the same scoped plugins apply share their chains. */
export class ChainResolver {
  readonly #plugins: ReadonlyArray<{ readonly plugin: Plugin, readonly instance: PluginInstance }>
  readonly #shared = new Map<string, RouteChain>()

  constructor (plugins: readonly Plugin[], instances: ReadonlyMap<string, PluginInstance>) {
    const usable = []
    for (const plugin of plugins) {
      const instance = plugin.enabled ? instances.get(plugin.id) : undefined
      if (instance !== undefined) usable.push({ plugin, instance })
    }
    this.#plugins = usable
  }

  resolve (route: Route): RouteChain {
    // Global and consumer-only plugins apply to every route alike: the route- and service-scoped ones
    // that apply here decide the chains, so 1,000 routes without any share one set of chains.
    let key = ''
    for (const { plugin } of this.#plugins) {
      if ((plugin.route !== null || plugin.service !== null) && scopeRank(plugin, route, plugin.consumer?.id ?? null) >= 0) {
        key += plugin.id + ','
      }
    }
    let chain = this.#shared.get(key)
    if (chain === undefined) {
      chain = this.#build(route)
      this.#shared.set(key, chain)
    }
    return chain
  }

  #build (route: Route): RouteChain {
    const base = this.#winners(route, null)
    const consumers = new Map<string, RouteChain>()
    const candidates = new Set<string>()
    for (const { plugin } of this.#plugins) {
      if (plugin.consumer !== null && scopeRank(plugin, route, plugin.consumer.id) >= 0) candidates.add(plugin.consumer.id)
    }
    for (const consumerId of candidates) {
      const ordered = this.#winners(route, consumerId)
      // a consumer plugin outranked on every name (say consumer-only under route+service) changes nothing
      if (!sameInstances(ordered, base)) consumers.set(consumerId, chainOf(ordered, consumers))
    }
    return chainOf(base, consumers.size === 0 ? null : consumers)
  }

  #winners (route: Route, consumerId: string | null): PluginInstance[] {
    const winners = new Map<string, { rank: number, instance: PluginInstance }>()
    for (const { plugin, instance } of this.#plugins) {
      const rank = scopeRank(plugin, route, consumerId)
      if (rank < 0) continue
      const current = winners.get(plugin.name)
      if (current === undefined || rank > current.rank) winners.set(plugin.name, { rank, instance })
    }
    return [...winners.values()].map((w) => w.instance).sort(compareInstances)
  }
}

export function resolveRouteChain (route: Route, plugins: readonly Plugin[], instances: ReadonlyMap<string, PluginInstance>): RouteChain {
  return new ChainResolver(plugins, instances).resolve(route)
}

function chainOf (ordered: readonly PluginInstance[], consumers: ReadonlyMap<string, RouteChain> | null): RouteChain {
  if (ordered.length === 0 && consumers === null) return EMPTY_CHAIN
  return Object.freeze({
    access: phase(ordered, (i) => i.access !== null),
    headerFilter: phase(ordered, (i) => i.headerFilter !== null),
    bodyFilter: phase(ordered, (i) => i.bodyFilter !== null),
    log: phase(ordered, (i) => i.log !== null),
    consumers
  })
}

function sameInstances (a: readonly PluginInstance[], b: readonly PluginInstance[]): boolean {
  return a.length === b.length && a.every((instance, i) => instance === b[i])
}

function phase (ordered: readonly PluginInstance[], has: (i: PluginInstance) => boolean): readonly PluginInstance[] | null {
  const list = ordered.filter(has)
  return list.length === 0 ? null : Object.freeze(list)
}
