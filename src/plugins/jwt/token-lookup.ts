// Where jwt finds a token (kong/plugins/jwt/handler.lua retrieve_tokens), on attacker input: every query
// argument of uri_param_names, then every cookie of cookie_names, then every header of header_names; the
// tokens found are a set, so one token sent twice is one token and two different ones are "Multiple tokens
// provided". What Kong's PDK and nginx give the handler, and so what these return:
//   kong.request.get_query()[name]  each value of a repeated argument; "" is skipped; a valueless `?jwt` is
//                                   `true`, which Kong keeps as a token ("Unrecognizable token" when alone)
//   ngx.var["cookie_" .. name]      the first cookie of that name (nginx matches the name in any case), raw
//   kong.request.get_headers()[name]  the first value when repeated (any case; '_' retried as '-'), matched
//                                   against ngx.re `\s*[Bb]earer\s+(.+)`: not anchored, so the first
//                                   "Bearer"/"bearer" followed by whitespace and something else; a bare
//                                   token in a header is no token, in any header (Kong 3.9's handler)
// Query argument names are matched as sent: Kong matches them after percent-decoding.

import type { IncomingMessage } from 'node:http'
import { formUrlDecode } from '../url-decode.ts'

/** no token anywhere */
export const ABSENT = 0
/** more than one distinct token */
export const MULTIPLE = 1
/** only a valueless query argument: Kong's token is the boolean `true` */
export const UNRECOGNIZABLE = 2

export type Found = string | typeof ABSENT | typeof MULTIPLE | typeof UNRECOGNIZABLE

/** A header name as the lookup needs it, computed once per instance. */
export interface HeaderName {
  readonly lower: string
  /** ngx.req.get_headers' retry on a miss: '_' as '-'; null when the name has no '_' */
  readonly dashed: string | null
}

export function headerName (name: string): HeaderName {
  const lower = name.toLowerCase()
  return { lower, dashed: lower.includes('_') ? lower.replaceAll('_', '-') : null }
}

/** The running set of retrieve_tokens, without a Set: the first token, and whether another differed. */
class Tokens {
  first: string | true | null = null
  multiple = false

  add (token: string | true): void {
    if (this.first === null) this.first = token
    else if (this.first !== token) this.multiple = true
  }

  result (): Found {
    if (this.multiple) return MULTIPLE
    if (this.first === null) return ABSENT
    return this.first === true ? UNRECOGNIZABLE : this.first
  }
}

/** Every value of the query argument `name` (a query string without '?'), into `tokens`. */
export function addQueryTokens (query: string, name: string, tokens: Tokens): void {
  let start = 0
  const length = query.length
  while (start < length) {
    let end = query.indexOf('&', start)
    if (end < 0) end = length
    const after = start + name.length
    if (after <= end && query.startsWith(name, start)) {
      if (after === end) tokens.add(true)
      else if (query.charCodeAt(after) === 61 /* = */ && after + 1 < end) tokens.add(formUrlDecode(query.slice(after + 1, end)))
    }
    start = end + 1
  }
}

/**
 * The first cookie named `name` (any case) in a Cookie header, as nginx's $cookie_<name>
 * (ngx_http_parse_multi_header_lines): pairs separated by ';', spaces skipped around the name and after
 * '=', the value up to the next ';'. '' when absent.
 */
export function cookieValue (cookie: string, name: string): string {
  let start = 0
  const length = cookie.length
  while (start < length) {
    while (start < length && cookie.charCodeAt(start) === 32) start++
    let end = cookie.indexOf(';', start)
    if (end < 0) end = length
    let i = start + name.length
    if (i <= end && cookie.slice(start, i).toLowerCase() === name) {
      while (i < end && cookie.charCodeAt(i) === 32) i++
      if (i < end && cookie.charCodeAt(i) === 61 /* = */) {
        i++
        while (i < end && cookie.charCodeAt(i) === 32) i++
        return cookie.slice(i, end)
      }
    }
    start = end + 1
  }
  return ''
}

/** PCRE's \s: space, \t, \n, \v, \f, \r */
function isSpace (c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

/** The capture of ngx.re `\s*[Bb]earer\s+(.+)` in `value` (unanchored: the first match); '' when none. */
export function bearerToken (value: string): string {
  let from = 0
  for (;;) {
    const at = value.indexOf('earer', from + 1)
    if (at < 0) return ''
    from = at
    const b = value.charCodeAt(at - 1)
    if (b !== 66 && b !== 98) continue
    let i = at + 5
    while (i < value.length && isSpace(value.charCodeAt(i))) i++
    const spaces = i - (at + 5)
    if (spaces === 0) continue
    // `.` stops at \n, which Node never lets into a header value: the capture runs to the end
    if (i < value.length) return value.slice(i)
    // nothing after the whitespace: \s+ gives its last character back to (.+)
    if (spaces >= 2) return value.slice(i - 1, i)
  }
}

/** The first value of header `name` sent (Node joins repeats of most headers with ', '). */
function firstHeader (req: IncomingMessage, name: HeaderName): string | undefined {
  let lower = name.lower
  let value = req.headers[lower]
  if (value === undefined && name.dashed !== null) {
    lower = name.dashed
    value = req.headers[lower]
  }
  if (value === undefined) return undefined
  if (typeof value !== 'string') return value[0]
  if (!value.includes(', ')) return value
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === lower.length && raw[i].toLowerCase() === lower) return raw[i + 1]
  }
  return value
}

export interface Locations {
  readonly uriParamNames: readonly string[]
  /** lower-cased */
  readonly cookieNames: readonly string[]
  readonly headerNames: readonly HeaderName[]
}

/** retrieve_tokens: the one token the request carries, or why there is none. */
export function findToken (req: IncomingMessage, query: string, where: Locations): Found {
  const tokens = new Tokens()
  if (query !== '') {
    for (let i = 0; i < where.uriParamNames.length; i++) addQueryTokens(query, where.uriParamNames[i], tokens)
  }
  const cookie = req.headers.cookie
  if (cookie !== undefined) {
    for (let i = 0; i < where.cookieNames.length; i++) {
      const value = cookieValue(cookie, where.cookieNames[i])
      if (value !== '') tokens.add(value)
    }
  }
  for (let i = 0; i < where.headerNames.length; i++) {
    const value = firstHeader(req, where.headerNames[i])
    if (value === undefined) continue
    const token = bearerToken(value)
    if (token !== '') tokens.add(token)
  }
  return tokens.result()
}

export { Tokens }
