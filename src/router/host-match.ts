// Route `hosts` as Kong's traditional_compatible router reads them (kong/router/compat.lua): exact names,
// a leading `*` (the name must end with the rest, e.g. `.example.com`), a trailing `*` (the name must start
// with the rest, e.g. `example.`), each optionally with `:port`. A host without a port matches any port;
// one with a port needs the Host header to carry that port.
// Names compare case-sensitively, as Kong 3.x does: "the hosts value is case sensitive" (the Route object
// reference), kong/router/transform.lua get_expression emits `http.host == r#"<host as configured>"#` (`=^` /
// `^=` for wildcards) and kong/router/atc.lua fills http.host from the raw Host header (get_header("host")),
// lower-casing neither side. A route for `Example.com` matches `Host: Example.com` only.

export const HOST_EXACT = 0
export const HOST_SUFFIX = 1
export const HOST_PREFIX = 2

export interface HostRule {
  readonly kind: typeof HOST_EXACT | typeof HOST_SUFFIX | typeof HOST_PREFIX
  /** the name as configured, without the `*` of a wildcard */
  readonly text: string
  /** -1: any port */
  readonly port: number
  readonly wildcard: boolean
}

export function parseHostRule (host: string): HostRule {
  const { name, port } = splitPort(host)
  if (name.startsWith('*')) return { kind: HOST_SUFFIX, text: name.slice(1), port, wildcard: true }
  if (name.endsWith('*')) return { kind: HOST_PREFIX, text: name.slice(0, -1), port, wildcard: true }
  return { kind: HOST_EXACT, text: name, port, wildcard: false }
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

/**
 * The longest name a Host header can carry and still match a route: a DNS name is at most 253 characters
 * (RFC 1035 §2.3.4, RFC 1123 §2.1) and the route schema holds every configured host to that (isHostname in
 * src/config/schema/typedefs.ts). A longer name can only end or start with a wildcard's text, and is not a
 * host name at all: it matches no `hosts` rule (routes without `hosts` still match the request). Kong,
 * behind nginx, would still compare such a name with its wildcards; no real client sends one, and refusing
 * it before any parsing is what keeps an attacker's 64 KiB Host header cheap.
 */
export const MAX_HOST_NAME_LENGTH = 253
/** The longest raw Host header worth parsing: such a name, ':' and a 5-digit port. */
export const MAX_HOST_HEADER_LENGTH = MAX_HOST_NAME_LENGTH + 6

/**
 * A request Host header, split once: the name (case kept) without the port, and the port. Nothing else:
 * the router finds the wildcard keys a name can match by the lengths of the configured keys
 * (host-bucket.ts), so a parsed host holds no per-label strings, whatever its number of dots.
 */
export class ParsedHost {
  /** as sent, without the port; '' when the request has no usable Host (matches no host rule) */
  readonly name: string
  /** -1 when the Host header has no port */
  readonly port: number

  constructor (name: string, port: number) {
    this.name = name
    this.port = port
  }
}

/** No Host header, or one that cannot name a configured host: matches no `hosts` rule. */
export const NO_HOST = new ParsedHost('', -1)

/** At most this many entries... */
export const HOST_CACHE_ENTRIES = 512
/** ...and at most this many bytes, counted by hostCacheEntryBytes. */
export const HOST_CACHE_BYTES = 256 * 1024
// a Map entry, the ParsedHost and two string headers, rounded up
const ENTRY_OVERHEAD_BYTES = 128

/**
 * What one cache entry holds, counted as two-byte strings (the worst case): the raw key, the name when it
 * is a string of its own, and a fixed overhead.
 */
export function hostCacheEntryBytes (raw: string, parsed: ParsedHost): number {
  return ENTRY_OVERHEAD_BYTES + 2 * raw.length + (parsed.name === raw ? 0 : 2 * parsed.name.length)
}

/**
 * Parsed Host headers by their raw text, so requests to hosts already seen allocate nothing here. The
 * keys are attacker-chosen, so the cache is bounded by entries and by bytes, and starts over when either
 * would be exceeded (a flood of distinct Host headers costs a parse each, never memory). A header longer
 * than MAX_HOST_HEADER_LENGTH is neither parsed nor cached: it is NO_HOST.
 */
export class HostCache {
  #map: Map<string, ParsedHost>
  #bytes: number

  constructor () {
    this.#map = new Map()
    this.#bytes = 0
  }

  /** bytes held, as hostCacheEntryBytes counts them; never over HOST_CACHE_BYTES */
  get bytes (): number {
    return this.#bytes
  }

  get size (): number {
    return this.#map.size
  }

  get (raw: string | undefined): ParsedHost {
    // the length first: hashing a huge key for the lookup would already cost a pass over it
    if (raw === undefined || raw.length > MAX_HOST_HEADER_LENGTH) return NO_HOST
    let parsed = this.#map.get(raw)
    if (parsed === undefined) {
      parsed = parseHost(raw)
      const bytes = hostCacheEntryBytes(raw, parsed)
      if (this.#map.size >= HOST_CACHE_ENTRIES || this.#bytes + bytes > HOST_CACHE_BYTES) {
        this.#map.clear()
        this.#bytes = 0
      }
      this.#map.set(raw, parsed)
      this.#bytes += bytes
    }
    return parsed
  }
}

/** A raw Host header as the router reads it: one pass for the port, no per-label work, case kept. */
export function parseHost (raw: string): ParsedHost {
  if (raw.length > MAX_HOST_HEADER_LENGTH) return NO_HOST
  const { name, port } = splitPort(raw)
  if (name.length > MAX_HOST_NAME_LENGTH) return NO_HOST
  return new ParsedHost(name, port)
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
