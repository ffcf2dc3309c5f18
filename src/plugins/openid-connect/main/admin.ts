// The Admin API endpoints the openid-connect plugin adds (Kong's api.lua), with Kong's bodies:
//   GET|DELETE /openid-connect/issuers[/{id or url-encoded issuer}]
//   GET|DELETE /openid-connect/jwks   (DELETE rotates the gateway's keys)
// The Admin server calls this for every path; null means "not an openid-connect path".

import type { GatewayKeys } from './keys.ts'
import type { IssuerRegistry } from './issuers.ts'

export interface AdminResponse {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

const ISSUERS = '/openid-connect/issuers'
const JWKS = '/openid-connect/jwks'
const NOT_FOUND: AdminResponse = { status: 404, body: { message: 'Not found' } }
const NO_CONTENT: AdminResponse = { status: 204 }
const METHOD_NOT_ALLOWED: AdminResponse = { status: 405, body: { message: 'Method not allowed' } }

export async function handleOpenIdConnectAdmin (
  method: string,
  pathname: string,
  registry: IssuerRegistry,
  keys: GatewayKeys | null
): Promise<AdminResponse | null> {
  if (pathname === ISSUERS || pathname === ISSUERS + '/') return issuers(method, registry)
  if (pathname.startsWith(ISSUERS + '/')) return issuer(method, pathname.slice(ISSUERS.length + 1), registry)
  if (pathname === JWKS || pathname === JWKS + '/') return await jwks(method, keys)
  return null
}

function issuers (method: string, registry: IssuerRegistry): AdminResponse {
  if (method === 'GET' || method === 'HEAD') return { status: 200, body: { data: registry.list(), next: null } }
  if (method === 'DELETE') {
    registry.deleteAll()
    return NO_CONTENT
  }
  return METHOD_NOT_ALLOWED
}

function issuer (method: string, encoded: string, registry: IssuerRegistry): AdminResponse {
  let idOrIssuer: string
  try {
    idOrIssuer = decodeURIComponent(encoded)
  } catch {
    return NOT_FOUND
  }
  if (method === 'GET' || method === 'HEAD') {
    const entry = registry.get(idOrIssuer)
    return entry === null ? NOT_FOUND : { status: 200, body: entry }
  }
  if (method === 'DELETE') {
    registry.delete(idOrIssuer)
    return NO_CONTENT
  }
  return METHOD_NOT_ALLOWED
}

async function jwks (method: string, keys: GatewayKeys | null): Promise<AdminResponse> {
  if (method === 'GET' || method === 'HEAD') {
    if (keys === null) return NOT_FOUND
    return { status: 200, body: keys.publicJwks(), headers: { 'content-type': 'application/jwk-set+json' } }
  }
  if (method === 'DELETE') {
    if (keys !== null) await keys.rotate()
    return NO_CONTENT
  }
  return METHOD_NOT_ALLOWED
}
