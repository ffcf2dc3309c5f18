// Which Access-Control-Allow-Origin a cors instance answers with, after Kong's handler.lua
// (kong/plugins/cors/handler.lua configure_origin and normalize_origin). Everything that depends only on
// `config.origins` is decided once, in compileOrigins, at config load:
//   no origins, or exactly ["*"]       ALLOW_ALL  "*" always, no Vary
//   one plain origin (A-Z a-z 0-9 . : / -)  FIXED  that string, whatever the request's Origin
//   "*" among several                  STAR       "*" when the request has an Origin (Kong's loop returns
//                                                  at "*" before comparing anything)
//   otherwise                          LIST       the request's Origin, normalised, when it equals a plain
//                                                  entry (normalised) or a regex entry matches it
// Entries with any other character are regexes, anchored at both ends as Kong anchors them. Only a LIST
// with regex entries runs a regex per request (RegExp#test on the Origin header); the other modes compare
// strings.

export const ALLOW_ALL = 0
export const FIXED = 1
export const STAR = 2
export const LIST = 3
export type OriginMode = typeof ALLOW_ALL | typeof FIXED | typeof STAR | typeof LIST

/** A regex entry: compiled once; by host when the entry has no ':' (Kong's `by_host`). */
export interface OriginRegex {
  readonly regex: RegExp
  readonly byHost: boolean
}

export interface OriginPolicy {
  readonly mode: OriginMode
  /** FIXED: the configured origin, as written */
  readonly fixed: string | null
  /** LIST: the plain entries, normalised */
  readonly exact: ReadonlySet<string> | null
  /** LIST: the regex entries, in config order; null when there are none */
  readonly regexes: readonly OriginRegex[] | null
}

/** An origin as Kong's normalize_origin returns it: `domain` (scheme://host[:port]) and `host`. */
export interface NormalizedOrigin {
  readonly domain: string
  readonly host: string
}

function isPlainChar (code: number): boolean {
  // Kong's [A-Za-z0-9.:/-]
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 58) ||
    code === 46 || code === 47 || code === 45
}

/** Kong: an origin made only of [A-Za-z0-9.:/-] is a plain origin; anything else is a regex. */
export function isPlainOrigin (entry: string): boolean {
  if (entry.length === 0) return false
  for (let i = 0; i < entry.length; i++) if (!isPlainChar(entry.charCodeAt(i))) return false
  return true
}

function isAlnum (code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57)
}

/**
 * The end of the scheme of LuaSocket's url.parse (`^([%w][%w%+%-%.]*)%:`, after the fragment is cut at
 * the first '#'): the index of its ':', or -1 when there is no scheme.
 */
function schemeEnd (url: string, end: number): number {
  if (end === 0 || !isAlnum(url.charCodeAt(0))) return -1
  for (let i = 1; i < end; i++) {
    const code = url.charCodeAt(i)
    if (code === 58) return i
    // + - .
    if (!isAlnum(code) && code !== 43 && code !== 45 && code !== 46) return -1
  }
  return -1
}

/** LuaSocket's port (`:([^:%]]*)$` on the authority): the last ':' when no ']' follows it, else -1. */
function portColon (url: string, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) {
    const code = url.charCodeAt(i)
    if (code === 58) return i
    if (code === 93) return -1
  }
  return -1
}

/**
 * Kong's normalize_origin on LuaSocket 3.0-rc1's url.parse (src/url.lua _M.parse, the parts it uses):
 * fragment cut at the first '#'; the scheme; the authority after '//' up to the next '/'; in it the
 * userinfo up to the first '@', the port after the last ':' unless a ']' follows it, and the host, its
 * brackets removed (IPv6). Without a host the origin is its own domain and host. Port 80 for "http" and
 * 443 for "https" (case-sensitive, as Lua compares) are dropped. Plain string scans: this runs per request.
 */
