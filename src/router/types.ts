// Shapes the router hands out and keeps. Everything here is built once per config, never per request.

import type { Route } from '../config/types.ts'
import type { HeaderRule } from './header-match.ts'
import type { HostRule } from './host-match.ts'
import type { SniRule } from './sni-match.ts'

/** What find() returns: one frozen object per route × path, allocated at construction. */
export interface RouteMatch<T> {
  readonly route: Route
  readonly value: T
  /** the route path that matched, as configured (with its `~` for a regex); null for a route without paths */
  readonly path: string | null
  readonly isRegex: boolean
}

export interface RouterEntry<T> {
  readonly route: Route
  readonly value: T
}

/**
 * One unit of precedence. As Kong's traditional_compatible router (kong/router/compat.lua), a route with
 * several paths is split: one candidate per plain-path length and one for all its regex paths, each
 * ranked on its own. A route without paths is one candidate.
 */
export interface Candidate<T> {
  /** position in precedence order, 0 first; set once all candidates are sorted */
  rank: number
  readonly route: Route
  /** the entry's position in the constructor's list: the last tie-break */
  readonly order: number
  readonly methods: readonly string[] | null
  readonly hosts: readonly HostRule[] | null
  readonly headers: readonly HeaderRule[] | null
  /** checked only for https requests (sni-match.ts) */
  readonly snis: readonly SniRule[] | null
  /** the regex group's sticky regexes in configured order (Kong tries them in that order); else null */
  readonly regexes: readonly RegExp[] | null
  /** parallel to regexes */
  readonly regexMatches: readonly RouteMatch<T>[] | null
  // precedence keys, most significant first (compat.lua get_priority)
  /** how many of methods, hosts, headers, snis, paths the route uses */
  readonly weight: number
  /** `hosts` is set (an empty list too, as in Kong) and none of them is a wildcard */
  readonly plainHostsOnly: boolean
  /** number of header names (Kong caps it at 255) */
  readonly headerCount: number
  readonly isRegex: boolean
  /** regex_priority for a regex candidate, else 0 */
  readonly regexPriority: number
  /** length of the (normalised) plain paths of this candidate, else 0 */
  readonly pathLength: number
  // only the traditional flavor's precedence reads these (precedence-traditional.ts)
  /** the fields the route uses as kong/router/traditional.lua MATCH_RULES bits */
  readonly categoryBits: number
  /** a wildcard host with a port (traditional.lua HAS_WILDCARD_HOST_PORT) */
  readonly wildcardHostPort: boolean
}

/**
 * A radix tree entry: a plain path (its match and the length it matches), a route without paths (at the
 * root, length 0) or a regex group (match null: the candidate's regexes decide).
 */
export interface PathEntry<T> {
  readonly candidate: Candidate<T>
  readonly match: RouteMatch<T> | null
  readonly length: number
}
