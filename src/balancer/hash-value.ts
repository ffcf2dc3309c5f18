// The value a consistent-hashing upstream hashes for a request: Kong's get_value_to_hash
// (kong/runloop/balancer/init.lua). hash_on is tried first, then hash_fallback; the first one that finds a
// value wins (an empty string counts: it is a value in Lua). Compiled once per upstream (compileHashSpec),
// read per request (hashValue) from what the proxy knows about the request (HashInput).
//
//   consumer     the authenticated consumer's id, else the credential's id
//   ip           the client address (nginx's $remote_addr: the peer, or the real IP when trusted)
//   header       the header's value; repeated headers as node joins them (", "; "; " for Cookie), which is
//                how nginx 1.23+ combines them for $http_<name>
//   cookie       the cookie's value; when absent, a new uuid, which the response must set (setCookie)
//   path         the normalised request path (nginx's $uri)
//   query_arg    the argument's value(s) (query-arg.ts)
//   uri_capture  a named or numbered capture of the route's regex path

import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { cookieValue } from './cookie-value.ts'
import { queryArgValue } from './query-arg.ts'

export type HashOn = 'none' | 'consumer' | 'ip' | 'header' | 'cookie' | 'path' | 'query_arg' | 'uri_capture'

/** The upstream fields hashing reads, as Kong names them (kong/db/schema/entities/upstreams.lua). */
export interface UpstreamHashFields {
  readonly hash_on?: HashOn | null
  readonly hash_fallback?: HashOn | null
  readonly hash_on_header?: string | null
  readonly hash_fallback_header?: string | null
  readonly hash_on_cookie?: string | null
  readonly hash_on_cookie_path?: string | null
  readonly hash_on_query_arg?: string | null
  readonly hash_fallback_query_arg?: string | null
  readonly hash_on_uri_capture?: string | null
  readonly hash_fallback_uri_capture?: string | null
}

/** One place to read a value from. */
export interface HashSource {
  readonly kind: Exclude<HashOn, 'none'>
  /** header: its lower-cased name; cookie: the cookie name (lower-cased: nginx compares names case-insensitively); query_arg: the argument; uri_capture: the group; else null */
  readonly name: string | null
}

export interface HashSpec {
  /** hash_on then hash_fallback, without 'none' (empty: nothing is hashed) */
  readonly sources: readonly HashSource[]
  /** Set-Cookie prefix and suffix for a new cookie: `${name}=` and `; Path=${path}; Same-Site=Lax; HttpOnly` */
  readonly cookiePrefix: string
  readonly cookieSuffix: string
}

/** What hashValue reads about a request; the proxy fills one per request. */
export interface HashInput {
  consumerId: string | null
  credentialId: string | null
  clientIp: string
  headers: IncomingHttpHeaders
  /** the normalised path, without the query */
  path: string
  /** the query string without '?', null when the request has none */
  query: string | null
  /** the route's regex captures by name and by number ("1", "2", ...), null when the route matched no regex */
  uriCaptures: Readonly<Record<string, string | undefined>> | null
  /** written by hashValue: the Set-Cookie header value to add to the response (a new hash cookie), else null */
  setCookie: string | null
}

function source (kind: HashOn | null | undefined, name: string | null | undefined): HashSource | null {
  if (kind === null || kind === undefined || kind === 'none') return null
  return { kind, name: name ?? null }
}

function nameFor (kind: HashOn | null | undefined, fields: UpstreamHashFields, primary: boolean): string | null {
  switch (kind) {
    case 'header': return (primary ? fields.hash_on_header : fields.hash_fallback_header)?.toLowerCase() ?? null
    case 'cookie': return fields.hash_on_cookie?.toLowerCase() ?? null // the fallback uses hash_on_cookie too
    case 'query_arg': return (primary ? fields.hash_on_query_arg : fields.hash_fallback_query_arg) ?? null
    case 'uri_capture': return (primary ? fields.hash_on_uri_capture : fields.hash_fallback_uri_capture) ?? null
    default: return null
  }
}

/** Done once per upstream at config load. The schema guarantees the names each kind needs. */
export function compileHashSpec (fields: UpstreamHashFields): HashSpec {
  const primary = source(fields.hash_on, nameFor(fields.hash_on, fields, true))
  // Kong: hash_fallback is only read when hash_on is not none
  const fallback = primary === null ? null : source(fields.hash_fallback, nameFor(fields.hash_fallback, fields, false))
  return {
    sources: [primary, fallback].filter((s): s is HashSource => s !== null),
    cookiePrefix: `${fields.hash_on_cookie ?? ''}=`,
    cookieSuffix: `; Path=${fields.hash_on_cookie_path ?? '/'}; Same-Site=Lax; HttpOnly`
  }
}

/** The value to hash, or null when no source has one (the balancer then hashes "", as Kong). */
export function hashValue (spec: HashSpec, input: HashInput): string | null {
  input.setCookie = null
  const sources = spec.sources
  for (let i = 0; i < sources.length; i++) {
    const value = valueFrom(sources[i], spec, input)
    if (value !== null) return value
  }
  return null
}

function valueFrom (source: HashSource, spec: HashSpec, input: HashInput): string | null {
  switch (source.kind) {
    case 'consumer': return input.consumerId ?? input.credentialId
    case 'ip': return input.clientIp
    case 'header': return headerValue(input.headers[source.name!])
    case 'cookie': return cookieOrNew(source.name!, spec, input)
    case 'path': return input.path
    case 'query_arg': return input.query === null ? null : queryArgValue(input.query, source.name!)
    case 'uri_capture': return input.uriCaptures?.[source.name!] ?? null
  }
}

function headerValue (value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return typeof value === 'string' ? value : value.join(', ')
}

function cookieOrNew (name: string, spec: HashSpec, input: HashInput): string {
  const header = input.headers.cookie
  const found = header === undefined ? null : cookieValue(header, name)
  if (found !== null) return found
  const value = randomUUID()
  input.setCookie = spec.cookiePrefix + value + spec.cookieSuffix
  return value
}
