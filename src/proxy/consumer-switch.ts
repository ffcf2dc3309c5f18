// What ctx.authenticate changes on a route that has consumer chains (plugins/chain.ts RouteChain.consumers).
// Kong looks each plugin's configuration up as its access iterator reaches it, with the consumer known
// at that moment, and collects that same configuration for the later phases (kong/runloop/
// plugins_iterator.lua get_next_and_collect, load_configuration_through_combos with
// ctx.authenticated_consumer). So after an authentication:
//   - access continues in the consumer's chain, from the first plugin that sorts after the one that
//     authenticated (none runs twice, none is skipped);
//   - header_filter, body_filter and log keep, for the plugins sorting up to that one, what was in force before, and
//     take the consumer's chain for the plugins after it.
// Routes without consumer chains never come here (one null check per access run, none per plugin).

import type { Consumer } from '../config/types.ts'
import { compareInstances, type RouteChain } from '../plugins/chain.ts'
import type { PluginInstance } from '../plugins/types.ts'

interface Switchable {
  readonly target: { readonly chain: RouteChain }
  chain: RouteChain
  /** the access plugin running now, on routes with consumer chains; null outside the access phase */
  running: PluginInstance | null
}

export function switchToConsumer (ctx: Switchable, consumer: Consumer | null): void {
  const base = ctx.target.chain
  const next = (consumer === null ? undefined : base.consumers?.get(consumer.id)) ?? base
  const current = ctx.chain
  if (next === current) return
  const running = ctx.running
  ctx.chain = running === null ? next : splice(current, next, running)
}

/** Where access continues in `access` after `ran`: the first plugin that sorts after it. */
export function indexAfter (access: readonly PluginInstance[] | null, ran: PluginInstance): number {
  if (access === null) return 0
  let i = 0
  while (i < access.length && compareInstances(access[i], ran) <= 0) i++
  return i
}

function splice (before: RouteChain, after: RouteChain, boundary: PluginInstance): RouteChain {
  const headerFilter = merge(before.headerFilter, after.headerFilter, boundary)
  const bodyFilter = merge(before.bodyFilter, after.bodyFilter, boundary)
  const log = merge(before.log, after.log, boundary)
  // the common case: the consumer's plugins all sort after the auth plugin, nothing to allocate
  if (headerFilter === after.headerFilter && bodyFilter === after.bodyFilter && log === after.log) return after
  // a spliced chain (rare) takes the header object path: the appenders' result is the same (types.ts)
  return { access: after.access, headerFilter, bodyFilter, headerAppend: null, appendNames: null, log, consumers: after.consumers }
}

// `before`'s plugins up to the boundary, then `after`'s beyond it; `after` itself when that is the same
// (checked first, so the common case allocates nothing).
function merge (before: readonly PluginInstance[] | null, after: readonly PluginInstance[] | null,
  boundary: PluginInstance): readonly PluginInstance[] | null {
  const kept = indexAfter(before, boundary)
  const cut = indexAfter(after, boundary)
  if (kept === cut) {
    let same = true
    for (let i = 0; i < kept && same; i++) same = before![i] === after![i]
    if (same) return after
  }
  const merged = (before === null ? [] : before.slice(0, kept)).concat(after === null ? [] : after.slice(cut))
  return merged.length === 0 ? null : merged
}
