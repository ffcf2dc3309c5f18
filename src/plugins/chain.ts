// Resolves, once per config, which plugin instances run on each route and in which order, as Kong's
// plugins iterator does: for each plugin name the most specific scope wins (route+service, then route,
// then service, then global); the winners run by PRIORITY, highest first. Consumer-scoped plugins need a
// consumer identified by an auth plugin; no bundled plugin identifies consumers yet, so they never run.

import type { Plugin, Route } from '../config/types.ts'
import type { PluginInstance } from './types.ts'

export interface RouteChain {
  /** null when no plugin has the phase, so the hot path skips it with one comparison */
  readonly access: readonly PluginInstance[] | null
  readonly headerFilter: readonly PluginInstance[] | null
  readonly log: readonly PluginInstance[] | null
}

export const EMPTY_CHAIN: RouteChain = Object.freeze({ access: null, headerFilter: null, log: null })

function scopeRank (plugin: Plugin, route: Route): number {
  const serviceId = route.service?.id ?? null
  const onRoute = plugin.route !== null && plugin.route.id === route.id
  const onService = plugin.service !== null && plugin.service.id === serviceId
  if (plugin.route !== null && !onRoute) return -1
  if (plugin.service !== null && !onService) return -1
  if (onRoute && onService) return 3
  if (onRoute) return 2
  if (onService) return 1
  return 0
}

export function resolveRouteChain (route: Route, plugins: readonly Plugin[], instances: ReadonlyMap<string, PluginInstance>): RouteChain {
  const winners = new Map<string, { rank: number, instance: PluginInstance }>()
  for (const plugin of plugins) {
    if (!plugin.enabled || plugin.consumer !== null) continue
    const rank = scopeRank(plugin, route)
    if (rank < 0) continue
    const instance = instances.get(plugin.id)
    if (instance === undefined) continue
    const current = winners.get(plugin.name)
    if (current === undefined || rank > current.rank) winners.set(plugin.name, { rank, instance })
  }
  if (winners.size === 0) return EMPTY_CHAIN
  const ordered = [...winners.values()].map((w) => w.instance)
    .sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1))
  return Object.freeze({
    access: phase(ordered, (i) => i.access !== null),
    headerFilter: phase(ordered, (i) => i.headerFilter !== null),
    log: phase(ordered, (i) => i.log !== null)
  })
}

function phase (ordered: readonly PluginInstance[], has: (i: PluginInstance) => boolean): readonly PluginInstance[] | null {
  const list = ordered.filter(has)
  return list.length === 0 ? null : Object.freeze(list)
}
