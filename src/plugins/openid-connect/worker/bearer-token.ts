// Where a bearer token is found, in the order of `bearer_token_param_type` (Kong's openid-connect
// handler.lua access(), the bearer token search, with arguments.lua get_header):
//   header: `Authorization: <scheme> <token>` with the scheme `bearer` in any case (every value of a
//           repeated header in turn; the token is what follows the one whitespace after the scheme),
//           then the `Access-Token` header, then `X-Access-Token` (Kong asks for access_token and
//           x_access_token; nginx reads underscores as dashes), then the header bearer_token_header_name
//           names (Kong 3.15; its value with or without the Bearer scheme);
//   cookie: the cookie `bearer_token_cookie_name`, only when it is set;
//   query:  the `access_token` argument (the first one);
//   body:   `access_token` of a form body, then of a JSON body (read only when it fits
//           client_body_buffer_size, as every body a plugin reads).
// Empty values count as absent (Kong's args.get_value). Nothing here is cached: the header form is the
// hot path's key as it is (handler.ts), so this runs only for a request whose token is not memoised.

import type { ProxyContext } from '../../types.ts'
import { bodyKind } from './credentials.ts'
import { formField, removeFormFields } from './form-urlencoded.ts'
import { parseJsonObject } from './json-object.ts'

export type BearerLocation = 'header' | 'cookie' | 'query' | 'body'

/** Where in its location the token was, so that hide_credentials removes exactly that. */
export type BearerSource = 'authorization' | 'access-token' | 'x-access-token' | 'named-header' | 'cookie' | 'query' | 'form' | 'json'

export interface FoundBearer {
  readonly token: string
  readonly source: BearerSource
  /** the body the token was read from (form, json), for hide_credentials */
  readonly body?: Buffer
  /** the header it came in (named-header), for hide_credentials */
  readonly header?: string
}

export type BearerLookup = FoundBearer | null | Promise<FoundBearer | null>

export const ACCESS_TOKEN = 'access_token'

/** Looks in each of `locations` in turn; a Promise only when a body has to be read. */
/**
 * Looks in each of `locations` in turn; a Promise only when a body has to be read. `headerName`:
 * bearer_token_header_name lower-cased, null when unset.
 */
export function findBearerToken (ctx: ProxyContext, locations: readonly BearerLocation[], cookieName: string | null,
  headerName: string | null = null): BearerLookup {
  return findFrom(ctx, locations, 0, cookieName, headerName)
}

function findFrom (ctx: ProxyContext, locations: readonly BearerLocation[], start: number, cookieName: string | null,
  headerName: string | null): BearerLookup {
  for (let i = start; i < locations.length; i++) {
    const location = locations[i]
    let found: FoundBearer | null = null
    if (location === 'header') found = headerToken(ctx.req.headers, headerName)
    else if (location === 'query') found = queryToken(ctx.query)
    else if (location === 'cookie') found = cookieName === null ? null : cookieToken(ctx.req.headers.cookie, cookieName)
    else if (bodyKind(ctx.req.headers['content-type']) !== null) return readBodyThenContinue(ctx, locations, i + 1, cookieName, headerName)
    if (found !== null) return found
  }
  return null
}

async function readBodyThenContinue (ctx: ProxyContext, locations: readonly BearerLocation[], next: number,
  cookieName: string | null, headerName: string | null): Promise<FoundBearer | null> {
  const body = await ctx.readBody()
  const found = body === null ? null : bodyToken(ctx.req.headers['content-type'], body)
  return found ?? findFrom(ctx, locations, next, cookieName, headerName)
}

type Headers = ProxyContext['req']['headers']

export function headerToken (headers: Headers, headerName: string | null = null): FoundBearer | null {
  const authorization = headers.authorization
  if (authorization !== undefined) {
    const token = bearerFromAuthorization(authorization)
    if (token !== null) return { token, source: 'authorization' }
  }
  const access = firstValue(headers['access-token'])
  if (access !== null) return { token: access, source: 'access-token' }
  const xAccess = firstValue(headers['x-access-token'])
  if (xAccess !== null) return { token: xAccess, source: 'x-access-token' }
  if (headerName !== null) {
    const named = firstValue(headers[headerName])
    if (named !== null) {
      const token = bearerFromAuthorization(named) ?? named
      return { token, source: 'named-header', header: headerName }
    }
  }
  return null
}

