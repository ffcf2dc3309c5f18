// The openid-connect plugin as a resource server: a caller's bearer token, verified at the gateway (the
// `bearer` auth method: a JWT checked against the issuer's JWKS) or introspected at the IdP (the
// `introspection` method, RFC 7662), as Kong's handler.lua does it:
//   - a JWT is verified locally first; an opaque token, or a JWT that fails verification, is introspected
//     when introspection is enabled, and refused (401) otherwise;
//   - a verified JWT is introspected as well only with introspect_jwt_tokens (and must then be active);
//   - an inactive answer is a 401 (unless introspection_check_active is off); an IdP failure is a 401 too,
//     never a 200 and never cached.
// What a token grants (grant.ts) is worked out once and cached: a verified JWT's grant in this worker's
// bearer memo until the token's exp (bounded in bytes by oidc_verified_token_cache_size; the memo is
// dropped when the issuer's keys change), an introspection answer in the shared token cache (single
// flight across workers; inactive answers cached negatively) with a per-worker memo from the request's
// header to its cache key. The hot path (handler.ts) reads both memos directly. With cluster_cache_strategy
// redis and the item `introspection`, a first-level fill (or renewal) asks Redis before the IdP, one node
// at a time (cluster-cache.ts; #answer), and shares what the IdP answered.

