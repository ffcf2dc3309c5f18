// Resolves, once per config, which plugin instances run on each route and in which order, as Kong's
// plugins iterator does (kong/runloop/plugins_iterator.lua lookup_cfg, and Kong Enterprise's consumer group
// combos): for each plugin name the most specific scope wins, in the order of
// developer.konghq.com/gateway/entities/plugin/#plugin-precedence:
//   consumer+route+service > consumer group+route+service > consumer+route > consumer+service >
//   consumer group+route > consumer group+service > route+service > consumer > consumer group > route >
//   service > global;
// of two groups of one consumer with the same plugin on the same scope, the group first by name wins (same
// page, "Note on precedence for Consumer Groups"). The winners run by PRIORITY, highest first (ties by name).
// A route's chain is the one for a request no plugin identified yet; `consumers` holds, per consumer
// that changes something on the route (by its own plugins or its groups'), the chain as it would be for
// that consumer, which the proxy switches to when an auth plugin calls ctx.authenticate
// (proxy/consumer-switch.ts). Consumers whose own and group plugins on a route are the same share one chain.

import type { Plugin, Route } from '../config/types.ts'
import type { HeaderAppender, PluginInstance } from './types.ts'
import { NO_CONSUMER_GROUPS, type ConsumerGroupIndex } from '../config/consumer-group-index.ts'

export interface RouteChain {
  /** null when no plugin has the phase, so the hot path skips it with one comparison */
  readonly access: readonly PluginInstance[] | null
  readonly headerFilter: readonly PluginInstance[] | null
  /** plugins whose config rewrites response bodies; null (the common case) keeps the streaming path */
  readonly bodyFilter: readonly PluginInstance[] | null
  /**
   * The header filters as appenders (types.ts HeaderAppender), in order, when every one has one and no body
   * filter is set: an upstream's response then keeps the flat header list. null otherwise.
   */
  readonly headerAppend: readonly HeaderAppender[] | null
  /** every name the appenders may set, lower-cased; null with headerAppend */
  readonly appendNames: ReadonlySet<string> | null
  readonly log: readonly PluginInstance[] | null
  /**
   * Per consumer id, the route's chain for that consumer; only consumers whose chain differs from the
   * route's own. null when no consumer-scoped plugin changes anything on this route (the hot path's case).
   * A consumer's chain holds the same map, so a second authentication switches again.
   */
  readonly consumers: ReadonlyMap<string, RouteChain> | null
}

export const EMPTY_CHAIN: RouteChain = Object.freeze({
  access: null, headerFilter: null, bodyFilter: null, headerAppend: null, appendNames: null, log: null, consumers: null
})

