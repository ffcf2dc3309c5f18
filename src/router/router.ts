// Kong's traditional_compatible route matching (kong/router/compat.lua). Built once per config:
// candidates ranked by Kong's precedence (precedence.ts); a radix tree keyed by plain paths, regex literal
// prefixes and '' for routes without paths; at each tree node the candidates indexed by host
// (host-bucket.ts). A lookup looks only at candidates whose path and
// host could match, best rank first, and stops as soon as nothing left could outrank what it found.

import type { IncomingHttpHeaders } from 'node:http'
import type { Route } from '../config/types.ts'
import { ConfigError, type ConfigIssue } from '../core/errors.ts'
import { headerRulesMatch } from './header-match.ts'
import { HostBucket, prefixKey, suffixKey } from './host-bucket.ts'
import { HostCache, hostRulesMatch, type ParsedHost } from './host-match.ts'
import type { RouterFlavor } from './flavor.ts'
import { comparePrecedence } from './precedence.ts'
import { compareTraditional } from './precedence-traditional.ts'
import { RadixTree, type RadixNode } from './radix-tree.ts'
import { sniRulesMatch } from './sni-match.ts'
import { buildRoute } from './route-candidates.ts'
import type { Candidate, PathEntry, RouteMatch, RouterEntry } from './types.ts'

export type { RouteMatch, RouterEntry } from './types.ts'

const NO_RANK = Number.MAX_SAFE_INTEGER

export class Router<T> {
  /**
   * Set by every successful find(): how many characters of its `path` the route path matched (the prefix
   * length, or where the regex match ended; 0 for a route without paths). The proxy reads it right after
   * find() to apply strip_path. Valid only until the next find().
   */
  matchedLength: number
  /** some route has snis: only then does find() need the request's server name */
  readonly matchesSni: boolean
  readonly #tree: RadixTree<HostBucket<T>>
  /** reused by every lookup for the tree nodes on the request path */
  readonly #nodes: RadixNode<HostBucket<T>>[]
  readonly #hosts: HostCache
  /** the lookup's parsed Host, fetched on first use: null until then */
  #host: ParsedHost | null
  /** the lookup's rawHeaders (header-match.ts reads them only for repeated headers); null when not given */
  #rawHeaders: readonly string[] | null
  /** the lookup's server name (sni-match.ts): null for plain http, '' for https without SNI */
  #sni: string | null
  // the lookup in progress: best rank so far, its match and matched length (fields, so scans return nothing)
  #best: number
  #found: RouteMatch<T> | null
  #length: number

  /**
   * Throws ConfigError (code CONFIG_INVALID) listing every invalid regex, or a route with nothing to match on.
   * @param hosts the cache of parsed Host headers (a test passes its own to read its accounting)
   * @param flavor Kong's router_flavor, whose precedence orders the candidates (flavor.ts)
   */
  constructor (entries: ReadonlyArray<RouterEntry<T>>, hosts: HostCache = new HostCache(),
    flavor: RouterFlavor = 'traditional_compatible') {
    this.matchedLength = 0
    this.#tree = new RadixTree()
    this.#hosts = hosts
    this.#host = null
    this.#rawHeaders = null
    this.#sni = null
    this.#best = NO_RANK
    this.#found = null
    this.#length = 0
    const candidates = this.#index(entries)
    this.matchesSni = candidates.some((candidate) => candidate.snis !== null)
    candidates.sort(flavor === 'traditional' ? compareTraditional : comparePrecedence)
    for (let i = 0; i < candidates.length; i++) candidates[i].rank = i
    this.#tree.forEachValue((bucket) => bucket.seal())
    this.#nodes = new Array(this.#tree.maxDepth()).fill(this.#tree.root)
  }

