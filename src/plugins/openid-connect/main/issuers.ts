// The main thread's registry of OpenID issuers: discovery and JWKS are fetched once per issuer for the
// whole gateway (Kong does it per nginx worker), in the background, and pushed to proxy workers as
// snapshots through onChange. Startup never waits on an IdP and never fails because one is down.
// Throttling follows Kong: a rediscovery at most every `rediscovery_lifetime` seconds, 5 s after a failure;
// a failed issuer is also retried on its own every 5 s, so the gateway recovers without traffic.

import { Agent } from 'undici'
import type { Dispatcher } from 'undici'
import type { JWK } from 'jose'
import { errorCode, IdpError } from '../../../core/errors.ts'
import { fetchIdpJson } from './discovery-fetch.ts'
import { issuerId, issuerIdentity, loggableUrl, normalizeIssuerUrl } from '../shared/issuer-url.ts'

export { normalizeIssuerUrl } from '../shared/issuer-url.ts'

/** What a proxy worker needs of an issuer; structured-cloneable. */
export interface IssuerSnapshot {
  /** the discovery document's `issuer` (the configured identity when the document has none) */
  readonly issuer: string
  readonly discoveryUrl: string
  readonly tokenEndpoint: string | null
  /** token_endpoint_auth_methods_supported, null when discovery does not list them */
  readonly authMethods: readonly string[] | null
  /** introspection_endpoint (RFC 8414 §2, RFC 7662), null when discovery has none */
  readonly introspectionEndpoint: string | null
  /** introspection_endpoint_auth_methods_supported, null when discovery does not list them */
  readonly introspectionAuthMethods: readonly string[] | null
  readonly jwks: readonly JWK[]
  /** epoch milliseconds of the discovery that produced this snapshot */
  readonly updatedAt: number
}

/** An issuer as Kong's Admin API shows it (GET /openid-connect/issuers). */
export interface IssuerEntry {
  readonly id: string
  readonly issuer: string
  readonly configuration: Readonly<Record<string, unknown>>
  readonly keys: readonly JWK[]
  readonly created_at: number
}

export type IssuerLogger = (level: 'debug' | 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) => void

export interface EnsureOptions {
  /** seconds between two rediscoveries (Kong's rediscovery_lifetime, 30) */
  readonly rediscoveryLifetimeSec?: number
  /** milliseconds for each IdP call (Kong's timeout, 10000) */
  readonly timeoutMs?: number
  readonly sslVerify?: boolean
}

export interface IssuerRegistryOptions {
  /** default per-issuer timeout in milliseconds (10000) */
  readonly timeoutMs?: number
  /** clock in epoch milliseconds, for throttling and timestamps (Date.now) */
  readonly now?: () => number
  readonly logger?: IssuerLogger
  /** wait after a failed discovery before the next one, in milliseconds (Kong's 5 s) */
  readonly retryAfterFailureMs?: number
}

interface Settings { lifetimeMs: number, timeoutMs: number, sslVerify: boolean }

interface IssuerRecord {
  readonly discoveryUrl: string
  readonly identity: string
  readonly id: string
  readonly createdAt: number
  settings: Settings
  configuration: Record<string, unknown> | null
  keys: JWK[]
  updatedAt: number
  snapshot: IssuerSnapshot | null
  lastAttemptAt: number
  failure: string | null
  inflight: Promise<IssuerSnapshot | null> | null
  retryTimer: NodeJS.Timeout | null
}

type ChangeListener = (snapshot: IssuerSnapshot) => void

export class IssuerRegistry {
  readonly #records = new Map<string, IssuerRecord>()
  /** identity and settings per discovery URL, kept across Admin deletes so "rediscover on next need" works */
  readonly #known = new Map<string, { identity: string, settings: Settings }>()
  readonly #listeners = new Set<ChangeListener>()
  readonly #forgetListeners = new Set<(discoveryUrl: string) => void>()
  readonly #agents = new Map<boolean, Agent>()
  readonly #timeoutMs: number
  readonly #now: () => number
  readonly #log: IssuerLogger
  readonly #retryAfterFailureMs: number
  #closed = false

