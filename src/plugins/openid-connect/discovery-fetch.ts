// GETs one JSON document from an IdP (discovery or JWKS) through a pooled undici dispatcher.
// Every failure is an IdpError whose code says what happened; callers branch on the code only.

import { errors as undiciErrors, request } from 'undici'
import type { Dispatcher } from 'undici'
import { IdpError } from '../../core/errors.ts'

// A discovery document or key set is a few KiB; anything this large is not one.
const MAX_BODY_BYTES = 1024 * 1024

export type IdpDocumentKind = 'discovery' | 'jwks'

export async function fetchIdpJson (
  dispatcher: Dispatcher, url: string, kind: IdpDocumentKind, timeoutMs: number
): Promise<Record<string, unknown>> {
  let response: Dispatcher.ResponseData
  try {
    response = await request(url, {
      dispatcher,
      method: 'GET',
      headers: { accept: kind === 'jwks' ? 'application/jwk-set+json, application/json' : 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs)
    })
  } catch (err) {
    throw transportError(err, kind)
  }
  if (response.statusCode !== 200) {
    await response.body.dump()
    throw new IdpError(`invalid status code received from the ${kind} endpoint (${response.statusCode})`, 'IDP_STATUS')
  }
  const text = await readBody(response.body, kind)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new IdpError(`the ${kind} endpoint did not answer with JSON`, 'IDP_BAD_RESPONSE')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new IdpError(`the ${kind} endpoint did not answer with a JSON object`, 'IDP_BAD_RESPONSE')
  }
  return parsed as Record<string, unknown>
}

async function readBody (body: Dispatcher.ResponseData['body'], kind: IdpDocumentKind): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES) {
        body.destroy()
        throw new IdpError(`the ${kind} document is larger than ${MAX_BODY_BYTES} bytes`, 'IDP_BAD_RESPONSE')
      }
      chunks.push(chunk as Buffer)
    }
  } catch (err) {
    if (err instanceof IdpError) throw err
    throw transportError(err, kind)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function transportError (err: unknown, kind: IdpDocumentKind): IdpError {
  if (isTimeout(err)) return new IdpError(`the ${kind} endpoint timed out`, 'IDP_TIMEOUT', err)
  return new IdpError(`the ${kind} endpoint is unreachable`, 'IDP_UNREACHABLE', err)
}

function isTimeout (err: unknown): boolean {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError) return true
  const name = (err as { name?: unknown } | null)?.name
  return name === 'TimeoutError' || name === 'AbortError'
}