/** Kong's order of execution: PRIORITY descending, then (our choice, Kong leaves ties unordered) name. */
export function compareInstances (a: PluginInstance, b: PluginInstance): number {
  return b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

/** Who a chain is for: a consumer and the order of its groups (by name, the tie-break between groups). */
interface Subject {
  readonly consumerId: string
  /** group id -> position among the consumer's groups */
  readonly groupOrder: ReadonlyMap<string, number>
}

/** The plugin's route and service (when it names them) are this route's. */
function onRoute (plugin: Plugin, route: Route): boolean {
  if (plugin.route !== null && plugin.route.id !== route.id) return false
  return plugin.service === null || plugin.service.id === (route.service?.id ?? null)
}

// The scope ranks of the precedence list, higher wins; -1: the plugin does not apply to this route and subject.
function scopeRank (plugin: Plugin, route: Route, subject: Subject | null): number {
  if (!onRoute(plugin, route)) return -1
  const both = plugin.route !== null && plugin.service !== null
  const onlyRoute = plugin.route !== null && !both
  const onlyService = plugin.service !== null && !both
  if (plugin.consumer !== null) {
    if (plugin.consumer.id !== subject?.consumerId) return -1
    return both ? 11 : onlyRoute ? 9 : onlyService ? 8 : 4
  }
  if (plugin.consumer_group !== null) {
    if (subject?.groupOrder.has(plugin.consumer_group.id) !== true) return -1
    return both ? 10 : onlyRoute ? 7 : onlyService ? 6 : 3
  }
  return both ? 5 : onlyRoute ? 2 : onlyService ? 1 : 0
}

interface Usable { readonly plugin: Plugin, readonly instance: PluginInstance }

/** Builds route chains for one config; routes to which the same scoped plugins apply share their chains. */
export class ChainResolver {
  readonly #plugins: readonly Usable[]
  readonly #groups: ConsumerGroupIndex
  readonly #shared = new Map<string, RouteChain>()

  constructor (plugins: readonly Plugin[], instances: ReadonlyMap<string, PluginInstance>,
    groups: ConsumerGroupIndex = NO_CONSUMER_GROUPS) {
    const usable = []
    for (const plugin of plugins) {
      const instance = plugin.enabled ? instances.get(plugin.id) : undefined
      if (instance !== undefined) usable.push({ plugin, instance })
    }
    this.#plugins = usable
    this.#groups = groups
  }

  resolve (route: Route): RouteChain {
    // Global, consumer-only and group-only plugins apply to every route alike: the route- and
    // service-scoped ones that apply here decide the chains, so 1,000 routes without any share one set.
    let key = ''
    for (const { plugin } of this.#plugins) {
      if ((plugin.route !== null || plugin.service !== null) && onRoute(plugin, route)) key += plugin.id + ','
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
    const own = new Set<string>()
    const groups = new Set<string>()
    for (const { plugin } of this.#plugins) {
      if (!onRoute(plugin, route)) continue
      if (plugin.consumer !== null) own.add(plugin.consumer.id)
      if (plugin.consumer_group !== null) groups.add(plugin.consumer_group.id)
    }
    const candidates = new Set(own)
    for (const group of groups) for (const member of this.#groups.membersOf(group)) candidates.add(member)
    // consumers with no plugins of their own and the same groups (of those with plugins here) share a chain
    const bySignature = new Map<string, RouteChain | null>()
    for (const consumerId of candidates) {
      const subject = this.#subject(consumerId, groups)
      const signature = `${own.has(consumerId) ? consumerId : ''}|${[...subject.groupOrder.keys()].join(',')}`
      let chain = bySignature.get(signature)
      if (chain === undefined) {
        const ordered = this.#winners(route, subject)
        // a consumer plugin outranked on every name (say consumer-only under route+service) changes nothing
        chain = sameInstances(ordered, base) ? null : chainOf(ordered, consumers)
        bySignature.set(signature, chain)
      }
      if (chain !== null) consumers.set(consumerId, chain)
    }
    return chainOf(base, consumers.size === 0 ? null : consumers)
  }

  /** The consumer and those of its groups that have plugins on the route, in Kong's order (by name). */
  #subject (consumerId: string, relevant: ReadonlySet<string>): Subject {
    const groupOrder = new Map<string, number>()
    for (const group of this.#groups.groupsOf(consumerId)) {
      if (relevant.has(group)) groupOrder.set(group, groupOrder.size)
    }
    return { consumerId, groupOrder }
  }

  #winners (route: Route, subject: Subject | null): PluginInstance[] {
    const winners = new Map<string, { rank: number, order: number, instance: PluginInstance }>()
    for (const { plugin, instance } of this.#plugins) {
      const rank = scopeRank(plugin, route, subject)
      if (rank < 0) continue
      const order = plugin.consumer_group === null ? 0 : subject!.groupOrder.get(plugin.consumer_group.id)!
      const current = winners.get(plugin.name)
      if (current === undefined || rank > current.rank || (rank === current.rank && order < current.order)) {
        winners.set(plugin.name, { rank, order, instance })
      }
    }
    return [...winners.values()].map((w) => w.instance).sort(compareInstances)
  }
}

export function resolveRouteChain (route: Route, plugins: readonly Plugin[], instances: ReadonlyMap<string, PluginInstance>,
  groups: ConsumerGroupIndex = NO_CONSUMER_GROUPS): RouteChain {
  return new ChainResolver(plugins, instances, groups).resolve(route)
}

function chainOf (ordered: readonly PluginInstance[], consumers: ReadonlyMap<string, RouteChain> | null): RouteChain {
  if (ordered.length === 0 && consumers === null) return EMPTY_CHAIN
  const headerFilter = phase(ordered, (i) => i.headerFilter !== null)
  const bodyFilter = phase(ordered, (i) => i.bodyFilter !== null)
  const headerAppend = appenders(headerFilter, bodyFilter)
  return Object.freeze({
    access: phase(ordered, (i) => i.access !== null),
    headerFilter,
    bodyFilter,
    headerAppend,
    appendNames: headerAppend === null ? null : new Set(headerAppend.flatMap((a) => a.names)),
    log: phase(ordered, (i) => i.log !== null),
    consumers
  })
}

/** The header filters' appenders when every one has one and no body filter needs the header object. */
function appenders (headerFilter: readonly PluginInstance[] | null, bodyFilter: readonly PluginInstance[] | null): readonly HeaderAppender[] | null {
  if (headerFilter === null || bodyFilter !== null) return null
  const list: HeaderAppender[] = []
  for (const instance of headerFilter) {
    if (instance.headerAppender === undefined || instance.headerAppender === null) return null
    list.push(instance.headerAppender)
  }
  return Object.freeze(list)
}

function sameInstances (a: readonly PluginInstance[], b: readonly PluginInstance[]): boolean {
  return a.length === b.length && a.every((instance, i) => instance === b[i])
}

function phase (ordered: readonly PluginInstance[], has: (i: PluginInstance) => boolean): readonly PluginInstance[] | null {
  const list = ordered.filter(has)
  return list.length === 0 ? null : Object.freeze(list)
}
