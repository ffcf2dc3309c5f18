// The call to the token endpoint and the checks on its answer (RFC 6749 §5.1 for the success body; Kong's
// openid-connect plugin sends it through lua-resty-http with the plugin's `timeout`). Failures become
// IdpErrors whose code is mapped from the transport error's `code`, never from message text, and whose
// message holds neither the request (secrets, assertions) nor the response body (tokens).

import type { Dispatcher } from 'undici'
import type { TokenRequest } from './token-request.ts'
import {
  IDP_BAD_RESPONSE, IDP_BAD_TOKEN_TYPE, IDP_STATUS, IDP_TIMEOUT, IDP_UNREACHABLE, tokenEndpointError
} from './token-errors.ts'
import type { TokenEndpointError } from './token-errors.ts'
import { errorCode } from '../../../core/errors.ts'
import { discard, ExchangeDeadline, postUnder, readCapped } from '../shared/exchange-deadline.ts'

export interface TokenResponse {
  readonly accessToken: string
  /** as the IdP sent it; 'Bearer' when absent */
  readonly tokenType: string
  /** seconds; null when absent or not a number */
  readonly expiresIn: number | null
}

/** Bigger answers are not a token response; reading stops there (a bigger Content-Length is not read at all). */
export const MAX_RESPONSE_BYTES = 1024 * 1024

// Failures of the connection itself: Kong retries those once (introspection-endpoint.ts does the same). A timeout is not retried (that would double
// the caller's wait on a hung IdP) and neither is a TLS verification failure (it would fail again).
export const TRANSPORT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED'
])
export const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  IDP_TIMEOUT, 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'
])

/**
 * POSTs `request` to `endpoint` through `dispatcher`. `timeoutMs` is a deadline for the whole call:
 * connecting, sending, the response headers and the full body, retry included. Kong applies its `timeout`
 * to each socket operation (lua-resty-http `set_timeout`), so an IdP that drips its body, or a retry after
 * a slow failure, could hold a request for many times `timeout` there; here the caller never waits more
 * than `timeoutMs` for the token endpoint. The one retry (a failed connection, as Kong) gets only what is
 * left of the deadline, and none once it has passed.
 */
export async function requestToken (dispatcher: Dispatcher, endpoint: string, request: TokenRequest,
  timeoutMs: number): Promise<TokenResponse> {
  const url = new URL(endpoint)
  return await exchangeWithOneRetry(timeoutMs, timedOut, (deadline) => attempt(dispatcher, url, request, deadline), asIdpError)
}

/**
 * One exchange with an IdP endpoint under one deadline of `timeoutMs` (see requestToken): `attempt` runs,
 * and once more, with what is left of the deadline, after a failed connection, never after a timeout.
 * Failures come out as `asIdpError` makes them. Shared by the token and introspection endpoints.
 */
export async function exchangeWithOneRetry<T> (timeoutMs: number, timedOut: () => Error,
  attempt: (deadline: ExchangeDeadline) => Promise<T>, asIdpError: (err: unknown) => Error): Promise<T> {
  const deadline = new ExchangeDeadline(timeoutMs, timedOut)
  try {
    try {
      return await attempt(deadline)
    } catch (err) {
      if (deadline.expired || !TRANSPORT_CODES.has(errorCode(err) ?? '')) throw asIdpError(err)
    }
    try {
      return await attempt(deadline)
    } catch (err) {
      throw asIdpError(err)
    }
  } finally {
    deadline.clear()
  }
}

async function attempt (dispatcher: Dispatcher, url: URL, request: TokenRequest, deadline: ExchangeDeadline): Promise<TokenResponse> {
  const response = await postUnder(deadline, dispatcher, url, request.headers, request.body)
  if (response.statusCode !== 200) {
    discard(response.body, deadline.remainingMs())
    const status = response.statusCode
    throw tokenEndpointError(`invalid status code received from the token endpoint (${status})`, IDP_STATUS,
      status >= 400 && status < 500 && status !== 408 && status !== 429)
  }
  return parseTokenResponse(await readCapped(response, MAX_RESPONSE_BYTES, tooLarge))
}

function timedOut (): Error {
  return tokenEndpointError('timed out waiting for the token endpoint', IDP_TIMEOUT, false)
}

function tooLarge (): Error {
  return tokenEndpointError('token endpoint response is too large', IDP_BAD_RESPONSE, false)
}

/** The body of a 200 answer: a JSON object with a string access_token and a bearer-like token_type. */
export function parseTokenResponse (body: Buffer): TokenResponse {
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    // no cause: JSON.parse's message quotes the body, which may hold a token
    throw tokenEndpointError('token endpoint response is not JSON', IDP_BAD_RESPONSE, false)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw tokenEndpointError('token endpoint response is not a JSON object', IDP_BAD_RESPONSE, false)
  }
  const fields = json as Record<string, unknown>
  if (typeof fields.access_token !== 'string' || fields.access_token === '') {
    throw tokenEndpointError('token endpoint response has no access_token', IDP_BAD_RESPONSE, false)
  }
  const tokenType = fields.token_type ?? 'Bearer'
  if (typeof tokenType !== 'string' || !isBearerLike(tokenType)) {
    throw tokenEndpointError('invalid token type received from the token endpoint', IDP_BAD_TOKEN_TYPE, false)
  }
  return { accessToken: fields.access_token, tokenType, expiresIn: numberOrNull(fields.expires_in) }
}

/** Kong accepts "bearer" in any case, and "access_token" which some IdPs send. */
export function isBearerLike (tokenType: string): boolean {
  const type = tokenType.toLowerCase()
  return type === 'bearer' || type === 'access_token'
}

// Some IdPs send expires_in as a string ("3600").
function numberOrNull (value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : null
}

function asIdpError (err: unknown): TokenEndpointError {
  const code = errorCode(err) ?? ''
  if (code === IDP_TIMEOUT || code === IDP_STATUS || code === IDP_BAD_RESPONSE || code === IDP_BAD_TOKEN_TYPE) {
    return err as TokenEndpointError
  }
  if (TIMEOUT_CODES.has(code)) return tokenEndpointError('timed out waiting for the token endpoint', IDP_TIMEOUT, false, err)
  const detail = code === '' ? '' : ` (${code})`
  return tokenEndpointError(`token endpoint unreachable${detail}`, IDP_UNREACHABLE, false, err)
}
