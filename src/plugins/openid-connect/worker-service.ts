// What every proxy worker holds once for all openid-connect plugin instances: the shared token cache
// buffers, the IdP connection pool, the issuers' discovery snapshots the main thread pushes, and the
// client of the main thread's signing pool. Plugin instances (handler.ts) take it from PluginServices.

import type { MessagePort } from 'node:worker_threads'
import { Agent, type Dispatcher } from 'undici'
import type { TokenCacheHandle } from '../../cache/index.ts'
import type { Settings } from '../../config/types.ts'
import type { Logger } from '../../core/log.ts'
import { SignerClient } from '../../workers/signer-client.ts'
import type { WorkerPluginService } from '../worker-services.ts'
import type { IssuerSnapshot } from './issuers.ts'
import { createJwksVerifier, type JwksVerifier } from './jwks-verifier.ts'
import type { AssertionClaims } from './client-auth.ts'
import { OIDC_PLUGIN, type OidcToMain, type OidcToWorker, type OidcWorkerData } from './messages.ts'

/** A worker's view of one issuer: the latest snapshot and the verifier built from its keys. */
export interface IssuerView {
  readonly snapshot: IssuerSnapshot
  readonly verifier: JwksVerifier
}

// A worker asks the main thread to rediscover at most this often per issuer; the main thread throttles
// again by rediscovery_lifetime, this only keeps a burst of requests from becoming a burst of messages.
const REDISCOVER_ASK_INTERVAL_MS = 1000
// How long a caller waits for a rediscovery it asked for before giving up on this request.
const REDISCOVER_WAIT_MS = 5000

export class OidcWorkerService implements WorkerPluginService {
  readonly cache: TokenCacheHandle
  /** keep-alive connections to IdPs, shared by every plugin instance of this worker */
  readonly dispatcher: Dispatcher
  readonly logger: Logger
  readonly #signer: SignerClient
  readonly #parent: MessagePort
  readonly #issuers = new Map<string, IssuerView>()
  readonly #lastAsk = new Map<string, number>()
  readonly #waiting = new Map<string, Array<(view: IssuerView | null) => void>>()

  constructor (settings: Settings, data: OidcWorkerData, parent: MessagePort, logger: Logger) {
    this.cache = data.cache
    this.logger = logger
    this.#parent = parent
    this.#signer = new SignerClient(data.signerPort)
    this.dispatcher = new Agent({
      keepAliveTimeout: settings.upstream_keepalive_idle_timeout * 1000,
      connections: null,
      pipelining: 1
    })
    for (const snapshot of data.snapshots) this.#setSnapshot(snapshot)
  }

  issuer (discoveryUrl: string): IssuerView | null {
    return this.#issuers.get(discoveryUrl) ?? null
  }

  /** Signs a client assertion with the gateway's key for `alg`, on the main thread's signing pool. */
  sign (claims: AssertionClaims, alg: string): Promise<string> {
    return this.#signer.sign({ jwk: null, alg, claims: claims as unknown as Readonly<Record<string, unknown>> })
  }

  /**
   * Asks the main thread for a fresh discovery (unknown kid, no discovery yet) and resolves with the next
   * snapshot of that issuer, or null when none came in time (the IdP may be down).
   */
  rediscover (discoveryUrl: string, reason: string): Promise<IssuerView | null> {
    const now = Date.now()
    if (now - (this.#lastAsk.get(discoveryUrl) ?? 0) >= REDISCOVER_ASK_INTERVAL_MS) {
      this.#lastAsk.set(discoveryUrl, now)
      this.#post({ op: 'rediscover', discoveryUrl, reason })
    }
    return new Promise((resolve) => {
      let list = this.#waiting.get(discoveryUrl)
      if (list === undefined) this.#waiting.set(discoveryUrl, list = [])
      const waiters = list
      const timer = setTimeout(() => {
        const at = waiters.indexOf(done)
        if (at >= 0) waiters.splice(at, 1)
        resolve(null)
      }, REDISCOVER_WAIT_MS)
      const done = (view: IssuerView | null): void => {
        clearTimeout(timer)
        resolve(view)
      }
      waiters.push(done)
    })
  }

  /** Asks for discovery without waiting (the first request for an issuer the main thread has not reached). */
  nudge (discoveryUrl: string, reason: string): void {
    const now = Date.now()
    if (now - (this.#lastAsk.get(discoveryUrl) ?? 0) < REDISCOVER_ASK_INTERVAL_MS) return
    this.#lastAsk.set(discoveryUrl, now)
    this.#post({ op: 'rediscover', discoveryUrl, reason })
  }

  onMessage (payload: unknown): void {
    const message = payload as OidcToWorker
    if (message.op === 'issuer') this.#setSnapshot(message.snapshot)
    else this.#release(message.discoveryUrl, null)
  }

  #release (discoveryUrl: string, view: IssuerView | null): void {
    const waiters = this.#waiting.get(discoveryUrl)
    if (waiters === undefined) return
    this.#waiting.delete(discoveryUrl)
    for (const waiter of waiters) waiter(view)
  }

  #setSnapshot (snapshot: IssuerSnapshot): void {
    const previous = this.#issuers.get(snapshot.discoveryUrl)
    // the verifier caches imported keys: rebuild it only when the key set changed
    const verifier = previous !== undefined && sameKeys(previous.snapshot, snapshot)
      ? previous.verifier
      : createJwksVerifier(snapshot.jwks)
    const view: IssuerView = { snapshot, verifier }
    this.#issuers.set(snapshot.discoveryUrl, view)
    this.#release(snapshot.discoveryUrl, view)
  }

  #post (payload: OidcToMain): void {
    this.#parent.postMessage({ type: 'plugin', plugin: OIDC_PLUGIN, payload })
  }
}

function sameKeys (a: IssuerSnapshot, b: IssuerSnapshot): boolean {
  if (a.jwks.length !== b.jwks.length) return false
  for (let i = 0; i < a.jwks.length; i++) {
    if (a.jwks[i].kid !== b.jwks[i].kid || a.jwks[i].n !== b.jwks[i].n || a.jwks[i].x !== b.jwks[i].x) return false
  }
  return true
}
