// Turns one route into its candidates (see Candidate in types.ts) and the radix tree keys they live under:
// each plain path under its normalised text, each regex group under the literal prefix its regexes share.

import type { Route } from '../config/types.ts'
import type { ConfigIssue } from '../core/errors.ts'
import { parseHeaderRule, type HeaderRule } from './header-match.ts'
import { parseHostRule, type HostRule } from './host-match.ts'
import { normalizePath } from './normalize-path.ts'
import { MAX_HEADER_COUNT } from './precedence.ts'
import { CATEGORY_HEADER, CATEGORY_HOST, CATEGORY_METHOD, CATEGORY_SNI, CATEGORY_URI } from './precedence-traditional.ts'
import { literalPrefix } from './regex-prefix.ts'
import { parseSniRule, type SniRule } from './sni-match.ts'
import { compileRouteRegex } from './route-regex.ts'
import type { Candidate, PathEntry, RouteMatch } from './types.ts'

export interface TreeKey<T> {
  readonly key: string
  readonly entry: PathEntry<T>
}

export interface BuiltRoute<T> {
  readonly candidates: Candidate<T>[]
  readonly treeKeys: TreeKey<T>[]
}

interface Criteria {
  readonly methods: readonly string[] | null
  readonly hosts: readonly HostRule[] | null
  readonly headers: readonly HeaderRule[] | null
  readonly snis: readonly SniRule[] | null
  readonly weight: number
  readonly plainHostsOnly: boolean
  readonly headerCount: number
  readonly categoryBits: number
  readonly wildcardHostPort: boolean
}

export function buildRoute<T> (route: Route, value: T, order: number, issues: ConfigIssue[]): BuiltRoute<T> {
  const where = `routes[${route.name ?? route.id}]`
  const issuesBefore = issues.length
  const criteria = parseCriteria(route, where, issues)
  const paths = nonEmpty(route.paths)
  const built: BuiltRoute<T> = { candidates: [], treeKeys: [] }
  if (paths === null) {
    if (criteria.weight === 0 && issues.length === issuesBefore) issues.push({ path: where, message: 'route has no methods, hosts, headers or paths to match on' })
    // matches every path: it lives at the tree root
    const group = candidate<T>(route, order, criteria, 0, null, null, false, 0)
    built.candidates.push(group)
    built.treeKeys.push({ key: '', entry: { candidate: group, match: routeMatch(route, value, null, false), length: 0 } })
    return built
  }
  const withPaths = { ...criteria, weight: criteria.weight + 1, categoryBits: criteria.categoryBits | CATEGORY_URI }
  addPlainGroups(route, value, order, withPaths, paths, built)
  addRegexGroup(route, value, order, withPaths, paths, where, issues, built)
  return built
}

/** One candidate per distinct normalised length, as Kong splits a route by `#path`. */
function addPlainGroups<T> (route: Route, value: T, order: number, criteria: Criteria,
  paths: readonly string[], built: BuiltRoute<T>): void {
  const byLength = new Map<number, Candidate<T>>()
  for (const path of paths) {
    if (path.startsWith('~')) continue
    const key = normalizePath(path) ?? path
    let group = byLength.get(key.length)
    if (group === undefined) {
      group = candidate<T>(route, order, criteria, key.length, null, null, false, 0)
      byLength.set(key.length, group)
      built.candidates.push(group)
    }
    built.treeKeys.push({ key, entry: { candidate: group, match: routeMatch(route, value, path, false), length: key.length } })
  }
}

