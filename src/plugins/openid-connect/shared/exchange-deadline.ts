// What every call from the gateway to an IdP (token endpoint, discovery, JWKS) shares: one deadline for the
// whole exchange and a body read that stops at a byte cap. Used by worker/token-endpoint.ts (proxy workers) and
// main/discovery-fetch.ts (main thread).
//
// Why a deadline of our own: undici's `headersTimeout` bounds the wait for the response headers and its
// `bodyTimeout` "monitors time between receiving body data" (nodejs/undici docs/docs/api/Dispatcher.md),
// so both are per gap: an IdP that sends its headers and then one byte a second never trips either. Kong's
// lua-resty-http `set_timeout` is per socket operation too (connect, send, each receive). One timer armed
// before connecting and cleared only after the last body byte closes that gap: aborting the request's
// signal makes undici destroy the response body and its socket (nodejs/undici lib/api/api-request.js).

import type { Dispatcher } from 'undici'

export class ExchangeDeadline {
  readonly signal: AbortSignal
  readonly #controller: AbortController
  readonly #timer: ReturnType<typeof setTimeout>
  readonly #endsAt: number

  /** Arms the deadline now; `reason` is what every pending read or request rejects with once it passes. */
  constructor (timeoutMs: number, reason: () => Error) {
    this.#controller = new AbortController()
    this.signal = this.#controller.signal
    this.#endsAt = performance.now() + timeoutMs
    this.#timer = setTimeout(abortWith, timeoutMs, this.#controller, reason)
  }

  /** Milliseconds left, at least 1 (undici treats 0 as "no timeout"). */
  remainingMs (): number {
    return Math.max(1, Math.ceil(this.#endsAt - performance.now()))
  }

  get expired (): boolean {
    return this.signal.aborted
  }

  /** Disarms the timer once the exchange is over (success or failure). */
  clear (): void {
    clearTimeout(this.#timer)
  }
}

function abortWith (controller: AbortController, reason: () => Error): void {
  controller.abort(reason())
}

/**
 * POSTs `body` with `headers` to `url` under the deadline: headersTimeout and bodyTimeout are per gap and
 * never longer than what is left of it; the deadline's signal is what bounds the total.
 */
export async function postUnder (deadline: ExchangeDeadline, dispatcher: Dispatcher, url: URL,
  headers: Record<string, string>, body: string): Promise<Dispatcher.ResponseData> {
  const remaining = deadline.remainingMs()
  return await dispatcher.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: 'POST',
    headers,
    body,
    headersTimeout: remaining,
    bodyTimeout: remaining,
    signal: deadline.signal
  })
}

/**
 * Reads a whole response body, but never more than `maxBytes`: a declared Content-Length over the cap is
 * refused before reading, and a body that grows past it is destroyed at the chunk that crosses it (so at
 * most `maxBytes` plus one chunk is ever held). `tooLarge` builds the error thrown then.
 */
export async function readCapped (response: Dispatcher.ResponseData, maxBytes: number,
  tooLarge: () => Error): Promise<Buffer> {
  const body = response.body
  if (declaredLength(response.headers['content-length']) > maxBytes) {
    body.destroy()
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > maxBytes) {
      body.destroy()
      throw tooLarge()
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks, size)
}

function declaredLength (header: string | string[] | undefined): number {
  if (typeof header !== 'string') return -1
  const n = Number(header)
  return Number.isSafeInteger(n) ? n : -1
}

/**
 * Drains, in the background, a body whose content is not wanted (an error answer), so the connection can
 * be reused; past 64 KiB or `timeoutMs` (what is left of the deadline) undici destroys the body and its
 * socket instead. The caller does not wait for it.
 */
export function discard (body: Dispatcher.ResponseData['body'], timeoutMs: number): void {
  body.dump({ limit: 64 * 1024, signal: AbortSignal.timeout(timeoutMs) }).catch(ignore)
}

// aborted by the timeout or reset by the IdP: the body is destroyed either way
function ignore (): void {}
