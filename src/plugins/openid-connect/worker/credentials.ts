// Where the caller's client id and secret are found for the client credentials grant, in the order of
// `client_credentials_param_type` (Kong's openid-connect arguments.lua get_credentials).
// This runs on every request (the cache key is derived from what it finds), so the header and query
// paths are synchronous and allocate little; only a body that must be read returns a Promise.

import type { IncomingHttpHeaders } from 'node:http'
import type { ProxyContext } from '../../types.ts'
import { parseCredentialFields } from './form-urlencoded.ts'
import { parseJsonObject } from './json-object.ts'

export type CredentialLocation = 'header' | 'query' | 'body'

export interface ClientCredentials {
  readonly clientId: string
  readonly clientSecret: string
  readonly location: CredentialLocation
}

export type CredentialsLookup = ClientCredentials | null | Promise<ClientCredentials | null>

const CLIENT_CREDENTIALS = 'client_credentials'

/**
 * Looks in each location of `locations` in turn. Synchronous unless a `body` location is reached and the
 * content type is one whose body may hold credentials; that body is read with ctx.readBody(), which keeps
 * it for the upstream request.
 */
export function findClientCredentials (ctx: ProxyContext, locations: readonly CredentialLocation[]): CredentialsLookup {
  return findFrom(ctx, locations, 0)
}

function findFrom (ctx: ProxyContext, locations: readonly CredentialLocation[], start: number): CredentialsLookup {
  for (let i = start; i < locations.length; i++) {
    const location = locations[i]
    if (location === 'header') {
      const found = headerCredentials(ctx.req.headers)
      if (found !== null) return found
    } else if (location === 'query') {
      const found = queryCredentials(ctx.query)
      if (found !== null) return found
    } else {
      const kind = bodyKind(ctx.req.headers['content-type'])
      if (kind !== null) return readBodyThenContinue(ctx, locations, i + 1, kind)
    }
  }
  return null
}

async function readBodyThenContinue (ctx: ProxyContext, locations: readonly CredentialLocation[], next: number,
  kind: BodyKind): Promise<ClientCredentials | null> {
  // null: a body larger than client_body_buffer_size, which holds no credentials for us (as Kong, whose
  // kong.request.get_body has nothing for a body nginx did not keep in memory)
  const body = await ctx.readBody()
  const found = body === null ? null : bodyCredentials(kind, body)
  return found ?? findFrom(ctx, locations, next)
}

/** `Authorization: Basic ...`, skipped when a Grant-Type header names another grant. */
export function headerCredentials (headers: IncomingHttpHeaders): ClientCredentials | null {
  const authorization = headers.authorization
  if (authorization === undefined || otherGrantInHeaders(headers)) return null
  const pair = parseBasicAuthorization(authorization)
  return pair === null ? null : credentials(pair[0], pair[1], 'header')
}

function otherGrantInHeaders (headers: IncomingHttpHeaders): boolean {
  return isOtherGrant(headers['grant-type']) || isOtherGrant(headers['x-grant-type']) ||
    isOtherGrant(headers.grant_type)
}

function isOtherGrant (value: string | string[] | undefined | null): boolean {
  if (value === undefined || value === null) return false
  return (typeof value === 'string' ? value : value[0]) !== CLIENT_CREDENTIALS
}

/**
 * [id, secret] from an Authorization value with the Basic scheme (any case). As Kong: the value is
 * base64-decoded, or used raw when it is not base64, and split at the first ':' after the first character.
 */
export function parseBasicAuthorization (authorization: string): [string, string] | null {
  const value = authorization.trim()
  const gap = value.charCodeAt(5)
  if ((gap !== 32 && gap !== 9) || value.slice(0, 5).toLowerCase() !== 'basic') return null
  const encoded = value.slice(6).trim()
  const decoded = isBase64(encoded) ? Buffer.from(encoded, 'base64').toString('utf8') : encoded
  const colon = decoded.indexOf(':', 1)
  if (colon === -1) return null
  return [decoded.slice(0, colon), decoded.slice(colon + 1)]
}

/** What nginx's ngx.decode_base64 accepts: the standard alphabet, at most two '=' at the end, no 4n+1 length. */
export function isBase64 (value: string): boolean {
  let end = value.length
  if (end === 0) return false
  if (value.charCodeAt(end - 1) === 61) end--
  if (end > 0 && value.charCodeAt(end - 1) === 61) end--
  if (end % 4 === 1) return false
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i)
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47
    if (!ok) return false
  }
  return true
}

/** `client_id` and `client_secret` query args, skipped when a `grant_type` arg names another grant. */
export function queryCredentials (query: string): ClientCredentials | null {
  if (query === '') return null
  const fields = parseCredentialFields(query)
  if (fields.grantType !== null && fields.grantType !== CLIENT_CREDENTIALS) return null
  return credentials(fields.clientId, fields.clientSecret, 'query')
}

export type BodyKind = 'form' | 'json'

/** Only these bodies are read for credentials (as Kong's kong.request.get_body); others are left alone. */
export function bodyKind (contentType: string | undefined): BodyKind | null {
  if (contentType === undefined) return null
  const type = contentType.trimStart().toLowerCase()
  if (type.startsWith('application/x-www-form-urlencoded')) return 'form'
  if (type.startsWith('application/json')) return 'json'
  return null
}

/** `client_id` / `client_secret` fields of a form or JSON body; skipped when `grant_type` names another grant. */
export function bodyCredentials (kind: BodyKind, body: Buffer): ClientCredentials | null {
  if (body.length === 0) return null
  if (kind === 'form') {
    const fields = parseCredentialFields(body.toString('utf8'))
    if (fields.grantType !== null && fields.grantType !== CLIENT_CREDENTIALS) return null
    return credentials(fields.clientId, fields.clientSecret, 'body')
  }
  const json = parseJsonObject(body)
  if (json === null) return null
  const grantType = json.grant_type
  if (grantType !== undefined && grantType !== null && grantType !== CLIENT_CREDENTIALS) return null
  return credentials(stringOrNull(json.client_id), stringOrNull(json.client_secret), 'body')
}

function stringOrNull (value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

// An empty id or secret is treated as absent: it cannot authenticate, and sending it to the IdP would only
// cost a round trip.
function credentials (clientId: string | null, clientSecret: string | null, location: CredentialLocation): ClientCredentials | null {
  if (clientId === null || clientSecret === null || clientId === '' || clientSecret === '') return null
  return { clientId, clientSecret, location }
}