  constructor (options: IssuerRegistryOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#now = options.now ?? Date.now
    this.#log = options.logger ?? noLog
    this.#retryAfterFailureMs = options.retryAfterFailureMs ?? 5_000
  }

  /** Registers an issuer and starts its discovery in the background; never throws, never waits. */
  ensure (issuer: string, options: EnsureOptions = {}): void {
    if (this.#closed) return
    const discoveryUrl = normalizeIssuerUrl(issuer)
    const settings: Settings = {
      lifetimeMs: (options.rediscoveryLifetimeSec ?? 30) * 1000,
      timeoutMs: options.timeoutMs ?? this.#timeoutMs,
      sslVerify: options.sslVerify ?? true
    }
    // A reload may change the settings: the latest config wins. The identity is the first one seen.
    this.#known.set(discoveryUrl, { identity: this.#known.get(discoveryUrl)?.identity ?? issuerIdentity(issuer), settings })
    const record = this.#records.get(discoveryUrl)
    if (record !== undefined) {
      record.settings = settings
      return
    }
    this.#refresh(this.#create(discoveryUrl), 'configured') // never rejects: failures are logged and retried
  }

  /**
   * Asks for a fresh discovery (a worker saw an unknown kid, or has no discovery yet). Throttled by the
   * issuer's rediscovery lifetime (5 s after a failure); concurrent calls share one fetch. Resolves to the
   * snapshot after it (the current one when throttled, null when none); never rejects.
   */
  rediscover (issuer: string, reason: string): Promise<IssuerSnapshot | null> {
    const discoveryUrl = normalizeIssuerUrl(issuer)
    let record = this.#records.get(discoveryUrl)
    if (record === undefined) {
      if (this.#closed || !this.#known.has(discoveryUrl)) return Promise.resolve(null)
      record = this.#create(discoveryUrl)
      return this.#refresh(record, reason)
    }
    if (record.inflight !== null) return record.inflight
    const gap = record.failure === null ? record.settings.lifetimeMs : this.#retryAfterFailureMs
    if (this.#now() - record.lastAttemptAt < gap) {
      this.#log('debug', 'oidc.discovery.throttled', { issuer: loggableUrl(record.identity), reason })
      return Promise.resolve(record.snapshot)
    }
    return this.#refresh(record, reason)
  }

  /** The current snapshot of an issuer (config value or discovery URL), null before its first discovery. */
  snapshot (issuer: string): IssuerSnapshot | null {
    return this.#records.get(normalizeIssuerUrl(issuer))?.snapshot ?? null
  }

  snapshots (): IssuerSnapshot[] {
    const snapshots: IssuerSnapshot[] = []
    for (const record of this.#records.values()) if (record.snapshot !== null) snapshots.push(record.snapshot)
    return snapshots
  }

  /** Resolves once the discovery in flight (if any) has finished: for tests and start-up diagnostics. */
  whenReady (issuer: string): Promise<IssuerSnapshot | null> {
    const record = this.#records.get(normalizeIssuerUrl(issuer))
    return record?.inflight ?? Promise.resolve(record?.snapshot ?? null)
  }

  list (): IssuerEntry[] {
    const entries: IssuerEntry[] = []
    for (const record of this.#records.values()) if (record.configuration !== null) entries.push(toEntry(record))
    return entries
  }

  /** An issuer by id or by issuer string (either form); null when unknown or not discovered yet. */
  get (idOrIssuer: string): IssuerEntry | null {
    const record = this.#find(idOrIssuer)
    return record === undefined || record.configuration === null ? null : toEntry(record)
  }

  /** Forgets an issuer's discovery; it is rediscovered on next need. */
  delete (idOrIssuer: string): boolean {
    const record = this.#find(idOrIssuer)
    if (record === undefined) return false
    this.#drop(record)
    return true
  }

  deleteAll (): void {
    for (const record of [...this.#records.values()]) this.#drop(record)
  }

  /** Calls `listener` with the new snapshot whenever an issuer's discovery or keys change. Returns an unsubscribe. */
  onChange (listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /** Calls `listener` with the discovery URL of each issuer Admin deletes. Returns an unsubscribe. */
  onForget (listener: (discoveryUrl: string) => void): () => void {
    this.#forgetListeners.add(listener)
    return () => { this.#forgetListeners.delete(listener) }
  }

  async close (): Promise<void> {
    this.#closed = true
    this.deleteAll()
    const agents = [...this.#agents.values()]
    this.#agents.clear()
    // destroy, not close: a hanging IdP must not hold the gateway's shutdown for a whole timeout
    await Promise.all(agents.map((agent) => agent.destroy()))
  }

  #create (discoveryUrl: string): IssuerRecord {
    const known = this.#known.get(discoveryUrl)
    const identity = known?.identity ?? issuerIdentity(discoveryUrl)
    const record: IssuerRecord = {
      discoveryUrl,
      identity,
      id: issuerId(identity),
      createdAt: Math.floor(this.#now() / 1000),
      settings: known?.settings ?? { lifetimeMs: 30_000, timeoutMs: this.#timeoutMs, sslVerify: true },
      configuration: null,
      keys: [],
      updatedAt: 0,
      snapshot: null,
      lastAttemptAt: -Infinity,
      failure: null,
      inflight: null,
      retryTimer: null
    }
    this.#records.set(discoveryUrl, record)
    return record
  }

  #find (idOrIssuer: string): IssuerRecord | undefined {
    for (const record of this.#records.values()) if (record.id === idOrIssuer) return record
    return this.#records.get(normalizeIssuerUrl(idOrIssuer))
  }

  #drop (record: IssuerRecord): void {
    if (record.retryTimer !== null) clearTimeout(record.retryTimer)
    record.retryTimer = null
    this.#records.delete(record.discoveryUrl)
    if (this.#closed) return
    // holders of the snapshot (proxy workers) must drop it too, or nothing would ever "need" a rediscovery
    for (const listener of this.#forgetListeners) listener(record.discoveryUrl)
  }

  #refresh (record: IssuerRecord, reason: string): Promise<IssuerSnapshot | null> {
    record.lastAttemptAt = this.#now()
    if (record.retryTimer !== null) clearTimeout(record.retryTimer)
    record.retryTimer = null
    const inflight = this.#discover(record, reason).finally(() => { record.inflight = null })
    record.inflight = inflight
    return inflight
  }

  async #discover (record: IssuerRecord, reason: string): Promise<IssuerSnapshot | null> {
    const { timeoutMs } = record.settings
    const dispatcher = this.#agent(record.settings.sslVerify)
    try {
      const configuration = await fetchIdpJson(dispatcher, record.discoveryUrl, 'discovery', timeoutMs)
      let failure: unknown = null
      let keys = embeddedKeys(configuration)
      if (typeof configuration.jwks_uri === 'string') {
        try {
          keys = keys.concat(fetchedKeys(await fetchIdpJson(dispatcher, configuration.jwks_uri, 'jwks', timeoutMs)))
        } catch (err) {
          failure = err
          keys = record.keys // an IdP whose key endpoint fails keeps the keys it had
        }
      }
      if (this.#records.get(record.discoveryUrl) !== record) return null // deleted meanwhile
      this.#apply(record, configuration, keys)
      this.#settle(record, failure, reason)
    } catch (err) {
      if (this.#records.get(record.discoveryUrl) === record) this.#settle(record, err, reason)
    }
    return record.snapshot
  }

  #apply (record: IssuerRecord, configuration: Record<string, unknown>, keys: JWK[]): void {
    const changed = record.snapshot === null || !sameJson(record.configuration, configuration) || !sameJson(record.keys, keys)
    record.configuration = configuration
    record.keys = keys
    record.updatedAt = this.#now()
    if (!changed) return
    record.snapshot = toSnapshot(record, configuration, keys)
    for (const listener of this.#listeners) {
      try {
        listener(record.snapshot)
      } catch (err) {
        this.#log('error', 'oidc.issuer.listener_failed', { issuer: loggableUrl(record.identity), error: (err as Error).message })
      }
    }
  }

  #settle (record: IssuerRecord, err: unknown, reason: string): void {
    const issuer = loggableUrl(record.identity)
    if (err === null) {
      if (record.failure !== null) this.#log('info', 'oidc.discovery.recovered', { issuer })
      else this.#log('debug', 'oidc.discovery.ok', { issuer, reason, keys: record.keys.length })
      record.failure = null
      return
    }
    const failure = errorCode(err) ?? 'IDP_UNREACHABLE'
    // Warn when an issuer starts failing or fails differently; a retry that fails the same way is debug.
    const level = record.failure === failure ? 'debug' : 'warn'
    this.#log(level, 'oidc.discovery.failed', { issuer, reason, code: failure, error: (err as Error).message })
    record.failure = failure
    if (!this.#closed) {
      record.retryTimer = setTimeout(() => { this.#retry(record) }, this.#retryAfterFailureMs)
      record.retryTimer.unref()
    }
  }

  // The timer itself is the throttle, so a retry does not consult the clock.
  #retry (record: IssuerRecord): void {
    record.retryTimer = null
    if (this.#records.get(record.discoveryUrl) === record && record.inflight === null) this.#refresh(record, 'retry')
  }

  #agent (sslVerify: boolean): Dispatcher {
    let agent = this.#agents.get(sslVerify)
    if (agent === undefined) {
      agent = new Agent({
        keepAliveTimeout: 60_000,
        connect: { timeout: this.#timeoutMs, rejectUnauthorized: sslVerify }
      })
      this.#agents.set(sslVerify, agent)
    }
    return agent
  }
}

function toSnapshot (record: IssuerRecord, configuration: Record<string, unknown>, keys: JWK[]): IssuerSnapshot {
  return Object.freeze({
    issuer: typeof configuration.issuer === 'string' ? configuration.issuer : record.identity,
    discoveryUrl: record.discoveryUrl,
    tokenEndpoint: stringOrNull(configuration.token_endpoint),
    authMethods: stringsOrNull(configuration.token_endpoint_auth_methods_supported),
    introspectionEndpoint: stringOrNull(configuration.introspection_endpoint),
    introspectionAuthMethods: stringsOrNull(configuration.introspection_endpoint_auth_methods_supported),
    jwks: keys,
    updatedAt: record.updatedAt
  })
}

function stringOrNull (value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function stringsOrNull (value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : null
}

function toEntry (record: IssuerRecord): IssuerEntry {
  return {
    id: record.id,
    issuer: record.identity,
    configuration: { ...record.configuration, updated_at: Math.floor(record.updatedAt / 1000) },
    keys: record.keys,
    created_at: record.createdAt
  }
}

function embeddedKeys (configuration: Record<string, unknown>): JWK[] {
  const jwks = configuration.jwks
  return typeof jwks === 'object' && jwks !== null ? jwkArray(jwks as Record<string, unknown>) : []
}

function fetchedKeys (jwks: Record<string, unknown>): JWK[] {
  if (!Array.isArray(jwks.keys)) throw new IdpError('the jwks endpoint answered without a "keys" array', 'IDP_BAD_RESPONSE')
  return jwkArray(jwks)
}

function jwkArray (jwks: Record<string, unknown>): JWK[] {
  const keys = jwks.keys
  if (!Array.isArray(keys)) return []
  return keys.filter((jwk): jwk is JWK => typeof jwk === 'object' && jwk !== null && typeof (jwk as JWK).kty === 'string')
}

function sameJson (a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function noLog (): void {}