import { hash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { Dispatcher } from 'undici'
import { FILL, HIT, NEGATIVE, RENEW, STALE, TokenCache, WAIT, type LookupStatus } from '../../../cache/index.ts'
import { errorCode, hasCode, IdpError } from '../../../core/errors.ts'
import type { PhaseResult, ProxyContext } from '../../types.ts'
import { issuerIdentity, normalizeIssuerUrl } from '../shared/issuer-url.ts'
import { BoundedMemo } from '../../bounded-memo.ts'
import { findBearerToken, hideBearerToken, type BearerLocation, type FoundBearer } from './bearer-token.ts'
import type { ErrorResponder } from './errors-response.ts'
import { serveGrant, type BuildGrant, type Grant } from './grant.ts'
import { decodeIntrospectionValue, encodeInactiveMark, encodeIntrospectionValue, inactiveMarkUntil } from './introspection-value.ts'
import type { ClusterCache } from './cluster-cache.ts'
import { createClusterCache } from './cluster-cache-items.ts'
import type { RedisClients } from '../../../redis/clients.ts'
import {
  createIntrospectionClient, createIntrospectionTemplate, introspectionCallerArgs, introspectionClientAuthentication,
  requestIntrospection, type IntrospectionCaller, type IntrospectionClient, type IntrospectionResult, type IntrospectionTemplate
} from './introspection-endpoint.ts'
import { bodyKind } from './credentials.ts'
import type { OidcConfig } from './oidc-config.ts'
import { IDP_TIMEOUT } from './token-errors.ts'
import { createExpiryRules, tokenExpiresAt, type ExpiryRules } from './token-expiry.ts'
import { decodeUnverified, type VerifiedToken } from './verify-token.ts'
import { IssuerVerifier } from './issuer-verifier.ts'
import type { IssuerView, OidcWorkerService } from './worker-service.ts'

/** authenticate()'s answer when the request carries no bearer token: the caller tries its next method. */
export const NO_TOKEN = Symbol('no bearer token')
export type ResourceResult = PhaseResult | typeof NO_TOKEN | Promise<void | typeof NO_TOKEN>

/** Tokens up to this many characters are memoised (JWTs of a few KiB are common). */
const MAX_TOKEN_KEY_LENGTH = 16 * 1024
/** The memos find a key by its last this many characters (bounded-memo.ts indexBy). */
const TOKEN_KEY_INDEX = 32

/** A memo key for a token that did not come in the Authorization header: '\n' cannot start a header value. */
const NOT_A_HEADER = '\n'

/** What the IdP (or another node, through Redis) answered about a token, as the first level keeps it. */
interface IntrospectionAnswer {
  /** what Redis shares: the first level's value bytes (introspection-value.ts), or an inactive mark */
  readonly bytes: Uint8Array
  /** until when it holds: the grant's expiry, or the end of the inactive answer's negative TTL */
  readonly expiresAt: number
  /** what it grants; null: it does not authenticate (cached negatively until expiresAt) */
  readonly grant: Grant | null
  /** the IdP's answer when this worker asked (the refusal's wording); null: read from Redis */
  readonly result: IntrospectionResult | null
}

export class ResourceFlow {
  /** bearer grants by Authorization value (or NOT_A_HEADER + token); read by the hot path */
  readonly grants: BoundedMemo<Grant>
  /** introspection cache keys by Authorization value (or NOT_A_HEADER + token); read by the hot path */
  readonly digests: BoundedMemo<Uint8Array>
  /** the shared cache of introspection answers; null with cache_introspection off or no introspection */
  readonly introspectionCache: TokenCache<Grant | null> | null
  readonly hideCredentials: boolean
  readonly #config: OidcConfig
  readonly #service: OidcWorkerService
  readonly #errors: ErrorResponder
  readonly #discoveryUrl: string
  readonly #locations: readonly BearerLocation[]
  readonly #cookieName: string | null
  readonly #headerName: string | null
  readonly #bearer: boolean
  readonly #introspection: boolean
  readonly #buildGrant: BuildGrant
  readonly #expiry: ExpiryRules
  readonly #dispatcher: Dispatcher
  readonly #template: IntrospectionTemplate | null
  readonly #client: IntrospectionClient | null
  readonly #keyPrefix: string
  readonly #keySuffix: string
  readonly #unsubscribe: () => void
  readonly #issuer: IssuerVerifier
  /** the Redis level (cluster_cache_strategy redis with the item `introspection`); null: off */
  readonly #cluster: ClusterCache | null
  readonly #redis: RedisClients | null

  /** `redis`: the worker's Redis clients (the cluster cache acquires one, close() releases it) */
  constructor (config: OidcConfig, service: OidcWorkerService, pluginId: string, errors: ErrorResponder, buildGrant: BuildGrant,
    redis: RedisClients | null = null) {
    this.#config = config
    this.#service = service
    this.#errors = errors
    this.#discoveryUrl = normalizeIssuerUrl(config.issuer)
    this.#issuer = new IssuerVerifier(service, this.#discoveryUrl, config, null)
    this.#locations = config.bearer_token_param_type
    this.#cookieName = config.bearer_token_cookie_name
    this.#headerName = config.bearer_token_header_name?.toLowerCase() ?? null
    const methods = config.auth_methods ?? []
    this.#bearer = methods.includes('bearer')
    this.#introspection = methods.includes('introspection') || config.introspect_jwt_tokens
    this.#buildGrant = buildGrant
    this.#expiry = createExpiryRules(config)
    this.#dispatcher = service.dispatcher(config.ssl_verify, config.keepalive)
    this.#template = this.#introspection ? createIntrospectionTemplate(config) : null
    this.#client = this.#introspection ? createIntrospectionClient(config) : null
    this.hideCredentials = config.hide_credentials
    // keyed by `Bearer <token>` headers: found by their tail (a JWT's signature), and long ones accepted
    const budget = service.settings.oidc_verified_token_cache_size
    const memo = { budget, maxKeyLength: MAX_TOKEN_KEY_LENGTH, indexBy: TOKEN_KEY_INDEX }
    this.grants = new BoundedMemo<Grant>({ ...memo, sizeOf: grantSize })
    this.digests = new BoundedMemo<Uint8Array>({ ...memo, sizeOf: () => 32 })
    this.introspectionCache = this.#introspection && config.cache_introspection
      ? new TokenCache(service.cache, { decode: (bytes) => this.#decodeCached(bytes) })
      : null
    // the key names the issuer, the token, the instance (salt: its id unless cache_tokens_salt is set)
    // and what decides the answer (endpoint, client, hint, arguments): as Kong's key (cache.lua,
    // introspection: endpoint and token), narrowed so that instances asking differently never share
    const salt = config.cache_tokens_salt !== null && config.cache_tokens_salt !== '' ? config.cache_tokens_salt : pluginId
    this.#keyPrefix = `${issuerIdentity(config.issuer)}#introspection=`
    this.#keySuffix = `&${salt}&${introspectionFingerprint(config)}`
    this.#redis = redis
    this.#cluster = this.introspectionCache === null ? null : createClusterCache(config, service, pluginId, redis, 'introspection')
    // a verified grant holds only while the keys that verified it are published
    this.#unsubscribe = service.onKeysChanged(this.#discoveryUrl, () => this.grants.clear())
  }

  /** A request the hot path could not answer from the memos. `fallback`: no bearer token was found. */
  authenticate (ctx: ProxyContext): ResourceResult {
    const found = findBearerToken(ctx, this.#locations, this.#cookieName, this.#headerName)
    if (found === null) return NO_TOKEN
    if (found instanceof Promise) return found.then((token) => token === null ? NO_TOKEN : this.#withToken(ctx, token))
    return this.#withToken(ctx, found)
  }

  /** Serves a grant: its refusal, or (the caller's token hidden first, with hide_credentials) its headers. */
  apply (ctx: ProxyContext, grant: Grant, found: FoundBearer | null): void {
    if (this.hideCredentials && grant.refusal === null) {
      if (found === null) delete ctx.upstreamHeaders.authorization
      else hideBearerToken(ctx, found, this.#cookieName)
    }
    serveGrant(ctx, grant, this.#errors)
  }

  /** Continues from the shared cache's lookup of an introspected token (the hot path hands over all but HIT). */
  resolveIntrospection (ctx: ProxyContext, found: FoundBearer | null, token: string, digest: Uint8Array,
    status: LookupStatus): PhaseResult {
    const cache = this.introspectionCache!
    switch (status) {
      case HIT:
      case STALE:
        return this.#applyCached(ctx, cache.value, found)
      case RENEW: {
        const value = cache.value
        this.#refreshIntrospection(ctx, token, digest, value?.expiresAt ?? 0)
        return this.#applyCached(ctx, value, found)
      }
      case NEGATIVE:
        return this.#errors.unauthorized(ctx, 'inactive token')
      case FILL:
        return this.#fillIntrospection(ctx, found, token, digest)
      case WAIT:
        return this.#waitIntrospection(ctx, found, token, digest)
    }
  }

  close (): void {
    this.#unsubscribe()
    this.grants.clear()
    this.digests.clear()
    if (this.#cluster !== null) {
      this.#cluster.clear()
      this.#redis?.release(this.#cluster.redis)
    }
  }

  #withToken (ctx: ProxyContext, found: FoundBearer): PhaseResult {
    const key = found.source === 'authorization' ? ctx.req.headers.authorization! : NOT_A_HEADER + found.token
    const now = Date.now()
    const known = this.grants.get(key)
    if (known !== undefined) {
      if (known.expiresAt > now) return this.apply(ctx, known, found)
      this.grants.forget(key)
    }
    const digest = this.digests.get(key)
    if (digest !== undefined && this.introspectionCache !== null) {
      return this.resolveIntrospection(ctx, found, found.token, digest, this.introspectionCache.lookup(digest))
    }
    return this.#verifyOrIntrospect(ctx, found, key)
  }

  async #verifyOrIntrospect (ctx: ProxyContext, found: FoundBearer, key: string): Promise<void> {
    const token = found.token
    let verified: VerifiedToken | null = null
    let failure: unknown = null
    if (this.#bearer) {
      try {
        verified = await this.#verify(token)
      } catch (err) {
        failure = err
      }
      // an opaque token "verifies" without a payload: only introspection can tell what it is
      if (verified !== null && verified.payload === null) verified = null
    }
    if (verified !== null && !this.#config.introspect_jwt_tokens) {
      const grant = this.#buildGrant({ token, payload: verified.payload, introspection: null, expiresAt: this.#jwtExpiresAt(verified.exp) })
      this.grants.remember(key, grant)
      return this.apply(ctx, grant, found)
    }
    if (!this.#introspection) {
      return this.#errors.unauthorized(ctx, failure === null ? 'invalid bearer token' : reasonOf(failure))
    }
    await this.#introspect(ctx, found, key)
  }

  async #introspect (ctx: ProxyContext, found: FoundBearer, key: string): Promise<void> {
    const token = found.token
    const cache = this.introspectionCache
    if (cache === null) {
      let result: IntrospectionResult
      try {
        result = await this.#requestIntrospection(ctx, token)
      } catch (err) {
        return this.#reject(ctx, err)
      }
      const grant = this.#grantFor(token, result)
      if (grant === null) return this.#inactive(ctx, result)
      return this.apply(ctx, grant, found)
    }
    const digest = this.#digest(token)
    const outcome = this.resolveIntrospection(ctx, found, token, digest, cache.lookup(digest))
    if (outcome !== undefined) await outcome
    // memoised once the cache served an answer that let the request through
    if (!ctx.responded) this.digests.remember(key, digest)
  }

  async #waitIntrospection (ctx: ProxyContext, found: FoundBearer | null, token: string, digest: Uint8Array): Promise<void> {
    const outcome = await this.introspectionCache!.wait(digest)
    switch (outcome.status) {
      case FILL: return await this.#fillIntrospection(ctx, found, token, digest)
      case NEGATIVE: return this.#errors.unauthorized(ctx, 'inactive token')
      case RENEW: this.#refreshIntrospection(ctx, token, digest, outcome.value?.expiresAt ?? 0)
    }
    this.#applyCached(ctx, outcome.value, found)
  }

  async #fillIntrospection (ctx: ProxyContext, found: FoundBearer | null, token: string, digest: Uint8Array): Promise<void> {
    const cache = this.introspectionCache!
    let answer: IntrospectionAnswer
    try {
      answer = await this.#answer(ctx, token, digest, 0)
    } catch (err) {
      // an IdP that failed (or refused the gateway's own client) says nothing about the token: not cached
      cache.fail(digest, 0)
      return this.#reject(ctx, err)
    }
    this.#store(digest, answer)
    if (answer.grant === null) return this.#inactive(ctx, answer.result)
    this.apply(ctx, answer.grant, found)
  }

  /** Introspects again ahead of expiry; the answer still valid keeps serving meanwhile. */
  #refreshIntrospection (ctx: ProxyContext, token: string, digest: Uint8Array, renewing: number): void {
    const cache = this.introspectionCache!
    // across nodes: an answer another node renewed already (expiring after this one) serves, and one node asks
    this.#answer(ctx, token, digest, renewing).then((answer) => { this.#store(digest, answer) }, (err: unknown) => {
      cache.fail(digest, 0)
      this.#service.logger.log('warn', 'oidc_introspection_renewal_failed', { issuer: this.#config.issuer, error: reasonOf(err) })
    })
  }

  /** The first level's entry for an answer: its grant until it expires, or negative for its TTL. */
  #store (digest: Uint8Array, answer: IntrospectionAnswer): void {
    const cache = this.introspectionCache!
    if (answer.grant === null) cache.fail(digest, Math.max(0, answer.expiresAt - Date.now()))
    else cache.complete(digest, answer.bytes, answer.grant.expiresAt, { value: answer.grant })
  }

  /**
   * The answer for a first-level fill or renewal: from Redis when another node shared one expiring after
   * `notBefore`; else from the IdP, one node at a time (cluster-cache.ts obtain), shared when fetched.
   */
  async #answer (ctx: ProxyContext, token: string, digest: Uint8Array, notBefore: number): Promise<IntrospectionAnswer> {
    const cluster = this.#cluster
    if (cluster === null) return await this.#introspectAnswer(ctx, token)
    return await cluster.obtain(digest, notBefore, async () => await this.#introspectAnswer(ctx, token),
      (plain) => this.#sharedAnswer(token, plain))
  }

  /**
   * Asks the IdP. An inactive answer (or one already expired) becomes an inactive mark, shared like an
   * active answer. Tollgate's choice: Kong's reference (https://developer.konghq.com/plugins/openid-connect/reference/,
   * cluster_cache_items, cache_ttl_neg) names the item `introspection` and a negative cache TTL, and says
   * nothing we found on whether inactive answers are shared. An inactive answer is the IdP's word on the
   * token as much as an active one, and a client retrying a revoked token on every node would otherwise
   * cost one introspection per node; it is shared for exactly the time the first level keeps it
   * (#negativeTtlMs). An IdP failure throws, and nothing is shared.
   */
  async #introspectAnswer (ctx: ProxyContext, token: string): Promise<IntrospectionAnswer> {
    const result = await this.#requestIntrospection(ctx, token)
    const grant = this.#grantFor(token, result)
    if (grant === null) {
      const until = Date.now() + this.#negativeTtlMs(result)
      return { bytes: encodeInactiveMark(until), expiresAt: until, grant: null, result }
    }
    const bytes = encodeIntrospectionValue({ token, claims: result.claims, expiresAt: grant.expiresAt })
    return { bytes, expiresAt: grant.expiresAt, grant, result }
  }

  /** Another node's answer (opened and checked unexpired by cluster-cache.ts); null: unusable, ask the IdP. */
  #sharedAnswer (token: string, plain: Uint8Array): IntrospectionAnswer | null {
    const until = inactiveMarkUntil(plain)
    if (until !== null) return { bytes: plain, expiresAt: until, grant: null, result: null }
    const value = decodeIntrospectionValue(plain)
    // its keys derive from this token, so another token's answer cannot open here: checked all the same
    if (value === null || value.token !== token) return null
    const grant = this.#buildGrant({ token, payload: decodeUnverified(token), introspection: value.claims, expiresAt: value.expiresAt })
    return { bytes: plain, expiresAt: value.expiresAt, grant, result: null }
  }

  #applyCached (ctx: ProxyContext, grant: Grant | null, found: FoundBearer | null): void {
    if (grant === null) return this.#errors.unauthorized(ctx, 'the cached introspection result could not be read')
    this.apply(ctx, grant, found)
  }

  /** The grant of an introspection answer; null when it does not authenticate (inactive, or expired). */
  #grantFor (token: string, result: IntrospectionResult): Grant | null {
    if (this.#config.introspection_check_active && !result.active) return null
    const expiresAt = tokenExpiresAt(this.#expiry, expiresIn(result.claims), result.exp)
    if (expiresAt <= Date.now()) return null
    const payload = decodeUnverified(token)
    return this.#buildGrant({ token, payload, introspection: result.claims, expiresAt })
  }

  /** `result` null: another node's inactive answer (it kept only that it is one) */
  #inactive (ctx: ProxyContext, result: IntrospectionResult | null): void {
    if (result === null || !result.active || result.exp === null) return this.#errors.unauthorized(ctx, 'inactive token')
    this.#errors.expired(ctx, 'access token cannot be refreshed in absence of refresh token')
  }

  /**
   * How long an answer that does not authenticate stays cached: cache_ttl_neg when set; otherwise as
   * Kong caches an inactive answer, for the TTL its own expiry fields give (cache.lua), at most cache_ttl.
   */
  #negativeTtlMs (result: IntrospectionResult): number {
    if (this.#config.cache_ttl_neg !== null) return this.#config.cache_ttl_neg * 1000
    const now = Date.now()
    const until = tokenExpiresAt(this.#expiry, expiresIn(result.claims), result.exp, now)
    const ttl = until - now
    return ttl > 0 && ttl < this.#expiry.ttl * 1000 ? ttl : this.#expiry.ttl * 1000
  }

  /** A cached answer decoded for this instance: its grant (once per slot version and worker). */
  #decodeCached (bytes: Uint8Array): Grant | null {
    const value = decodeIntrospectionValue(bytes)
    if (value === null) return null
    const payload = decodeUnverified(value.token)
    return this.#buildGrant({ token: value.token, payload, introspection: value.claims, expiresAt: value.expiresAt })
  }

  #digest (token: string): Uint8Array {
    return hash('sha256', `${this.#keyPrefix}${token}${this.#keySuffix}`, 'buffer')
  }

  async #requestIntrospection (ctx: ProxyContext, token: string): Promise<IntrospectionResult> {
    const view = await this.#issuerView()
    const endpoint = this.#config.introspection_endpoint ?? view?.snapshot.introspectionEndpoint ?? null
    if (endpoint === null) throw new IdpError('introspection endpoint was not specified', 'IDP_DISCOVERY_MISSING')
    const template = this.#template!
    const auth = this.#client === null
      ? NO_CLIENT_AUTH
      : await introspectionClientAuthentication(this.#client, endpoint, view?.snapshot ?? null,
        (claims, alg) => this.#service.sign(claims, alg, this.#client!.jwk, this.#config.timeout))
    const callerArgs = template.copiesFromCaller ? introspectionCallerArgs(template, await callerOf(ctx)) : null
    const started = performance.now()
    const recorder = this.#service.introspectionCalls
    try {
      const result = await requestIntrospection(this.#dispatcher, endpoint, token, template, auth, callerArgs, this.#config.timeout)
      recorder.record('success', performance.now() - started)
      return result
    } catch (err) {
      recorder.record(hasCode(err, IDP_TIMEOUT) ? 'timeout' : 'error', performance.now() - started)
      throw err
    }
  }

  async #verify (token: string): Promise<VerifiedToken> {
    return await this.#issuer.verify(token)
  }

  async #issuerView (): Promise<IssuerView | null> {
    return await this.#issuer.view()
  }

  /** A verified JWT serves until its exp plus leeway (Kong's leeway-adjusted exp), else for cache_ttl. */
  #jwtExpiresAt (exp: number | null): number {
    if (exp !== null) return (exp + this.#expiry.leeway) * 1000
    return this.#expiry.ttl === 0 ? Number.POSITIVE_INFINITY : Date.now() + this.#expiry.ttl * 1000
  }

  #reject (ctx: ProxyContext, err: unknown): void {
    const code = errorCode(err) ?? undefined
    this.#service.logger.log('warn', 'oidc_introspection_failed', { issuer: this.#config.issuer, code, reason: reasonOf(err) })
    this.#errors.unauthorized(ctx, reasonOf(err))
  }
}