export function normalizeOrigin (origin: string): NormalizedOrigin {
  const hash = origin.indexOf('#')
  const end = hash < 0 ? origin.length : hash
  const colon = schemeEnd(origin, end)
  const scheme = colon < 0 ? null : origin.slice(0, colon)
  const rest = colon + 1
  if (end - rest < 2 || origin.charCodeAt(rest) !== 47 || origin.charCodeAt(rest + 1) !== 47) {
    return { domain: origin, host: origin }
  }
  let authorityEnd = origin.indexOf('/', rest + 2)
  if (authorityEnd < 0 || authorityEnd > end) authorityEnd = end
  const at = origin.indexOf('@', rest + 2)
  const hostStart = at >= 0 && at < authorityEnd ? at + 1 : rest + 2
  let hostEnd = authorityEnd
  let port: string | null = null
  const lastColon = portColon(origin, hostStart, authorityEnd)
  if (lastColon >= 0) {
    port = origin.slice(lastColon + 1, authorityEnd)
    hostEnd = lastColon
  }
  if (hostEnd === hostStart) return { domain: origin, host: origin }
  let host = origin.slice(hostStart, hostEnd)
  // "^%[(.+)%]$": brackets around at least one character
  if (host.length > 2 && host.charCodeAt(0) === 91 && host.charCodeAt(host.length - 1) === 93) host = host.slice(1, -1)
  if ((port === '80' && scheme === 'http') || (port === '443' && scheme === 'https')) port = null
  const domain = (scheme === null ? '' : scheme + '://') + host + (port === null ? '' : ':' + port)
  return { domain, host }
}

/**
 * Kong's anchoring (configure_origin): '$' appended unless the entry ends with one, a leading '^' removed,
 * then matched anchored at the start (ngx.re.find's "a" flag), here `^(?:...)`.
 */
export function anchoredRegex (entry: string): RegExp {
  let source = entry.endsWith('$') ? entry : entry + '$'
  if (source.startsWith('^')) source = source.slice(1)
  return new RegExp('^(?:' + source + ')')
}

export function compileOrigins (origins: readonly string[] | null): OriginPolicy {
  if (origins === null || origins.length === 0 || (origins.length === 1 && origins[0] === '*')) {
    return { mode: ALLOW_ALL, fixed: null, exact: null, regexes: null }
  }
  if (origins.length === 1 && isPlainOrigin(origins[0])) {
    return { mode: FIXED, fixed: origins[0], exact: null, regexes: null }
  }
  if (origins.includes('*')) return { mode: STAR, fixed: null, exact: null, regexes: null }
  const exact = new Set<string>()
  const regexes: OriginRegex[] = []
  for (const entry of origins) {
    if (isPlainOrigin(entry)) exact.add(normalizeOrigin(entry).domain)
    else regexes.push({ regex: anchoredRegex(entry), byHost: !entry.includes(':') })
  }
  return { mode: LIST, fixed: null, exact, regexes: regexes.length === 0 ? null : regexes }
}

/**
 * The Access-Control-Allow-Origin value for a request's Origin (null: none was sent, or it was empty), or
 * null when the header is to be absent (Kong clears it, an upstream's included).
 */
export function allowedOrigin (policy: OriginPolicy, origin: string | null): string | null {
  switch (policy.mode) {
    case ALLOW_ALL: return '*'
    case FIXED: return policy.fixed
    case STAR: return origin === null ? null : '*'
  }
  if (origin === null) return null
  const normalized = normalizeOrigin(origin)
  if (policy.exact!.has(normalized.domain)) return normalized.domain
  const regexes = policy.regexes
  if (regexes === null) return null
  for (let i = 0; i < regexes.length; i++) {
    // a regex per request, only because the config has regex origins
    if (regexes[i].regex.test(regexes[i].byHost ? normalized.host : normalized.domain)) return normalized.domain
  }
  return null
}

/** Kong's `allow_all` (configure_origin's return value): credentials then echo the Origin instead. */
export function allowsAll (policy: OriginPolicy, origin: string | null): boolean {
  return policy.mode === ALLOW_ALL || (policy.mode === STAR && origin !== null)
}
