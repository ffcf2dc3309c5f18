// Everything the openid-connect access phase does off its hot path: finding the caller's credentials,
// Tollgate's broker check, the shared-cache protocol (fill, wait, renew ahead, negative and stale
// entries) and the token request itself. One OidcFlow per plugin instance per worker; every value that
// depends only on config is computed in the constructor. With cluster_cache_strategy redis, a fill (or a
// renewal) asks the second level, Redis, before the IdP (#obtain; cluster-cache.ts); a hit never does.

import { createHash, timingSafeEqual } from 'node:crypto'
import type { JWK } from 'jose'
import type { Dispatcher } from 'undici'
import { FILL, HIT, NEGATIVE, RENEW, STALE, TokenCache, WAIT, type LookupStatus } from '../../../cache/index.ts'
import { errorCode, hasCode, IdpError } from '../../../core/errors.ts'
import { isSignerFailure } from '../../../workers/signer-client.ts'
import type { PhaseResult, ProxyContext } from '../../types.ts'
import { chooseClientAuthMethod, privateKeyJwt, secretClientAuthentication, type ClientAuthentication } from './client-auth.ts'
import { createCacheKeyParts, tokenCacheKey, type CacheKeyParts } from './cache-key.ts'
import { CredentialMemo } from './credential-memo.ts'
import { bodyKind, findClientCredentials, type ClientCredentials, type CredentialLocation } from './credentials.ts'
import { createErrorResponder, type ErrorResponder } from './errors-response.ts'
import { hideBodyCredentials, hideCredentials } from './hide-credentials.ts'
import { issuerIdentity, normalizeIssuerUrl } from '../shared/issuer-url.ts'
import { completeSigningJwk } from '../config/jwk-schema.ts'
import { requestToken, type TokenResponse } from './token-endpoint.ts'
import { performance } from 'node:perf_hooks'
import type { IdpOutcome } from '../shared/oidc-metrics.ts'
import { IDP_TIMEOUT, isIdpRejection, TOKEN_EXPIRED } from './token-errors.ts'
import { createExpiryRules, isExpiredOnArrival, tokenExpiresAt, type ExpiryRules } from './token-expiry.ts'
import { buildTokenRequest, createTokenRequestTemplate, type TokenRequestTemplate } from './token-request.ts'
import { createTokenValueCodec, type CachedToken, type TokenValueCodec } from './token-value.ts'
import { serveGrant, type BuildGrant, type Grant } from './grant.ts'
import { clearConsumerHeaders } from '../../consumer-headers.ts'
import { decodeUnverified, type VerifiedToken } from './verify-token.ts'
import { IssuerVerifier } from './issuer-verifier.ts'
import type { IssuerView, OidcWorkerService } from './worker-service.ts'
import type { OidcConfig } from './oidc-config.ts'
import type { RedisClients } from '../../../redis/clients.ts'
import type { ClusterCache } from './cluster-cache.ts'
import { createClusterCache } from './cluster-cache-items.ts'

export type { OidcConfig } from './oidc-config.ts'

/** Credentials already resolved for one Authorization header value (the hot path's memo). */
export interface KnownCredential {
  readonly digest: Uint8Array
  readonly clientId: string
  readonly clientSecret: string
  readonly broker: Broker | null
}

/** A configured client the gateway authenticates for with its own private_key_jwt (broker mode). */
interface Broker {
  readonly secretDigest: Buffer
  readonly alg: string
  /** the client's own key from client_jwk, with alg and kid; null: the gateway's generated key for alg */
  readonly jwk: JWK | null
  /** the broker part of the token cache key: a changed key or alg cannot reach tokens fetched with the old */
  readonly keyTag: string
}

interface FetchedToken {
  readonly bytes: Uint8Array
  readonly expiresAt: number
  readonly decoded: CachedToken | null
}

// cache_ttl_neg unset: a rejected credential still gets a short negative entry so that a client looping
// with a wrong secret cannot hammer the IdP. A new secret is a new key, so this never delays a fix.
const DEFAULT_NEGATIVE_TTL_SECONDS = 10

