// GETs one JSON document from an IdP (discovery or JWKS) through a pooled undici dispatcher, on the main
// thread. Every failure is an IdpError whose code says what happened; callers branch on the code only.
// `timeoutMs` is a deadline for the whole exchange (connect, headers and the full body) and the body is
// capped while it streams (shared/exchange-deadline.ts): a dripping or endless answer neither hangs a discovery
// nor grows the main thread's heap.

import { errors as undiciErrors, request } from 'undici'
import type { Dispatcher } from 'undici'
import { IdpError } from '../../../core/errors.ts'
import { discard, ExchangeDeadline, readCapped } from '../shared/exchange-deadline.ts'

// A discovery document or key set is a few KiB; anything this large is not one.
export const MAX_BODY_BYTES = 1024 * 1024

export type IdpDocumentKind = 'discovery' | 'jwks'

export async function fetchIdpJson (
  dispatcher: Dispatcher, url: string, kind: IdpDocumentKind, timeoutMs: number
): Promise<Record<string, unknown>> {
  const deadline = new ExchangeDeadline(timeoutMs, () => new IdpError(`the ${kind} endpoint timed out`, 'IDP_TIMEOUT'))
  let body: Buffer
  try {
    body = await fetchBody(dispatcher, url, kind, deadline)
  } finally {
    deadline.clear()
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new IdpError(`the ${kind} endpoint did not answer with JSON`, 'IDP_BAD_RESPONSE')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new IdpError(`the ${kind} endpoint did not answer with a JSON object`, 'IDP_BAD_RESPONSE')
  }
  return parsed as Record<string, unknown>
}

async function fetchBody (dispatcher: Dispatcher, url: string, kind: IdpDocumentKind, deadline: ExchangeDeadline): Promise<Buffer> {
  let response: Dispatcher.ResponseData
  try {
    const remaining = deadline.remainingMs()
    response = await request(url, {
      dispatcher,
      method: 'GET',
      headers: { accept: kind === 'jwks' ? 'application/jwk-set+json, application/json' : 'application/json' },
      headersTimeout: remaining,
      bodyTimeout: remaining,
      signal: deadline.signal
    })
  } catch (err) {
    throw transportError(err, kind)
  }
  if (response.statusCode !== 200) {
    discard(response.body, deadline.remainingMs())
    throw new IdpError(`invalid status code received from the ${kind} endpoint (${response.statusCode})`, 'IDP_STATUS')
  }
  try {
    return await readCapped(response, MAX_BODY_BYTES, () =>
      new IdpError(`the ${kind} document is larger than ${MAX_BODY_BYTES} bytes`, 'IDP_BAD_RESPONSE'))
  } catch (err) {
    throw transportError(err, kind)
  }
}

function transportError (err: unknown, kind: IdpDocumentKind): IdpError {
  if (err instanceof IdpError) return err
  if (isTimeout(err)) return new IdpError(`the ${kind} endpoint timed out`, 'IDP_TIMEOUT', err)
  return new IdpError(`the ${kind} endpoint is unreachable`, 'IDP_UNREACHABLE', err)
}

function isTimeout (err: unknown): boolean {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError) return true
  const name = (err as { name?: unknown } | null)?.name
  return name === 'TimeoutError' || name === 'AbortError'
}
