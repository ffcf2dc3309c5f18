// What every proxy worker holds once for all openid-connect plugin instances: the shared token cache
// buffers, the IdP connection pool, the issuers' discovery snapshots the main thread pushes, and the
// client of the main thread's signing pool. Plugin instances (handler.ts) take it from PluginServices.

import type { MessagePort } from 'node:worker_threads'
import type { JWK } from 'jose'
import { Agent, type Dispatcher } from 'undici'
import type { TokenCacheHandle } from '../../../cache/index.ts'
import type { Settings } from '../../../config/types.ts'
import type { Logger } from '../../../core/log.ts'
import { SignerClient } from '../../../workers/signer-client.ts'
import type { WorkerPluginService } from '../../worker-thread-services.ts'
import type { IssuerSnapshot } from '../main/issuers.ts'
import { createJwksVerifier, type JwksVerifier } from './jwks-verifier.ts'
import type { AssertionClaims } from './client-auth.ts'
import { IdpCallRecorder } from '../shared/oidc-metrics.ts'
import { clusterCacheStatsByItem, type ClusterCacheStats, type ClusterItemName } from '../shared/cluster-cache-stats.ts'
import { OIDC_PLUGIN, type OidcToMain, type OidcToWorker, type OidcWorkerData } from '../shared/messages.ts'

/** A worker's view of one issuer: the latest snapshot and the verifier built from its keys. */
export interface IssuerView {
  readonly snapshot: IssuerSnapshot
  readonly verifier: JwksVerifier
}

// A worker has at most one rediscovery ask per issuer outstanding: callers meanwhile wait for its answer
// (the main thread always answers, with a snapshot or 'issuer-unavailable', and throttles by
// rediscovery_lifetime itself), so a burst of requests is one message. An ask not answered within
// REDISCOVER_WAIT_MS is presumed lost and may be sent again.
// How long a caller waits for a rediscovery before giving up on this request.
const REDISCOVER_WAIT_MS = 5000
// After the main thread found an issuer unavailable, callers in this window get null at once rather
// than another ask (the answer would be the same: the main thread retries a failed issuer every 5 s).
const UNAVAILABLE_ANSWER_MS = 1000

export class OidcWorkerService implements WorkerPluginService {
  readonly cache: TokenCacheHandle
  readonly settings: Settings
  /** keep-alive connections to IdPs, shared by every plugin instance of this worker */
  readonly #dispatchers = new Map<string, Dispatcher>()
  readonly #keepAliveMs: number
  readonly logger: Logger
  /** counts and times this worker's token endpoint calls for /metrics */
  readonly idpCalls: IdpCallRecorder
  /** counts and times this worker's introspection endpoint calls for /metrics */
  readonly introspectionCalls: IdpCallRecorder
  /** counts the Redis level's hits, misses, writes, errors and lock waits for /metrics, by item */
  readonly clusterCache: Readonly<Record<ClusterItemName, ClusterCacheStats>>
  readonly #signer: SignerClient
  readonly #parent: MessagePort
  readonly #issuers = new Map<string, IssuerView>()
  /** when the outstanding rediscovery ask of an issuer was sent; absent once it was answered */
  readonly #asked = new Map<string, number>()
  /** when the main thread last answered that an issuer is unavailable */
  readonly #unavailableAt = new Map<string, number>()
  readonly #waiting = new Map<string, Array<(view: IssuerView | null) => void>>()
  /** per issuer, who must hear that its keys changed (a verified grant holds only while its key does) */
  readonly #keyListeners = new Map<string, Set<() => void>>()

  constructor (settings: Settings, data: OidcWorkerData, parent: MessagePort, logger: Logger) {
    this.cache = data.cache
    this.settings = settings
    this.logger = logger
    this.#parent = parent
    this.#signer = new SignerClient(data.signerPort)
    this.idpCalls = new IdpCallRecorder(data.idpCalls, data.lane)
    this.introspectionCalls = new IdpCallRecorder(data.introspectionCalls, data.lane)
    this.clusterCache = clusterCacheStatsByItem(data.clusterCache)
    this.#keepAliveMs = settings.upstream_keepalive_idle_timeout * 1000
    for (const snapshot of data.snapshots) this.#setSnapshot(snapshot)
  }

