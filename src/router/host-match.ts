// Route `hosts` as Kong's traditional_compatible router reads them (kong/router/compat.lua): exact names,
// a leading `*` (the name must end with the rest, e.g. `.example.com`), a trailing `*` (the name must start
// with the rest, e.g. `example.`), each optionally with `:port`. A host without a port matches any port;
// one with a port needs the Host header to carry that port. Names compare case-insensitively.

export const HOST_EXACT = 0
export const HOST_SUFFIX = 1
export const HOST_PREFIX = 2

export interface HostRule {
  readonly kind: typeof HOST_EXACT | typeof HOST_SUFFIX | typeof HOST_PREFIX
  /** lower-cased name, without the `*` of a wildcard */
  readonly text: string
  /** -1: any port */
  readonly port: number
  readonly wildcard: boolean
}

export function parseHostRule (host: string): HostRule {
  const { name, port } = splitPort(host)
  const lower = asciiLower(name)
  if (lower.startsWith('*')) return { kind: HOST_SUFFIX, text: lower.slice(1), port, wildcard: true }
  if (lower.endsWith('*')) return { kind: HOST_PREFIX, text: lower.slice(0, -1), port, wildcard: true }
  return { kind: HOST_EXACT, text: lower, port, wildcard: false }
}

export function hostRulesMatch (rules: readonly HostRule[], name: string, port: number): boolean {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]
    if ((rule.port === -1 || rule.port === port) && nameMatches(rule, name)) return true
  }
  return false
}

function nameMatches (rule: HostRule, name: string): boolean {
  if (rule.kind === HOST_EXACT) return name === rule.text
  return rule.kind === HOST_SUFFIX ? name.endsWith(rule.text) : name.startsWith(rule.text)
}

/** A request Host header, split once: lower-cased name without the port, the port, and the label keys. */
export class ParsedHost {
  /** lower-cased, without the port; '' when the request has no Host */
  readonly name: string
  /** -1 when the Host header has no port */
  readonly port: number
  #suffixes: string[] | null
  #prefixes: string[] | null

  constructor (name: string, port: number) {
    this.name = name
    this.port = port
    this.#suffixes = null
    this.#prefixes = null
  }

  /** `.b.c` and `.c` for `a.b.c`: the keys of `*.` wildcards that can match this name */
  suffixes (): readonly string[] {
    if (this.#suffixes === null) this.#splitLabels()
    return this.#suffixes!
  }

  /** `a.` and `a.b.` for `a.b.c`: the keys of `.*` wildcards that can match this name */
  prefixes (): readonly string[] {
    if (this.#prefixes === null) this.#splitLabels()
    return this.#prefixes!
  }

  #splitLabels (): void {
    const name = this.name
    const suffixes: string[] = []
    const prefixes: string[] = []
    for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
      suffixes.push(name.slice(dot))
      prefixes.push(name.slice(0, dot + 1))
    }
    this.#suffixes = suffixes
    this.#prefixes = prefixes
  }
}

const NO_HOST = new ParsedHost('', -1)
const HOST_CACHE_SIZE = 512

/**
 * Parsed Host headers by their raw text, so requests to hosts already seen allocate nothing here.
 * Bounded: past HOST_CACHE_SIZE distinct values it starts over (a flood of random Host headers costs
 * a parse each, never memory).
 */
export class HostCache {
  #map: Map<string, ParsedHost>

  constructor () {
    this.#map = new Map()
  }

  get (raw: string | undefined): ParsedHost {
    if (raw === undefined) return NO_HOST
    let parsed = this.#map.get(raw)
    if (parsed === undefined) {
      const { name, port } = splitPort(raw)
      parsed = new ParsedHost(asciiLower(name), port)
      if (this.#map.size >= HOST_CACHE_SIZE) this.#map.clear()
      this.#map.set(raw, parsed)
    }
    return parsed
  }
}

/** `host:port` → name and port; `[v6]:port` keeps the brackets in the name; no or a bad port → -1. */
export function splitPort (host: string): { name: string, port: number } {
  const colon = host.charCodeAt(0) === 91 /* [ */
    ? (host.indexOf(']:') === -1 ? -1 : host.indexOf(']:') + 1)
    : host.indexOf(':')
  if (colon === -1) return { name: host, port: -1 }
  const digits = host.slice(colon + 1)
  if (!/^\d{1,5}$/.test(digits)) return { name: host, port: -1 }
  return { name: host.slice(0, colon), port: Number(digits) }
}

/** Lower-cases A-Z only, as Kong (Lua's string.lower); returns the same string when nothing changes. */
export function asciiLower (s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
  }
  return s
}
