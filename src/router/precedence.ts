// Kong's traditional_compatible precedence (kong/router/transform.lua get_priority, used by
// kong/router/compat.lua: a 64-bit number compared as a whole), written as a comparison of its fields,
// highest first, as its documented bit layout packs them:
//   bits 61-63 match weight (methods, hosts, headers, snis, paths, sources, destinations: 1 each)
//   bit  60    plain hosts only      bits 52-59 header count (capped at 255)
//   bit  51    regex path            bits 19-50 regex_priority (regex candidates only)
//   bits 0-18  plain path length (Kong masks it to 19 bits; no path comes near that)
// Ties: atc-router keeps matchers in a BTreeMap keyed by (priority, uuid) and tries them in reverse, so
// the larger route id wins; then the earlier entry. (Kong gives a route split by paths new derived ids,
// so a tie involving such a route may break the other way in Kong: it is unspecified there.)
// regex_priority is compared as a signed number, as Kong documents it; Kong's bit packing would let a
// negative value overflow into the higher fields.

import type { Candidate } from './types.ts'

export const MAX_HEADER_COUNT = 255

/** < 0 when `a` is tried before `b` */
export function comparePrecedence<T> (a: Candidate<T>, b: Candidate<T>): number {
  return (b.weight - a.weight) ||
    (Number(b.plainHostsOnly) - Number(a.plainHostsOnly)) ||
    (b.headerCount - a.headerCount) ||
    (Number(b.isRegex) - Number(a.isRegex)) ||
    (b.regexPriority - a.regexPriority) ||
    (b.pathLength - a.pathLength) ||
    compareIdsDescending(a.route.id, b.route.id) ||
    (a.order - b.order)
}

function compareIdsDescending (a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x === y ? 0 : (x > y ? -1 : 1)
}
