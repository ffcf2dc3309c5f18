// Who may talk to the Admin API, checked before any handler runs (and before a body is read):
//
// - Host: a browser tricked by DNS rebinding sends the attacker's DNS name in Host while it reaches the
//   admin listener; Host must be an IP address, `localhost`, or a name in `admin_allowed_hosts`. Ports are
//   not compared: rebinding needs a DNS name, and a port forward (docker -p) changes the port.
// - Origin: a browser sends Origin with every cross-origin write; it must be the Admin API's own origin
//   (http:// and the Host the request names), so no web page can post a config (CSRF). `Sec-Fetch-Site:
//   cross-site` or `same-site` is refused too. Reads are refused as well: there is no reason for a
//   foreign page to read the Admin API, and Tollgate sends no CORS headers for it to do so.
// - Kong-Admin-Token: when `admin_token` is set, every request must carry it (Kong Enterprise's RBAC
//   header, https://developer.konghq.com/how-to/enable-rbac-with-admin-api/); missing or wrong gives
//   Kong's 401 {"message":"Invalid RBAC credentials"}. Compared in constant time.
// - Content-Type: POST, PUT and PATCH bodies must be application/json, application/x-www-form-urlencoded
//   or multipart/form-data, else Kong's 415 (kong/api/api_helpers.lua before_filter); a text/plain post
//   is the one a web page can send without a CORS preflight. /config also takes YAML (Kong's ACCEPTS_YAML:
//   application/yaml and text/yaml; application/x-yaml too, the name many clients send), none of which a
//   page can send without a preflight either.

import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { AdminResult } from './types.ts'

export interface AdminSecurity {
  readonly token: string | null
  readonly allowedHosts: readonly string[]
}

type Headers = Readonly<Record<string, string | string[] | undefined>>

export const FORBIDDEN_HOST: AdminResult = {
  status: 403,
  body: { message: 'Forbidden: the Host header does not name this Admin API (see admin_allowed_hosts)' }
}
export const FORBIDDEN_ORIGIN: AdminResult = {
  status: 403,
  body: { message: 'Forbidden: cross-origin requests to the Admin API are not allowed' }
}
export const INVALID_CREDENTIALS: AdminResult = { status: 401, body: { message: 'Invalid RBAC credentials' } }
export const UNSUPPORTED_MEDIA_TYPE: AdminResult = { status: 415, body: { message: 'Unsupported Media Type' } }

const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']
export const YAML_BODY_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml']
const ACCEPTS_YAML: ReadonlySet<string> = new Set(['/config', '/config/'])
const NEEDS_BODY: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH'])
const FOREIGN_FETCH_SITES: ReadonlySet<string> = new Set(['cross-site', 'same-site'])

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}

/** The Host header parsed as an http authority, or null when it is not one. */
function authority (host: string): URL | null {
  const url = URL.parse(`http://${host}`)
  return url === null || url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '' || `${url.host}` === '' ? null : url
}

function isAllowedName (hostname: string, security: AdminSecurity): boolean {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  if (isIP(bare) !== 0) return true
  const name = bare.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || security.allowedHosts.includes(name)
}

function originProblem (headers: Headers, target: URL | null): AdminResult | null {
  const site = single(headers['sec-fetch-site'])
  if (site !== undefined && FOREIGN_FETCH_SITES.has(site.toLowerCase())) return FORBIDDEN_ORIGIN
  const origin = single(headers.origin)
  if (origin === undefined) return null
  const parsed = URL.parse(origin)
  // "null" (sandboxed frames, file: pages) and anything that is not this listener's http origin
  if (parsed === null || target === null || parsed.protocol !== 'http:' || parsed.host !== target.host) return FORBIDDEN_ORIGIN
  return null
}

function digest (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** Constant time over the token's content and length: both sides are hashed to 32 bytes first. */
export function tokenMatches (given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected))
}

/** The refusal for a request's headers, or null when it may go on (its body still to be checked). */
export function checkRequestHeaders (headers: Headers, security: AdminSecurity): AdminResult | null {
  const host = single(headers.host)
  const target = host === undefined ? null : authority(host)
  // no Host at all is an HTTP/1.0 client, never a browser
  if (host !== undefined && (target === null || !isAllowedName(target.hostname, security))) return FORBIDDEN_HOST
  const foreign = originProblem(headers, target)
  if (foreign !== null) return foreign
  if (security.token !== null && !tokenMatches(single(headers['kong-admin-token']), security.token)) return INVALID_CREDENTIALS
  return null
}

/** Kong's 415 for a body that is not JSON or a form (or YAML, on /config); an empty body needs no type. */
export function checkBodyType (method: string, headers: Headers, body: Buffer | null, pathname = ''): AdminResult | null {
  if (!NEEDS_BODY.has(method) || body === null || body.length === 0) return null
  const type = single(headers['content-type'])?.trim().toLowerCase()
  if (type !== undefined && BODY_TYPES.some((allowed) => type.startsWith(allowed))) return null
  if (type !== undefined && ACCEPTS_YAML.has(pathname) && YAML_BODY_TYPES.some((allowed) => type.startsWith(allowed))) return null
  return UNSUPPORTED_MEDIA_TYPE
}

/** Loopback listeners are reachable from this machine only; anything else deserves a warning at start. */
export function isLoopbackHost (host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))
}