  /**
   * The best route for a request, or null (the caller answers 404).
   * @param host the raw Host header (may carry :port)
   * @param path the normalised path (normalizePath), without the query
   * @param rawHeaders the request's rawHeaders, so a repeated header matches on any of its values as in Kong;
   *   without them a string in `headers` is one value and an array one value per element
   * @param sni for an https request the server name the client sent, lower-cased ('' for none); null for
   *   plain http, where a route's snis do not apply
   */
  find (method: string, host: string | undefined, path: string, headers: IncomingHttpHeaders,
    rawHeaders: readonly string[] | null = null, sni: string | null = null): RouteMatch<T> | null {
    this.#best = NO_RANK
    this.#found = null
    this.#host = null
    this.#rawHeaders = rawHeaders
    this.#sni = sni
    const nodes = this.#nodes
    // Longest prefixes first: among otherwise equal routes they rank higher, so the cut-off tightens sooner.
    for (let k = this.#tree.collect(path, nodes) - 1; k >= 0; k--) {
      const bucket = nodes[k].value!
      if (bucket.exact.size > 0 || bucket.suffix.size > 0 || bucket.prefix.size > 0) {
        this.#scanByHost(bucket, method, host, path, headers)
      }
      this.#scan(bucket.rest, method, host, path, headers)
    }
    const found = this.#found
    this.#rawHeaders = null // keeps no request's header array alive between lookups
    if (found !== null) this.matchedLength = this.#length
    return found
  }

  #index (entries: ReadonlyArray<RouterEntry<T>>): Candidate<T>[] {
    const issues: ConfigIssue[] = []
    const candidates: Candidate<T>[] = []
    for (let i = 0; i < entries.length; i++) {
      const { route, value } = entries[i]
      if (!servesHttp(route)) continue
      const built = buildRoute(route, value, i, issues)
      candidates.push(...built.candidates)
      for (const { key, entry } of built.treeKeys) {
        const node = this.#tree.node(key)
        node.value ??= new HostBucket()
        node.value.add(entry)
      }
    }
    if (issues.length > 0) throw new ConfigError('<router>', issues)
    return candidates
  }

  #scanByHost (bucket: HostBucket<T>, method: string, host: string | undefined, path: string,
    headers: IncomingHttpHeaders): void {
    if (host === undefined) return
    const requestHost = this.#parsedHost(host)
    const exact = bucket.exact.get(requestHost.name)
    if (exact !== undefined) this.#scan(exact, method, host, path, headers)
    const name = requestHost.name
    const suffixLengths = bucket.suffixLengths
    for (let i = 0; i < suffixLengths.length; i++) {
      const key = suffixKey(name, suffixLengths[i])
      const list = key === null ? undefined : bucket.suffix.get(key)
      if (list !== undefined) this.#scan(list, method, host, path, headers)
    }
    const prefixLengths = bucket.prefixLengths
    for (let i = 0; i < prefixLengths.length; i++) {
      const key = prefixKey(name, prefixLengths[i])
      const list = key === null ? undefined : bucket.prefix.get(key)
      if (list !== undefined) this.#scan(list, method, host, path, headers)
    }
  }

  /** The first entry of a rank-ordered list that matches and outranks the best so far becomes the best. */
  #scan (list: readonly PathEntry<T>[], method: string, host: string | undefined, path: string,
    headers: IncomingHttpHeaders): void {
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]
      const candidate = entry.candidate
      if (candidate.rank >= this.#best) return
      if (!this.#criteriaMatch(candidate, method, host, headers)) continue
      if (entry.match !== null) {
        this.#take(candidate, entry.match, entry.length)
        return
      }
      // a regex group: Kong tries its regexes in configured order
      const regexes = candidate.regexes!
      for (let r = 0; r < regexes.length; r++) {
        const re = regexes[r]
        re.lastIndex = 0
        if (re.test(path)) {
          this.#take(candidate, candidate.regexMatches![r], re.lastIndex)
          return
        }
      }
    }
  }

  #take (candidate: Candidate<T>, match: RouteMatch<T>, length: number): void {
    this.#best = candidate.rank
    this.#found = match
    this.#length = length
  }

  #criteriaMatch (candidate: Candidate<T>, method: string, host: string | undefined,
    headers: IncomingHttpHeaders): boolean {
    if (candidate.methods !== null && !candidate.methods.includes(method)) return false
    if (candidate.snis !== null && !sniRulesMatch(candidate.snis, this.#sni)) return false
    if (candidate.hosts !== null) {
      const parsed = this.#parsedHost(host)
      if (!hostRulesMatch(candidate.hosts, parsed.name, parsed.port)) return false
    }
    return candidate.headers === null || headerRulesMatch(candidate.headers, headers, this.#rawHeaders)
  }

  #parsedHost (host: string | undefined): ParsedHost {
    this.#host ??= this.#hosts.get(host)
    return this.#host
  }
}

/** Routes for other protocols (grpc, tcp, ...) are never matched by the HTTP proxy. */
function servesHttp (route: Route): boolean {
  return route.protocols.includes('http') || route.protocols.includes('https')
}