  /**
   * The connection pool for IdP calls with these options (the plugin's ssl_verify and keepalive): at most
   * four, shared by every plugin instance of this worker, so keep-alive connections outlive reloads.
   */
  dispatcher (sslVerify: boolean, keepAlive: boolean): Dispatcher {
    const key = `${sslVerify ? 'v' : 'n'}${keepAlive ? 'k' : 'c'}`
    let agent = this.#dispatchers.get(key)
    if (agent === undefined) {
      agent = new Agent({
        connect: { rejectUnauthorized: sslVerify },
        keepAliveTimeout: keepAlive ? this.#keepAliveMs : 1,
        // pipelining 0: undici closes each connection after its response (keepalive off)
        pipelining: keepAlive ? 1 : 0,
        connections: null
      })
      this.#dispatchers.set(key, agent)
    }
    return agent
  }

  /** Calls `listener` whenever the keys of this issuer change; returns the unsubscribe. */
  onKeysChanged (discoveryUrl: string, listener: () => void): () => void {
    let listeners = this.#keyListeners.get(discoveryUrl)
    if (listeners === undefined) this.#keyListeners.set(discoveryUrl, listeners = new Set())
    listeners.add(listener)
    return () => { listeners.delete(listener) }
  }

  issuer (discoveryUrl: string): IssuerView | null {
    return this.#issuers.get(discoveryUrl) ?? null
  }

  /**
   * Signs a client assertion with the gateway's key for `alg`, on the main thread's signing pool.
   * `timeoutMs`: the plugin's `timeout`, so a hung signer costs a caller no more than a hung IdP would.
   */
  sign (claims: AssertionClaims, alg: string, jwk: JWK | null, timeoutMs: number): Promise<string> {
    // jwk null: the main thread signs with the gateway's own key for alg (private keys stay there)
    return this.#signer.sign({ jwk, alg, claims: claims as unknown as Readonly<Record<string, unknown>> }, timeoutMs)
  }

  /**
   * Asks the main thread for a fresh discovery (unknown kid, no discovery yet) and resolves with the next
   * snapshot of that issuer, or null when none came in time or the IdP was just found unreachable.
   */
  rediscover (discoveryUrl: string, reason: string): Promise<IssuerView | null> {
    const now = Date.now()
    if (this.#recentlyUnavailable(discoveryUrl, now)) return Promise.resolve(null)
    const waiting = this.#waitFor(discoveryUrl)
    this.#ask(discoveryUrl, reason, now)
    return waiting
  }

  /** Asks for discovery without waiting (the first request for an issuer the main thread has not reached). */
  nudge (discoveryUrl: string, reason: string): void {
    const now = Date.now()
    if (!this.#recentlyUnavailable(discoveryUrl, now)) this.#ask(discoveryUrl, reason, now)
  }

  #recentlyUnavailable (discoveryUrl: string, now: number): boolean {
    return !this.#asked.has(discoveryUrl) && now - (this.#unavailableAt.get(discoveryUrl) ?? -Infinity) < UNAVAILABLE_ANSWER_MS
  }

  #ask (discoveryUrl: string, reason: string, now: number): void {
    const sent = this.#asked.get(discoveryUrl)
    if (sent !== undefined && now - sent < REDISCOVER_WAIT_MS) return // its answer releases every waiter
    this.#asked.set(discoveryUrl, now)
    this.#post({ op: 'rediscover', discoveryUrl, reason })
  }

  #waitFor (discoveryUrl: string): Promise<IssuerView | null> {
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

  onMessage (payload: unknown): void {
    const message = payload as OidcToWorker
    if (message.op === 'issuer') {
      this.#asked.delete(message.snapshot.discoveryUrl)
      this.#unavailableAt.delete(message.snapshot.discoveryUrl)
      this.#setSnapshot(message.snapshot)
    } else if (message.op === 'issuer-forgotten') {
      this.#issuers.delete(message.discoveryUrl)
    } else {
      this.#asked.delete(message.discoveryUrl)
      this.#unavailableAt.set(message.discoveryUrl, Date.now())
      this.#release(message.discoveryUrl, null)
    }
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
    const keep = previous !== undefined && sameKeys(previous.snapshot, snapshot)
    const verifier = keep ? previous.verifier : createJwksVerifier(snapshot.jwks)
    const view: IssuerView = { snapshot, verifier }
    this.#issuers.set(snapshot.discoveryUrl, view)
    if (previous !== undefined && !keep) for (const listener of this.#keyListeners.get(snapshot.discoveryUrl) ?? []) listener()
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