// Strings of the grant (header names and values) as characters; the rest is ENTRY_OVERHEAD_BYTES.
function grantSize (grant: Grant): number {
  let size = 0
  for (const [name, value] of grant.upstream) size += name.length + value.length
  if (grant.downstream !== null) for (const [name, value] of grant.downstream) size += name.length + value.length
  return size + (grant.refusal?.reason.length ?? 0)
}

function expiresIn (claims: Readonly<Record<string, unknown>>): number | null {
  const value = claims.expires_in
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** The config fields that decide an introspection answer, hashed into the cache key. */
function introspectionFingerprint (config: OidcConfig): string {
  const fields = [
    config.introspection_endpoint, config.introspection_endpoint_auth_method, config.introspection_hint,
    config.introspection_token_param_name, config.introspection_accept, config.introspection_post_args_names,
    config.introspection_post_args_values, config.introspection_headers_names, config.introspection_headers_values,
    config.client_id?.[0] ?? null, config.client_secret?.[0] ?? null, config.client_auth?.[0] ?? null,
    config.client_alg?.[0] ?? null, config.client_jwk?.[0] ?? null, config.ssl_verify
  ]
  return hash('sha256', JSON.stringify(fields), 'base64url')
}

function reasonOf (err: unknown): string {
  return err instanceof Error ? err.message : 'unknown error'
}

/** No client configured: the introspection request carries no client authentication (as Kong). */
const NO_CLIENT_AUTH = Object.freeze({ authorization: null, formFields: '' })

/** The caller's request as introspection_*_client reads it: headers, query, and a form body it fits in memory. */
async function callerOf (ctx: ProxyContext): Promise<IntrospectionCaller> {
  const form = bodyKind(ctx.req.headers['content-type']) === 'form' ? await ctx.readBody() : null
  return {
    headers: ctx.req.headers,
    query: ctx.query === '' ? null : new URLSearchParams(ctx.query),
    form: form === null ? null : new URLSearchParams(form.toString('utf8'))
  }
}