/**
 * The token of an Authorization value with the Bearer scheme (any case): what follows the one whitespace
 * character after the scheme, as Kong's `^(%S+)%s(.+)` match; null for another scheme or no token.
 */
export function bearerFromAuthorization (authorization: string): string | null {
  if (authorization.length < 8) return null
  const gap = authorization.charCodeAt(6)
  if (!isSpace(gap) || authorization.slice(0, 6).toLowerCase() !== 'bearer') return null
  const token = authorization.slice(7)
  return token === '' ? null : token
}

// Lua's %s: space, \t, \n, \v, \f, \r (a header value holds only the first two)
function isSpace (c: number): boolean {
  return c === 32 || c === 9
}

function firstValue (value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value
  return first === undefined || first === '' ? null : first
}

export function queryToken (query: string): FoundBearer | null {
  if (query === '') return null
  const token = formField(query, ACCESS_TOKEN)
  return token === null || token === '' ? null : { token, source: 'query' }
}

export function bodyToken (contentType: string | undefined, body: Buffer): FoundBearer | null {
  const kind = bodyKind(contentType)
  if (kind === null || body.length === 0) return null
  if (kind === 'form') {
    const token = formField(body.toString('utf8'), ACCESS_TOKEN)
    return token === null || token === '' ? null : { token, source: 'form', body }
  }
  const json = parseJsonObject(body)
  const token = json?.[ACCESS_TOKEN]
  return typeof token === 'string' && token !== '' ? { token, source: 'json', body } : null
}

/** The value of cookie `name` in a Cookie header (`a=b; c=d`), as nginx's $cookie_<name>; null when absent. */
export function cookieToken (cookie: string | undefined, name: string): FoundBearer | null {
  if (cookie === undefined) return null
  const value = cookieValue(cookie, name)
  return value === null || value === '' ? null : { token: value, source: 'cookie' }
}

export function cookieValue (cookie: string, name: string): string | null {
  let start = 0
  const length = cookie.length
  while (start < length) {
    let end = cookie.indexOf(';', start)
    if (end === -1) end = length
    let i = start
    while (i < end && (cookie.charCodeAt(i) === 32 || cookie.charCodeAt(i) === 9)) i++
    if (cookie.startsWith(name, i) && cookie.charCodeAt(i + name.length) === 61 /* = */) {
      return cookie.slice(i + name.length + 1, end).trim()
    }
    start = end + 1
  }
  return null
}

/**
 * hide_credentials for a bearer token: only where it was found is cleaned (Kong's handler.lua clears the
 * Authorization header, both spellings of the token header, the cookie, the query argument or the body
 * field). The upstream still gets the token through upstream_access_token_header, as with Kong.
 */
export function hideBearerToken (ctx: ProxyContext, found: FoundBearer, cookieName: string | null): void {
  const headers = ctx.upstreamHeaders
  switch (found.source) {
    case 'authorization': delete headers.authorization; break
    case 'access-token': delete headers['access-token']; delete headers.access_token; break
    case 'x-access-token': delete headers['x-access-token']; delete headers.x_access_token; break
    case 'named-header': delete headers[found.header!]; break
    case 'query': ctx.query = removeFormFields(ctx.query, [ACCESS_TOKEN]); break
    case 'cookie': hideCookie(headers, cookieName); break
    case 'form': {
      const text = found.body!.toString('utf8')
      ctx.replaceBody(Buffer.from(removeFormFields(text, [ACCESS_TOKEN]), 'utf8'))
      break
    }
    case 'json': {
      const record = parseJsonObject(found.body!)
      if (record === null) break
      delete record[ACCESS_TOKEN]
      ctx.replaceBody(Buffer.from(JSON.stringify(record), 'utf8'))
    }
  }
}

function hideCookie (headers: Record<string, string | string[]>, name: string | null): void {
  const cookie = headers.cookie
  if (name === null || typeof cookie !== 'string') return
  const kept = cookie.split(';').filter((pair) => {
    const trimmed = pair.trimStart()
    return !(trimmed.startsWith(name) && trimmed.charCodeAt(name.length) === 61)
  })
  if (kept.length === 0) delete headers.cookie
  else headers.cookie = kept.map((pair) => pair.trim()).join('; ')
}
