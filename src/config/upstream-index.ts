// The upstreams of a loaded config by name, each with its targets, for the proxy: Kong balances a service
// whose host is an upstream's name over that upstream (kong/runloop/balancer/init.lua execute, through
// upstreams.get_upstream_by_name). Built once per loaded config in each thread that asks, never per request.

import type { LoadedConfig, Target, Upstream } from './types.ts'

/** An upstream with its targets in config order, weight-0 ones included (they get no traffic, as in Kong). */
export type UpstreamWithTargets = Upstream & { readonly targets: readonly Target[] }

const built = new WeakMap<LoadedConfig, ReadonlyMap<string, UpstreamWithTargets>>()

function index (config: LoadedConfig): ReadonlyMap<string, UpstreamWithTargets> {
  const targets = new Map<string, Target[]>()
  for (const target of config.entities.targets) {
    const list = targets.get(target.upstream.id)
    if (list === undefined) targets.set(target.upstream.id, [target])
    else list.push(target)
  }
  const byName = new Map<string, UpstreamWithTargets>()
  for (const upstream of config.entities.upstreams) {
    byName.set(upstream.name, Object.freeze({ ...upstream, targets: Object.freeze(targets.get(upstream.id) ?? []) }))
  }
  return byName
}

/** name → upstream with its targets; a service whose `host` is a key here is balanced over that upstream. */
export function upstreamsByName (config: LoadedConfig): ReadonlyMap<string, UpstreamWithTargets> {
  let found = built.get(config)
  if (found === undefined) {
    found = index(config)
    built.set(config, found)
  }
  return found
}
