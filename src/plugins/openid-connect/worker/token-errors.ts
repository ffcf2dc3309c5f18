// Error codes of the openid-connect per-request path, and the one distinction the token cache needs:
// did the IdP say no (a 4xx answer: the same credentials will fail again, so the failure may be cached
// negatively for cache_ttl_neg), or did the IdP fail (5xx, garbage, transport: a stale token may be served
// for cache_ttl_resurrect). Messages never carry a secret, a token or an assertion.

import { IdpError, type ErrorCode } from '../../../core/errors.ts'

export const IDP_UNREACHABLE = 'IDP_UNREACHABLE'
export const IDP_TIMEOUT = 'IDP_TIMEOUT'
export const IDP_STATUS = 'IDP_STATUS'
export const IDP_BAD_RESPONSE = 'IDP_BAD_RESPONSE'
export const IDP_BAD_TOKEN_TYPE = 'IDP_BAD_TOKEN_TYPE'

/** The token's signing key is not in the issuer's JWKS: worth one throttled rediscovery and a retry. */
export const JWKS_KID_UNKNOWN = 'JWKS_KID_UNKNOWN'
export const TOKEN_MALFORMED = 'TOKEN_MALFORMED'
export const TOKEN_ALG_NOT_ALLOWED = 'TOKEN_ALG_NOT_ALLOWED'
export const TOKEN_SIGNATURE_INVALID = 'TOKEN_SIGNATURE_INVALID'
export const TOKEN_EXPIRED = 'TOKEN_EXPIRED'
export const TOKEN_NOT_YET_VALID = 'TOKEN_NOT_YET_VALID'
export const TOKEN_ISSUER_INVALID = 'TOKEN_ISSUER_INVALID'

/** An IdpError with `rejected`: true when the IdP answered 4xx (negatively cacheable), false when it failed. */
export interface TokenEndpointError extends IdpError {
  readonly rejected: boolean
}

// Note: a structured clone of an Error (postMessage) keeps only name, message, stack and cause in Node 24,
// not `code`, `status` or `rejected`: an error that crosses threads must be sent as a plain object.
export function tokenEndpointError (message: string, code: ErrorCode, rejected: boolean, cause?: unknown): TokenEndpointError {
  return Object.assign(new IdpError(message, code, cause), { rejected })
}

/** True only for an IdP rejection (see TokenEndpointError). */
export function isIdpRejection (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as Partial<TokenEndpointError>).rejected === true
}
