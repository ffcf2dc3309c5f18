// Where key-auth finds a key (kong/plugins/key-auth/handler.lua do_authentication) and how it removes it
// (hide_credentials), on attacker input: a query string or form body scanned in place, without splitting
// it (only the found value is decoded), a header read from Node's parsed headers.
// What Kong's PDK gives the handler, and so what these return:
//   kong.request.get_query()[name]    a string; `?name` alone is `true` (no key, the next name is tried);
//                                      a repeated argument is a table: "Duplicate API key found"
//   kong.request.get_headers()[name]  case-insensitive; a miss retries with '_' as '-'; repeated: a table
// Query argument names are matched as sent: Kong matches them after percent-decoding, so `api%6Bey` is
// `apikey` to Kong and not to Tollgate.

import type { IncomingMessage } from 'node:http'
import { formUrlDecode } from '../url-decode.ts'

/** nothing under that name */
export const ABSENT = 0
/** repeated: Kong sees a table */
export const DUPLICATE = 1
/** present but not a string (a valueless query argument, a JSON number ...): Kong tries the next name */
export const NOT_A_STRING = 2

export type Lookup = string | typeof ABSENT | typeof DUPLICATE | typeof NOT_A_STRING

/** The value of `name` in a query string or x-www-form-urlencoded body (no leading '?'). */
export function argValue (query: string, name: string): Lookup {
  let found: Lookup = ABSENT
  let start = 0
  const length = query.length
  while (start <= length) {
    let end = query.indexOf('&', start)
    if (end < 0) end = length
    const after = start + name.length
    if (after <= end && query.startsWith(name, start) && (after === end || query.charCodeAt(after) === 61 /* = */)) {
      if (found !== ABSENT) return DUPLICATE
      found = after === end ? NOT_A_STRING : formUrlDecode(query.slice(after + 1, end))
    }
    start = end + 1
  }
  return found
}

/** The query string or form body without any `name` argument (kong.service.request.clear_query_arg). */
export function withoutArg (query: string, name: string): string {
  let out = ''
  for (const pair of query.split('&')) {
    const matches = pair.startsWith(name) && (pair.length === name.length || pair.charCodeAt(name.length) === 61)
    if (matches || pair === '') continue
    out = out === '' ? pair : `${out}&${pair}`
  }
  return out
}

/** How many raw headers are named `lower` (any case): Node joins repeats with ', ', which a key may hold. */
function headerCount (req: IncomingMessage, lower: string): number {
  const raw = req.rawHeaders
  let count = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length === lower.length && name.toLowerCase() === lower) count++
  }
  return count
}

/** The header `lower` (a lower-cased key name), or `dashed` (its '_' as '-', or null) when absent. */
export function headerValue (req: IncomingMessage, lower: string, dashed: string | null): Lookup {
  let name = lower
  let value = req.headers[lower]
  if (value === undefined && dashed !== null) {
    name = dashed
    value = req.headers[dashed]
  }
  if (value === undefined) return ABSENT
  // set-cookie-like headers are arrays; any other repeated header is joined
  if (typeof value !== 'string') return DUPLICATE
  if (value.includes(', ') && headerCount(req, name) > 1) return DUPLICATE
  return value
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType (contentType: string | undefined): string {
  if (contentType === undefined) return ''
  const semi = contentType.indexOf(';')
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
}

export const FORM = 'application/x-www-form-urlencoded'
export const JSON_TYPE = 'application/json'

/**
 * A JSON body's member `name` as Kong's handler sees it: a string is a key, an array or object a table
 * (duplicate), anything else not a string. `parsed` is the body JSON.parse gave (an object), or null.
 */
export function jsonValue (parsed: Record<string, unknown> | null, name: string): Lookup {
  if (parsed === null || !Object.hasOwn(parsed, name)) return ABSENT
  const value = parsed[name]
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null) return DUPLICATE
  return value === null ? ABSENT : NOT_A_STRING
}

/** JSON.parse of a body (the config asked for key_in_body); null unless it is an object, as Kong's get_body. */
export function parseJsonBody (text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}
