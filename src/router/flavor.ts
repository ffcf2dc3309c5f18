// Kong's `router_flavor` (kong.conf): which of Kong's routers Tollgate behaves as. Both match the same
// requests; they differ in precedence (precedence.ts, precedence-traditional.ts) and in path_handling:
// - traditional_compatible (the 3.x default; kong/router/compat.lua on kong/router/atc.lua) builds every
//   upstream path with the v0 rule (kong/router/utils.lua get_upstream_uri_v0); `path_handling: v1` has no
//   effect, and Kong's route schema warns that it "will not work under 'expressions' or
//   'traditional_compatible' router_flavor" (kong/db/schema/entities/routes.lua);
// - traditional (kong/router/traditional.lua) honours each route's path_handling, v0 or v1.
// `expressions` routes are written in Kong's ATC language, which Tollgate does not implement.

import type { Route } from '../config/types.ts'

export type RouterFlavor = 'traditional' | 'traditional_compatible'

export const ROUTER_FLAVORS: readonly RouterFlavor[] = ['traditional_compatible', 'traditional']

/** The path_handling the flavor applies to `route`. */
export function effectivePathHandling (flavor: RouterFlavor, route: Route): 'v0' | 'v1' {
  return flavor === 'traditional' ? route.path_handling : 'v0'
}

/** The routes whose `path_handling: v1` the flavor ignores (for the load-time warning). */
export function routesIgnoringPathHandling (flavor: RouterFlavor, routes: readonly Route[]): Route[] {
  return routes.filter((route) => route.path_handling === 'v1' && effectivePathHandling(flavor, route) !== 'v1')
}