/** All regex paths form one candidate, kept under the longest literal prefix they all share. */
function addRegexGroup<T> (route: Route, value: T, order: number, criteria: Criteria,
  paths: readonly string[], where: string, issues: ConfigIssue[], built: BuiltRoute<T>): void {
  const regexes: RegExp[] = []
  const matches: RouteMatch<T>[] = []
  let shared: string | null = null
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]
    if (!path.startsWith('~')) continue
    const pattern = path.slice(1)
    // Kong anchors regex paths at the start; sticky makes every alternative anchored and leaves the
    // match end in lastIndex, so a match needs no result array. Kong's syntax is translated (route-regex.ts).
    const compiled = compileRouteRegex(pattern, '^', 'y')
    if (typeof compiled === 'string') {
      issues.push({ path: `${where}.paths[${i}]`, message: `invalid regex: '${pattern}' (${compiled})` })
      continue
    }
    regexes.push(compiled)
    matches.push(routeMatch(route, value, path, true))
    const prefix = literalPrefix(compiled.source.slice(1))
    shared = shared === null ? prefix : prefix.slice(0, commonLength(shared, prefix))
  }
  if (regexes.length === 0) return
  const group = candidate(route, order, criteria, 0, regexes, matches, true, route.regex_priority)
  built.candidates.push(group)
  built.treeKeys.push({ key: shared ?? '', entry: { candidate: group, match: null, length: 0 } })
}

function parseCriteria (route: Route, where: string, issues: ConfigIssue[]): Criteria {
  const methods = nonEmpty(route.methods)
  const hostList = nonEmpty(route.hosts)
  const hosts = hostList === null ? null : hostList.map(parseHostRule)
  const headers = parseHeaders(route, where, issues)
  const sniList = nonEmpty(route.snis)
  const snis = sniList === null ? null : sniList.map(parseSniRule)
  const weight = Number(methods !== null) + Number(hosts !== null) + Number(headers !== null) + Number(snis !== null)
  return {
    methods,
    hosts,
    headers,
    snis,
    weight,
    // transform.lua get_priority: `plain_host_only = type(hosts) == "table"` and no host has a '*', so an
    // empty `hosts: []` sets the bit too (it adds no match weight: is_empty_field)
    plainHostsOnly: route.hosts !== null && route.hosts.every((h) => !h.includes('*')),
    headerCount: Math.min(headers?.length ?? 0, MAX_HEADER_COUNT),
    categoryBits: (hosts !== null ? CATEGORY_HOST : 0) | (headers !== null ? CATEGORY_HEADER : 0) |
      (methods !== null ? CATEGORY_METHOD : 0) | (snis !== null ? CATEGORY_SNI : 0),
    wildcardHostPort: hosts !== null && hosts.some((h) => h.wildcard && h.port !== -1)
  }
}

function parseHeaders (route: Route, where: string, issues: ConfigIssue[]): HeaderRule[] | null {
  if (route.headers === null) return null
  const rules: HeaderRule[] = []
  for (const [name, values] of Object.entries(route.headers)) {
    if (values.length === 0) continue
    try {
      rules.push(parseHeaderRule(name, values))
    } catch (err) {
      issues.push({ path: `${where}.headers.${name}`, message: `invalid regex: ${(err as Error).message}` })
    }
  }
  return rules.length === 0 ? null : rules
}

function candidate<T> (route: Route, order: number, criteria: Criteria, pathLength: number,
  regexes: RegExp[] | null, regexMatches: RouteMatch<T>[] | null, isRegex: boolean,
  regexPriority: number): Candidate<T> {
  return {
    rank: 0,
    route,
    order,
    methods: criteria.methods,
    hosts: criteria.hosts,
    headers: criteria.headers,
    snis: criteria.snis,
    regexes,
    regexMatches,
    weight: criteria.weight,
    plainHostsOnly: criteria.plainHostsOnly,
    headerCount: criteria.headerCount,
    isRegex,
    regexPriority,
    pathLength,
    categoryBits: criteria.categoryBits,
    wildcardHostPort: criteria.wildcardHostPort
  }
}

function routeMatch<T> (route: Route, value: T, path: string | null, isRegex: boolean): RouteMatch<T> {
  return Object.freeze({ route, value, path, isRegex })
}

function nonEmpty<V> (list: readonly V[] | null): readonly V[] | null {
  return list === null || list.length === 0 ? null : list
}

function commonLength (a: string, b: string): number {
  const max = Math.min(a.length, b.length)
  let k = 0
  while (k < max && a.charCodeAt(k) === b.charCodeAt(k)) k++
  return k
}
