// The candidates under one radix tree node, indexed by host so a lookup checks only those whose host can
// match: exact names by name, `*.x` wildcards by their `.x` suffix, `x.*` wildcards by their `x.` prefix.
// Candidates without hosts (or with a wildcard that is not a whole label) are in `rest`. Every list is in
// rank order, so a scan stops at the first candidate that could not beat what was already found.
// A request name is looked up by the lengths of the configured wildcard keys (at most one lookup per
// distinct length), not by splitting the name at each dot: the cost of a lookup does not grow with the
// number of labels an attacker puts in a Host header.

import { HOST_EXACT, HOST_SUFFIX } from './host-match.ts'
import type { PathEntry } from './types.ts'

export class HostBucket<T> {
  readonly exact: Map<string, PathEntry<T>[]>
  readonly suffix: Map<string, PathEntry<T>[]>
  readonly prefix: Map<string, PathEntry<T>[]>
  readonly rest: PathEntry<T>[]
  /** the distinct lengths of the `suffix` keys, longest first (set by seal) */
  suffixLengths: readonly number[]
  /** the distinct lengths of the `prefix` keys, longest first (set by seal) */
  prefixLengths: readonly number[]

  constructor () {
    this.exact = new Map()
    this.suffix = new Map()
    this.prefix = new Map()
    this.rest = []
    this.suffixLengths = []
    this.prefixLengths = []
  }

  add (entry: PathEntry<T>): void {
    const hosts = entry.candidate.hosts
    if (hosts === null || hosts.some((h) => !indexable(h.kind, h.text))) {
      this.rest.push(entry)
      return
    }
    const seen = new Set<string>()
    for (const host of hosts) {
      const map = host.kind === HOST_EXACT ? this.exact : host.kind === HOST_SUFFIX ? this.suffix : this.prefix
      const key = `${host.kind}:${host.text}`
      if (seen.has(key)) continue
      seen.add(key)
      const list = map.get(host.text)
      if (list === undefined) map.set(host.text, [entry])
      else list.push(entry)
    }
  }

  /** Puts every list in rank order; called once all candidates are ranked. */
  seal (): void {
    for (const map of [this.exact, this.suffix, this.prefix]) {
      for (const list of map.values()) list.sort(byRank)
    }
    this.rest.sort(byRank)
    this.suffixLengths = keyLengths(this.suffix)
    this.prefixLengths = keyLengths(this.prefix)
  }
}

function keyLengths (map: Map<string, unknown>): number[] {
  return [...new Set([...map.keys()].map((key) => key.length))].sort((a, b) => b - a)
}

/**
 * The key of a `*.x` wildcard that `name` ends with and that is `length` long (it starts with a dot), or
 * null. The key a name matches is `name.slice(dot)` for one of its dots: checking the configured lengths
 * only needs one character compare each.
 */
export function suffixKey (name: string, length: number): string | null {
  const start = name.length - length
  if (start < 0 || name.charCodeAt(start) !== 46 /* . */) return null
  return start === 0 ? name : name.slice(start)
}

/** The key of an `x.*` wildcard that `name` starts with and that is `length` long (it ends with a dot), or null. */
export function prefixKey (name: string, length: number): string | null {
  if (length > name.length || name.charCodeAt(length - 1) !== 46 /* . */) return null
  return length === name.length ? name : name.slice(0, length)
}

/** A wildcard is looked up by the request name's label suffixes/prefixes, so it must be a whole label. */
function indexable (kind: number, text: string): boolean {
  if (kind === HOST_EXACT) return true
  return kind === HOST_SUFFIX ? text.startsWith('.') : text.endsWith('.')
}

function byRank<T> (a: PathEntry<T>, b: PathEntry<T>): number {
  return a.candidate.rank - b.candidate.rank
}
