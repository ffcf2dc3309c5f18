// Route `headers` as Kong 3.x traditional_compatible matches them (kong/router/transform.lua get_expression):
// every named header must be present with one of the listed values (AND across names, OR across values),
// as `any(lower(http.headers.<name>)) == lower(value)`, or `~ lower(pattern)` for a `~*pattern` value: a
// regex searched anywhere in the lower-cased header value, its pattern lower-cased too (so `~*\D` searches
// for `\d`, as in Kong). Values compare ASCII-case-insensitively.
// Names: Kong looks a header up as lower(name) with '-' as '_' (replace_dashes_lower), in the table of
// ngx.req.get_headers(), whose lookup falls back from that key to the same with '_' as '-' (nginx runs with
// underscores_in_headers on, kong/templates/nginx_kong.lua). So `x-foo` and `x_foo` both match a request
// header `X-Foo`, and a request header `x_foo` first.
// Repeated headers: `any(...)` tries every value a header has (kong/router/fields.lua visit_for_context adds
// each value of a repeated header), and a single line "a, b" is one value, never split. Node's req.headers
// joins repeats of most names with ', ', keeps only the first of a few (lib/_http_incoming.js
// matchKnownFields) and joins cookies with '; ', so when a joined value could hide several lines the
// request's rawHeaders give each line's value. A string without a comma for a joined name is one line: the
// common case costs nothing more than one property read.

import type { IncomingHttpHeaders } from 'node:http'
import { compileRouteRegex } from './route-regex.ts'

export interface HeaderRule {
  /** the name as Kong looks it up: lower-cased, '-' as '_' */
  readonly key: string
  /** the key with '_' as '-': the request header used when none is named `key` */
  readonly dashed: string
  /** lower-cased plain values */
  readonly values: readonly string[]
  /** compiled `~*` values (lower-cased patterns, tested against lower-cased values) */
  readonly patterns: readonly RegExp[]
}

/** Names whose repeats Node does not join with ', ' in req.headers (lib/_http_incoming.js matchKnownFields). */
const NOT_COMMA_JOINED: ReadonlySet<string> = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires', 'cookie', 'set-cookie'
])

/**
 * A `~*` header value compiled as Kong does: the pattern lower-cased (Lua's string.lower, ASCII), Kong's
 * regex syntax translated (route-regex.ts), no flags. Returns the reason when Kong would refuse it.
 */
export function headerRegex (value: string): RegExp | string {
  return compileRouteRegex(asciiLower(value.slice(2)), '', '')
}

/** Builds the rule for one header name; throws an Error naming the reason for an invalid `~*` value. */
export function parseHeaderRule (name: string, values: readonly string[]): HeaderRule {
  const plain: string[] = []
  const patterns: RegExp[] = []
  for (const value of values) {
    if (!value.startsWith('~*')) {
      plain.push(asciiLower(value))
      continue
    }
    const compiled = headerRegex(value)
    if (typeof compiled === 'string') throw new Error(`'${value.slice(2)}' (${compiled})`)
    patterns.push(compiled)
  }
  const key = asciiLower(name).replaceAll('-', '_')
  return { key, dashed: key.replaceAll('_', '-'), values: plain, patterns }
}

/**
 * @param rawHeaders the request's rawHeaders (name, value, name, value, ...), read only when a joined value
 *   could hide repeated lines; null when the caller has none: then `headers` is taken as it is, a string
 *   being one value and an array one value per element.
 */
export function headerRulesMatch (rules: readonly HeaderRule[], headers: IncomingHttpHeaders,
  rawHeaders: readonly string[] | null = null): boolean {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]
    let name = rule.key
    let value = headers[name]
    if (value === undefined && rule.dashed !== name) {
      name = rule.dashed
      value = headers[name]
    }
    if (value === undefined || !presentValueMatches(rule, name, value, rawHeaders)) return false
  }
  return true
}

function presentValueMatches (rule: HeaderRule, name: string, value: string | string[],
  rawHeaders: readonly string[] | null): boolean {
  if (typeof value === 'string') {
    if (rawHeaders === null || (value.indexOf(',') === -1 && !NOT_COMMA_JOINED.has(name))) return valueMatches(rule, value)
    return rawValuesMatch(rule, name, rawHeaders)
  }
  if (!Array.isArray(value)) return false
  for (let i = 0; i < value.length; i++) {
    if (valueMatches(rule, value[i])) return true
  }
  return false
}

/** Any line of the request named `name` (any case) whose value matches. */
function rawValuesMatch (rule: HeaderRule, name: string, rawHeaders: readonly string[]): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (equalsLower(rawHeaders[i], name) && valueMatches(rule, rawHeaders[i + 1])) return true
  }
  return false
}

function valueMatches (rule: HeaderRule, value: string): boolean {
  const values = rule.values
  for (let i = 0; i < values.length; i++) {
    if (equalsLower(value, values[i])) return true
  }
  const patterns = rule.patterns
  if (patterns.length === 0) return false
  const lower = asciiLower(value)
  for (let i = 0; i < patterns.length; i++) {
    if (patterns[i].test(lower)) return true
  }
  return false
}

/** s equals `lower` when A-Z in s is lower-cased; compares in place, without allocating. */
function equalsLower (s: string, lower: string): boolean {
  if (s.length !== lower.length) return false
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Lower-cases A-Z only, as Kong (Lua's string.lower); returns the same string when nothing changes. */
export function asciiLower (s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
  }
  return s
}
