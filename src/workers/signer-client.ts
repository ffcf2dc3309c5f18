// Proxy workers do not own a signing pool: they send sign requests to the main thread over a MessagePort
// and the main thread runs them on its one piscina pool (signer-pool.ts).
// Wire format: { id, request } one way, { id, token } or { id, error: { message, code, status } } back.
// A request may carry the private JWK, or only `alg` so the key stays on the main thread (resolveKey).
// A request never waits forever: it fails with SIGNER_TIMEOUT after its timeout, and with SIGNER_CLOSED
// when the port closes (the main side went away) while it waits.

import type { MessagePort } from 'node:worker_threads'
import type { JWK } from 'jose'
import { errorCode, relayedCode, TollgateError } from '../core/errors.ts'
import type { SignRequest } from './signer-task.ts'

export interface SignerClientRequest {
  /** the private key to sign with; when null, the main thread picks its key for `alg` */
  readonly jwk: JWK | null
  readonly alg?: string
  readonly header?: Readonly<Record<string, unknown>>
  readonly claims: Readonly<Record<string, unknown>>
}

/** Every code a signing failure carries: the request never reached the IdP. */
export const SIGNER_TIMEOUT = 'SIGNER_TIMEOUT'
export const SIGNER_QUEUE_FULL = 'SIGNER_QUEUE_FULL'
export const SIGNER_CLOSED = 'SIGNER_CLOSED'
export const SIGNER_FAILED = 'SIGNER_FAILED'
export const SIGNER_NO_KEY = 'SIGNER_NO_KEY'
const SIGNER_CODES: ReadonlySet<string | null> = new Set([SIGNER_TIMEOUT, SIGNER_QUEUE_FULL, SIGNER_CLOSED, SIGNER_FAILED, SIGNER_NO_KEY])

/**
 * True for an error of signing the client assertion (timed out, queue full, channel closed, the task
 * failed or its thread died): the token request was never sent, so nothing is known about the
 * credentials, and a token cache fill that failed so must be abandoned, never cached negatively.
 */
export function isSignerFailure (err: unknown): boolean {
  return SIGNER_CODES.has(errorCode(err))
}

/** How long a worker waits for a signature by default: the openid-connect plugin's default `timeout`. */
export const DEFAULT_SIGN_CLIENT_TIMEOUT_MS = 10_000

interface SignMessage { readonly id: number, readonly request: SignerClientRequest }
interface ErrorShape { readonly message: string, readonly code: string, readonly status: number }
interface ReplyMessage { readonly id: number, readonly token?: string, readonly error?: ErrorShape }

export type ResolveSigningKey = (alg: string | undefined) => JWK

/** Main side: answers every sign request arriving on `port` with `pool`. Returns a function that stops it. */
export function serveSigner (
  port: MessagePort,
  pool: { sign (request: SignRequest): Promise<string> },
  resolveKey: ResolveSigningKey | null = null
): () => void {
  const onMessage = (message: SignMessage): void => {
    signOne(pool, resolveKey, message.request).then(
      (token) => { post(port, { id: message.id, token }) },
      (err: unknown) => { post(port, { id: message.id, error: errorShape(err) }) }
    )
  }
  port.on('message', onMessage)
  return () => { port.off('message', onMessage) }
}

async function signOne (
  pool: { sign (request: SignRequest): Promise<string> },
  resolveKey: ResolveSigningKey | null,
  request: SignerClientRequest
): Promise<string> {
  let jwk = request.jwk
  if (jwk === null) {
    if (resolveKey === null) throw new TollgateError('no signing key was given and the main thread has none', SIGNER_NO_KEY, 500)
    jwk = resolveKey(request.alg)
  }
  return await pool.sign({ jwk, header: request.header, claims: request.claims })
}

function post (port: MessagePort, reply: ReplyMessage): void {
  try {
    port.postMessage(reply)
  } catch {
    // The worker went away while its request was being signed: nobody is waiting for the answer.
  }
}

// Only message, code and status cross the port: a cause could hold key material or a claim.
function errorShape (err: unknown): ErrorShape {
  if (err instanceof TollgateError) return { message: err.message, code: err.code, status: err.status }
  const code = errorCode(err) ?? SIGNER_FAILED
  return { message: 'signing the client assertion failed', code, status: 500 }
}

interface Pending {
  resolve (token: string): void
  reject (err: TollgateError): void
  readonly timer: ReturnType<typeof setTimeout>
}

export interface SignerClientOptions {
  /** how long a request may wait for its answer before it fails with SIGNER_TIMEOUT (default 10 s) */
  readonly timeoutMs?: number
}

/** Worker side: sign requests go to the main thread; each answer settles the request with its id. */
export class SignerClient {
  readonly #port: MessagePort
  readonly #pending = new Map<number, Pending>()
  readonly #timeoutMs: number
  #nextId = 1
  #closed = false

  constructor (port: MessagePort, options: SignerClientOptions = {}) {
    this.#port = port
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_SIGN_CLIENT_TIMEOUT_MS
    port.on('message', (reply: ReplyMessage) => { this.#settle(reply) })
    port.on('close', () => { this.#rejectAll() })
    // Referenced only while a request waits, so an idle client never keeps a worker alive.
    port.unref()
  }

  /** Signs on the main thread; `timeoutMs` (default: the client's) bounds the wait for the answer. */
  sign (request: SignerClientRequest, timeoutMs = this.#timeoutMs): Promise<string> {
    if (this.#closed) return Promise.reject(closedError())
    const id = this.#nextId++
    const { promise, resolve, reject } = Promise.withResolvers<string>()
    // the main thread answers even a hung signing thread (the pool's task timeout); this bounds what
    // it cannot: a main thread too busy to answer, or an answer lost. A late answer finds no id.
    const timer = setTimeout(() => { this.#fail(id, timeoutError(timeoutMs)) }, timeoutMs)
    this.#pending.set(id, { resolve, reject, timer })
    if (this.#pending.size === 1) this.#port.ref()
    this.#port.postMessage({ id, request } satisfies SignMessage)
    return promise
  }

  get pending (): number {
    return this.#pending.size
  }

  close (): void {
    this.#port.close()
    this.#rejectAll()
  }

  /** Takes request `id` off the pending list; undefined when it was settled already. */
  #take (id: number): Pending | undefined {
    const pending = this.#pending.get(id)
    if (pending === undefined) return undefined
    this.#pending.delete(id)
    clearTimeout(pending.timer)
    if (this.#pending.size === 0) this.#port.unref()
    return pending
  }

  #fail (id: number, err: TollgateError): void {
    this.#take(id)?.reject(err)
  }

  #settle (reply: ReplyMessage): void {
    const pending = this.#take(reply.id)
    if (pending === undefined) return
    if (reply.token !== undefined) {
      pending.resolve(reply.token)
    } else {
      const error = reply.error ?? { message: 'malformed signer reply', code: SIGNER_FAILED, status: 500 }
      pending.reject(new TollgateError(error.message, relayedCode(error.code), error.status))
    }
  }

  #rejectAll (): void {
    this.#closed = true
    for (const id of [...this.#pending.keys()]) this.#fail(id, closedError())
  }
}

function closedError (): TollgateError {
  return new TollgateError('the signer channel is closed', SIGNER_CLOSED, 500)
}

export function timeoutError (timeoutMs: number): TollgateError {
  return new TollgateError(`signing the client assertion took longer than ${timeoutMs} ms`, SIGNER_TIMEOUT, 504)
}
