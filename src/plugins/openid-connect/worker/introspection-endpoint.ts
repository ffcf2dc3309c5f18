// The call to the IdP's introspection endpoint (RFC 7662) for Kong's `introspection` auth method, and the
// checks on its answer. Built like token-endpoint.ts: one deadline for the whole exchange
// (shared/exchange-deadline.ts), one retry after a failed connection, a body read up to MAX_RESPONSE_BYTES,
// and IdpErrors (token-errors.ts codes) whose messages hold neither the token, the gateway's secret or
// assertion, nor the answer. The options come from Kong's
// plugins-ee/openid-connect/kong/plugins/openid-connect/introspect.lua `new`; the HTTP call there is
// lua-resty-openid-connect's, which is not in Kong/kong.
//
// No failure here is an IdP *rejection* (`rejected` is always false, so the token cache never stores it
// negatively). A caller's token the IdP does not know, or no longer accepts, is a 200 with
// `"active": false` (RFC 7662 §2.2), which is the answer to cache. A 4xx is about the gateway's own
// request: 401 is its client authentication failing (RFC 7662 §2.3: "the authorization server responds
// with an HTTP 401"), 400 a request it shaped (oidc-provider answers 400 unsupported_token_type to any JWT).
// The caller still gets a 401 (IdpError's status), but caching that would lock out valid tokens until the
// gateway's config is fixed and then for cache_ttl_neg more.
//
// Kong's `introspection_accept: application/token-introspection+jwt` (RFC 9701, a signed JWT answer) is not
// supported: its body is not JSON and fails as IDP_BAD_RESPONSE; config load should refuse that value.

import type { Dispatcher } from 'undici'
import { errorCode } from '../../../core/errors.ts'
import { discard, ExchangeDeadline, postUnder, readCapped } from '../shared/exchange-deadline.ts'
import type { ClientAuthentication } from './client-auth.ts'
import type { IntrospectionCallerArgs, IntrospectionTemplate } from './introspection-request.ts'
export {
  createIntrospectionClient, introspectionClientAuthentication,
  type DiscoveredAuthMethods, type IntrospectionClient, type IntrospectionClientConfig
} from './introspection-auth.ts'
import { formUrlEncode } from './form-urlencoded.ts'
import { depthWithin, MAX_JSON_DEPTH } from './json-object.ts'
import { exchangeWithOneRetry, MAX_RESPONSE_BYTES, TIMEOUT_CODES } from './token-endpoint.ts'
import { IDP_BAD_RESPONSE, IDP_STATUS, IDP_TIMEOUT, IDP_UNREACHABLE, tokenEndpointError, type TokenEndpointError } from './token-errors.ts'

export {
  createIntrospectionTemplate, introspectionCallerArgs,
  type IntrospectionCaller, type IntrospectionCallerArgs, type IntrospectionRequestConfig, type IntrospectionTemplate
} from './introspection-request.ts'

export interface IntrospectionResult {
  /** true only when the answer's `active` is the boolean true (RFC 7662 §2.2; absent or anything else: false) */
  readonly active: boolean
  /** the JSON object answered, as it was (active included) */
  readonly claims: Readonly<Record<string, unknown>>
  /** `exp` (seconds since the epoch) when the answer has it as a finite number; null otherwise */
  readonly exp: number | null
}

/** Bigger answers are not an introspection response (the token endpoint's bound). */
export const MAX_INTROSPECTION_BYTES = MAX_RESPONSE_BYTES

/**
 * POSTs `token` to `endpoint` as the template, the caller's copied values (`callerArgs`, from
 * introspectionCallerArgs; null: none) and the gateway's client authentication say. `timeoutMs` bounds the
 * whole call, retry included, as requestToken's does.
 */
export async function requestIntrospection (dispatcher: Dispatcher, endpoint: string, token: string,
  template: IntrospectionTemplate, auth: ClientAuthentication, callerArgs: IntrospectionCallerArgs | null,
  timeoutMs: number): Promise<IntrospectionResult> {
  const url = new URL(endpoint)
  const request = buildRequest(token, template, auth, callerArgs)
  return await exchangeWithOneRetry(timeoutMs, timedOut, (deadline) => attempt(dispatcher, url, request, deadline), asIdpError)
}

interface Request { readonly headers: Record<string, string>, readonly body: string }

// The token first, then the hint and configured args, then the client authentication; its Authorization
// wins over a configured or copied one.
function buildRequest (token: string, template: IntrospectionTemplate, auth: ClientAuthentication,
  callerArgs: IntrospectionCallerArgs | null): Request {
  const headers: Record<string, string> = { ...(callerArgs?.headers ?? template.headers) }
  if (auth.authorization !== null) headers.authorization = auth.authorization
  const form = callerArgs?.form ?? template.form
  let body = `${template.tokenField}${formUrlEncode(token)}`
  if (form !== '') body += `&${form}`
  if (auth.formFields !== '') body += `&${auth.formFields}`
  return { headers, body }
}

async function attempt (dispatcher: Dispatcher, url: URL, request: Request, deadline: ExchangeDeadline): Promise<IntrospectionResult> {
  const response = await postUnder(deadline, dispatcher, url, request.headers, request.body)
  if (response.statusCode !== 200) {
    discard(response.body, deadline.remainingMs())
    // never `rejected`: see the comment atop this file
    throw tokenEndpointError(`invalid status code received from the introspection endpoint (${response.statusCode})`, IDP_STATUS, false)
  }
  return parseIntrospectionResponse(await readCapped(response, MAX_INTROSPECTION_BYTES, tooLarge))
}

/** The body of a 200 answer: a JSON object (RFC 7662 §2.2), nested at most MAX_JSON_DEPTH deep. */
export function parseIntrospectionResponse (body: Buffer): IntrospectionResult {
  const text = body.toString('utf8')
  let json: unknown
  try {
    // the depth bound keeps claims that a later step re-encodes (upstream headers) far from the stack's end
    json = depthWithin(text, MAX_JSON_DEPTH) ? JSON.parse(text) : undefined
  } catch {
    // no cause: JSON.parse's message quotes the body, which holds claims about the token
  }
  if (json === undefined) throw badResponse('introspection endpoint response is not JSON')
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badResponse('introspection endpoint response is not a JSON object')
  }
  const claims = json as Record<string, unknown>
  const exp = claims.exp
  return {
    active: claims.active === true,
    claims,
    exp: typeof exp === 'number' && Number.isFinite(exp) ? exp : null
  }
}

function badResponse (message: string): TokenEndpointError {
  return tokenEndpointError(message, IDP_BAD_RESPONSE, false)
}

function timedOut (): Error {
  return tokenEndpointError('timed out waiting for the introspection endpoint', IDP_TIMEOUT, false)
}

function tooLarge (): Error {
  return badResponse('introspection endpoint response is too large')
}

function asIdpError (err: unknown): TokenEndpointError {
  const code = errorCode(err) ?? ''
  if (code === IDP_TIMEOUT || code === IDP_STATUS || code === IDP_BAD_RESPONSE) return err as TokenEndpointError
  if (TIMEOUT_CODES.has(code)) return tokenEndpointError('timed out waiting for the introspection endpoint', IDP_TIMEOUT, false, err)
  const detail = code === '' ? '' : ` (${code})`
  return tokenEndpointError(`introspection endpoint unreachable${detail}`, IDP_UNREACHABLE, false, err)
}