export class OidcFlow {
  readonly cache: TokenCache<CachedToken | null> | null
  readonly memo = new CredentialMemo()
  readonly staleMs: number
  readonly upstreamHeader: string
  readonly hideCredentials: boolean
  readonly #config: OidcConfig
  readonly #service: OidcWorkerService
  readonly #discoveryUrl: string
  readonly #errors: ErrorResponder
  readonly #codec: TokenValueCodec
  /** the codec's decode, plus the token's grant when the instance reads claims */
  readonly #decode: (bytes: Uint8Array) => CachedToken | null
  readonly #keyParts: CacheKeyParts
  readonly #template: TokenRequestTemplate
  readonly #expiry: ExpiryRules
  readonly #negativeTtlMs: number
  readonly #brokers: ReadonlyMap<string, Broker>
  readonly #dispatcher: Dispatcher
  readonly #memoHeader: boolean
  readonly #issuer: IssuerVerifier
  /** the Redis level (cluster_cache_strategy redis with the item `tokens`); null: off */
  readonly #cluster: ClusterCache | null
  readonly #redis: RedisClients | null

  /**
   * `pluginId`: the plugin entity's stable id, the default cache_tokens_salt (cache-key.ts); `errors`: the
   * instance's responses (with `anonymous`, a refusal lets the request on as that consumer); `buildGrant`:
   * when the instance reads the tokens' claims (grant.ts needsGrant), what each token grants; `redis`: the
   * worker's Redis clients (the cluster cache acquires one, close() releases it)
   */
  constructor (config: OidcConfig, service: OidcWorkerService, pluginId: string,
    errors: ErrorResponder = createErrorResponder(config, config.issuer), buildGrant: BuildGrant | null = null,
    redis: RedisClients | null = null) {
    this.#config = config
    this.#service = service
    this.#discoveryUrl = normalizeIssuerUrl(config.issuer)
    this.#issuer = new IssuerVerifier(service, this.#discoveryUrl, config, 'client_credentials')
    this.#errors = errors
    this.#codec = createTokenValueCodec(config.upstream_access_token_header)
    this.#keyParts = createCacheKeyParts(config, issuerIdentity(config.issuer), pluginId)
    this.#template = createTokenRequestTemplate(config)
    this.#expiry = createExpiryRules(config)
    this.#negativeTtlMs = (config.cache_ttl_neg ?? DEFAULT_NEGATIVE_TTL_SECONDS) * 1000
    this.#brokers = brokers(config)
    this.#dispatcher = service.dispatcher(config.ssl_verify, config.keepalive)
    this.staleMs = (config.cache_ttl_resurrect ?? 0) * 1000
    this.upstreamHeader = this.#codec.header?.name ?? 'authorization'
    this.hideCredentials = config.hide_credentials
    // the hot path (handler.ts) consults the memo only when the header is the first place looked at
    this.#memoHeader = config.client_credentials_param_type[0] === 'header'
    this.#decode = buildGrant === null
      ? this.#codec.decode
      : (bytes) => withGrant(this.#codec.decode(bytes), buildGrant)
    this.cache = config.cache_tokens ? new TokenCache(service.cache, { decode: this.#decode }) : null
    this.#redis = redis
    this.#cluster = this.cache === null ? null : createClusterCache(config, service, pluginId, redis, 'tokens')
    // the first request should not be the one that finds the issuer undiscovered
    if (service.issuer(this.#discoveryUrl) === null) service.nudge(this.#discoveryUrl, 'plugin created')
  }

  /** Any request whose credentials are not memoised yet. */
  authenticate (ctx: ProxyContext): PhaseResult {
    let found
    try {
      found = findClientCredentials(ctx, this.#config.client_credentials_param_type)
    } catch (err) {
      return this.#reject(ctx, err)
    }
    if (found instanceof Promise) return found.then((c) => this.#withBodyCredentials(ctx, c))
    return this.#withCredentials(ctx, found)
  }

  // Only a lookup that read the body ends here. hide_credentials must strip credentials found in it from
  // the body sent upstream (the header and query forms are stripped in hide()).
  async #withBodyCredentials (ctx: ProxyContext, credentials: ClientCredentials | null): Promise<void> {
    if (credentials?.location === 'body' && this.hideCredentials) {
      const kind = bodyKind(ctx.req.headers['content-type'])
      // found in the body: it was read whole, and readBody gives the same buffer again
      const body = await ctx.readBody()
      if (kind !== null && body !== null) ctx.replaceBody(hideBodyCredentials(kind, body))
    }
    return await this.#withCredentials(ctx, credentials)
  }

  #withCredentials (ctx: ProxyContext, credentials: ClientCredentials | null): PhaseResult {
    if (credentials === null) return this.#errors.unauthorized(ctx, 'no suitable authorization credentials were provided')
    const { clientId, clientSecret, location } = credentials
    const broker = this.#brokers.get(clientId) ?? null
    if (broker !== null && !secretMatches(broker.secretDigest, clientSecret)) {
      return this.#errors.unauthorized(ctx, 'invalid client credentials')
    }
    const digest = tokenCacheKey(this.#keyParts, clientId, clientSecret, broker?.keyTag ?? null)
    const known: KnownCredential = { digest, clientId, clientSecret, broker }
    const cache = this.cache
    if (cache === null) return this.#fetchUncached(ctx, known, location)
    const authorization = ctx.req.headers.authorization
    const result = this.resolve(ctx, known, cache.lookup(known.digest, this.staleMs), location)
    if (location !== 'header' || !this.#memoHeader || authorization === undefined) return result
    // memoised only once a token was applied (the IdP or the cache accepted these credentials), never
    // on a refusal: every refusal path ends the request (ctx.responded)
    if (result === undefined) return this.#remember(ctx, authorization, known)
    return result.then(() => this.#remember(ctx, authorization, known))
  }

  #remember (ctx: ProxyContext, authorization: string, known: KnownCredential): void {
    // a refusal either answered (responded) or, with `anonymous`, let the request on as the anonymous
    // consumer (errors-response.ts): neither is an accepted credential
    if (!ctx.responded && ctx.upstreamHeaders['x-anonymous-consumer'] === undefined) this.memo.remember(authorization, known)
  }

  /** Continues from a cache lookup status (the hot path hands over everything but a plain hit). */
  resolve (ctx: ProxyContext, known: KnownCredential, status: LookupStatus, location: CredentialLocation = 'header'): PhaseResult {
    const cache = this.cache!
    switch (status) {
      case HIT:
      case STALE:
        return this.#apply(ctx, cache.value, location)
      case RENEW: {
        const value = cache.value
        this.#renew(known, value?.expiresAt ?? 0)
        return this.#apply(ctx, value, location)
      }
      case NEGATIVE:
        return this.#errors.unauthorized(ctx, 'the identity provider rejected these credentials')
      case FILL:
        return this.#fill(ctx, known, location, cache.value)
      case WAIT:
        return this.#wait(ctx, known, location)
    }
  }

  async #wait (ctx: ProxyContext, known: KnownCredential, location: CredentialLocation): Promise<void> {
    const outcome = await this.cache!.wait(known.digest, this.staleMs)
    switch (outcome.status) {
      case FILL: return await this.#fill(ctx, known, location, outcome.value)
      case NEGATIVE: return this.#errors.unauthorized(ctx, 'the identity provider rejected these credentials')
      case RENEW: this.#renew(known, outcome.value?.expiresAt ?? 0)
    }
    this.#apply(ctx, outcome.value, location)
  }

  async #fill (ctx: ProxyContext, known: KnownCredential, location: CredentialLocation, fallback: CachedToken | null): Promise<void> {
    const cache = this.cache!
    let token: FetchedToken
    try {
      token = await this.#obtain(known, 0)
    } catch (err) {
      const rejected = isIdpRejection(err)
      // the assertion was never signed, so the IdP was never asked: nothing to cache, and a waiter
      // takes the fill over rather than being told the credentials failed
      if (isSignerFailure(err)) cache.abandon(known.digest)
      else cache.fail(known.digest, rejected ? this.#negativeTtlMs : 0)
      // cache_ttl_resurrect: while the IdP fails (not when it refuses), the last token may still serve
      if (!rejected && fallback !== null) return this.#apply(ctx, fallback, location)
      return this.#reject(ctx, err)
    }
    cache.complete(known.digest, token.bytes, token.expiresAt, { value: token.decoded })
    this.#apply(ctx, token.decoded, location)
  }

  async #fetchUncached (ctx: ProxyContext, known: KnownCredential, location: CredentialLocation): Promise<void> {
    let token: FetchedToken
    try {
      token = await this.#fetch(known)
    } catch (err) {
      return this.#reject(ctx, err)
    }
    this.#apply(ctx, token.decoded, location)
  }

  /** Renew ahead of expiry in the background; the still-valid token keeps serving meanwhile. */
  #renew (known: KnownCredential, renewing: number): void {
    const cache = this.cache!
    // across nodes: a token another node renewed already (expiring after this one) serves, and one node asks
    this.#obtain(known, renewing).then(
      (token) => { cache.complete(known.digest, token.bytes, token.expiresAt, { value: token.decoded }) },
      (err: unknown) => {
        cache.fail(known.digest, 0)
        this.#service.logger.log('warn', 'oidc_token_renewal_failed', { issuer: this.#config.issuer, error: safeError(err) })
      }
    )
  }

  #apply (ctx: ProxyContext, token: CachedToken | null, location: CredentialLocation): void {
    if (token === null) return this.#errors.unauthorized(ctx, 'the cached token could not be read')
    if (token.grant !== null) return this.serve(ctx, token.grant, location)
    const headers = ctx.upstreamHeaders
    headers[this.upstreamHeader] = token.upstreamValue
    clearConsumerHeaders(headers)
    if (this.hideCredentials) this.hide(ctx, location)
  }

  /** A token whose claims this instance reads: the caller's credentials hidden, then its grant served. */
  serve (ctx: ProxyContext, grant: Grant, location: CredentialLocation): void {
    if (this.hideCredentials && grant.refusal === null) hideCredentials(ctx, location)
    serveGrant(ctx, grant, this.#errors)
  }

  hide (ctx: ProxyContext, location: CredentialLocation): void {
    // the upstream header was just set: when it is Authorization, it must survive hiding the Basic one
    const value = ctx.upstreamHeaders[this.upstreamHeader]
    hideCredentials(ctx, location)
    ctx.upstreamHeaders[this.upstreamHeader] = value
  }

  #reject (ctx: ProxyContext, err: unknown): void {
    const code = errorCode(err) ?? undefined
    const reason = safeError(err).message
    if (!isIdpRejection(err)) this.#service.logger.log('warn', 'oidc_token_failed', { issuer: this.#config.issuer, code, reason })
    if (code === TOKEN_EXPIRED) return this.#errors.expired(ctx, reason)
    if ((err as { status?: unknown } | null)?.status === 413) return ctx.exit(413, 'Request size limit exceeded')
    this.#errors.unauthorized(ctx, reason)
  }

  /**
   * The token for a first-level fill or renewal: from Redis when another node shared one expiring after
   * `notBefore`; else from the IdP, one node at a time (the lock's winner asks, the others wait for its
   * token, bounded by the plugin's timeout, then ask themselves), shared when fetched.
   */
  async #obtain (known: KnownCredential, notBefore: number): Promise<FetchedToken> {
    const cluster = this.#cluster
    if (cluster === null) return await this.#fetch(known)
    return await cluster.obtain(known.digest, notBefore, async () => await this.#fetch(known), this.#fromCluster)
  }

  /**
   * A token another node shared (its bytes already opened and checked unexpired by cluster-cache.ts); null
   * when this instance cannot read it, which obtain() treats as no shared token. One function per instance.
   */
  readonly #fromCluster = (bytes: Uint8Array): FetchedToken | null => {
    const decoded = this.#decode(bytes)
    return decoded === null ? null : { bytes, expiresAt: decoded.expiresAt, decoded }
  }

  async #fetch (known: KnownCredential): Promise<FetchedToken> {
    const config = this.#config
    const view = await this.#issuerView()
    const endpoint = config.token_endpoint ?? view?.snapshot.tokenEndpoint ?? null
    if (endpoint === null) throw new IdpError('the identity provider is not discovered yet (no token endpoint)', 'IDP_DISCOVERY_MISSING')
    const auth = await this.#clientAuthentication(known, endpoint, view)
    const response = await this.#requestToken(endpoint, auth)
    const verified = await this.#verify(response.accessToken, view)
    if (isExpiredOnArrival(this.#expiry, verified.exp)) throw new IdpError('The access token expired', TOKEN_EXPIRED)
    const expiresAt = tokenExpiresAt(this.#expiry, response.expiresIn, verified.exp)
    const bytes = this.#codec.encode({ accessToken: response.accessToken, tokenType: response.tokenType, expiresAt })
    return { bytes, expiresAt, decoded: this.#decode(bytes) }
  }

  /** The token endpoint call itself, counted and timed for /metrics. */
  async #requestToken (endpoint: string, auth: ClientAuthentication): Promise<TokenResponse> {
    const started = performance.now()
    const recorder = this.#service.idpCalls
    try {
      const response = await requestToken(this.#dispatcher, endpoint, buildTokenRequest(this.#template, auth), this.#config.timeout)
      recorder.record('success', performance.now() - started)
      return response
    } catch (err) {
      recorder.record(idpOutcome(err), performance.now() - started)
      throw err
    }
  }

  async #clientAuthentication (known: KnownCredential, endpoint: string, view: IssuerView | null): Promise<ClientAuthentication> {
    if (known.broker !== null) {
      const broker = known.broker
      return await privateKeyJwt(known.clientId, endpoint, broker.alg, (claims, alg) => this.#service.sign(claims, alg, broker.jwk, this.#config.timeout))
    }
    const method = chooseClientAuthMethod(this.#config.token_endpoint_auth_method, view?.snapshot.authMethods ?? null)
    return await secretClientAuthentication(method, known.clientId, known.clientSecret, endpoint, this.#config.client_alg?.[0] ?? null)
  }

  async #issuerView (): Promise<IssuerView | null> {
    return await this.#issuer.view()
  }

  async #verify (token: string, view: IssuerView | null): Promise<VerifiedToken> {
    return await this.#issuer.verify(token, view)
  }

  close (): void {
    this.memo.clear()
    if (this.#cluster !== null) {
      this.#cluster.clear()
      this.#redis?.release(this.#cluster.redis)
    }
  }
}

/**
 * client_id[i] with client_auth[i] = private_key_jwt and a client_secret[i]: the gateway checks the secret.
 * Only entry i of each companion array applies (the schema requires one per client in broker mode): Kong's
 * fallback to the first entry would let client_secret[0] unlock client_id[i]'s token.
 */
function brokers (config: OidcConfig): Map<string, Broker> {
  const map = new Map<string, Broker>()
  const ids = config.client_id ?? []
  ids.forEach((id, i) => {
    const secret = config.client_secret?.[i]
    if (config.client_auth?.[i] !== 'private_key_jwt' || secret === undefined || secret === '') return
    const given = config.client_jwk?.[i] ?? null
    const clientAlg = config.client_alg?.[i] ?? null
    let jwk: JWK | null = null
    if (given !== null) {
      const completed = completeSigningJwk(given, clientAlg, i)
      // the schema reports this at load; a config that skipped it must not fail on every request instead
      if (completed.issue !== null) throw new TypeError(`openid-connect config.${completed.issue.path}: ${completed.issue.message}`)
      jwk = completed.jwk
    }
    const alg = jwk?.alg ?? clientAlg ?? 'RS256'
    map.set(id, { secretDigest: sha256(secret), alg, jwk, keyTag: brokerKeyTag(alg, jwk) })
  })
  return map
}

/** What the broker part of the token cache key says about the key a broker signs with (cache-key.ts). */
function brokerKeyTag (alg: string, jwk: JWK | null): string {
  if (jwk === null) return `private_key_jwt:${alg}:gateway`
  const material = Object.keys(jwk).sort().map((member) => [member, (jwk as Record<string, unknown>)[member]])
  return `private_key_jwt:${alg}:${createHash('sha256').update(JSON.stringify(material)).digest('base64url')}`
}

function sha256 (value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

// Comparing digests keeps the comparison constant-time whatever the lengths of the two secrets.
function secretMatches (expected: Buffer, given: string): boolean {
  return timingSafeEqual(expected, sha256(given))
}

function safeError (err: unknown): { message: string } {
  return { message: err instanceof Error ? err.message : 'unknown error' }
}

function idpOutcome (err: unknown): IdpOutcome {
  if (isIdpRejection(err)) return 'rejected'
  return hasCode(err, IDP_TIMEOUT) ? 'timeout' : 'error'
}

/** The cached token with what it grants; decoded once per slot version and worker, never on a hit. */
function withGrant (token: CachedToken | null, buildGrant: BuildGrant): CachedToken | null {
  if (token === null) return null
  const grant = buildGrant({ token: token.accessToken, payload: decodeUnverified(token.accessToken), introspection: null, expiresAt: token.expiresAt, fetched: true })
  return { ...token, grant }
}
