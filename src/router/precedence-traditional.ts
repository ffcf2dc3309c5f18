// Kong's `traditional` router precedence (kong/router/traditional.lua), highest first:
//   1. match weight: how many of hosts, headers, paths, methods, snis the route uses (sort_categories);
//   2. at equal weight, the category bits: HOST 0x40 > HEADER 0x20 > URI 0x10 > METHOD 0x08 > SNI 0x04
//      compared as one number, so a route using hosts outranks one that does not (sort_categories);
//   3. within a category (sort_routes), the submatch bits compared as one number: HAS_WILDCARD_HOST_PORT 0x04 >
//      PLAIN_HOSTS_ONLY 0x02 > HAS_REGEX_URI 0x01, so plain hosts and regex paths come before header count;
//   4. more header names; 5. regex_priority (regex paths only); 6. longer plain path;
//   7. the older route (created_at), where traditional_compatible has the larger id.
// traditional_compatible (precedence.ts) differs: no category bits, a wildcard host with a port is not
// preferred, header count ranks above regex paths, and the larger id breaks ties.
// Not modelled: traditional.lua first tries a "reduced" candidate set (routes indexed under the request's
// host, path or method) before the whole category, which can let a lower-ranked route in that set win;
// and Lua's table.sort is not stable, so Kong leaves equal routes (same created_at) in no defined order:
// here the earlier entry wins.

import type { Candidate } from './types.ts'

export const CATEGORY_HOST = 0x40
export const CATEGORY_HEADER = 0x20
export const CATEGORY_URI = 0x10
export const CATEGORY_METHOD = 0x08
export const CATEGORY_SNI = 0x04

/** < 0 when `a` is tried before `b` */
export function compareTraditional<T> (a: Candidate<T>, b: Candidate<T>): number {
  return (b.weight - a.weight) ||
    (b.categoryBits - a.categoryBits) ||
    (submatchWeight(b) - submatchWeight(a)) ||
    (b.headerCount - a.headerCount) ||
    (b.regexPriority - a.regexPriority) ||
    (b.pathLength - a.pathLength) ||
    (a.route.created_at - b.route.created_at) ||
    (a.order - b.order)
}

function submatchWeight<T> (c: Candidate<T>): number {
  return (c.wildcardHostPort ? 0x04 : 0) | (c.plainHostsOnly ? 0x02 : 0) | (c.isRegex ? 0x01 : 0)
}
