// What a verified or introspected token grants, worked out once per token and then served from a cache
// (a JWT's grant from the bearer memo, an introspection result's from the shared token cache): the
// refusal if it gets one, the consumer it maps to, and every upstream and downstream header it sets. The
// order of the checks is Kong's (openid-connect handler.lua, after authentication): issuers_allowed (401),
// then scopes, audience, groups and roles (403, authorization.ts), then consumer mapping (403 unless
// consumer_optional, consumer-mapping.ts), then credential_claim, then the claim and token headers.
// A hit applies the grant: a few header assignments, no parsing, no crypto.

import type { Consumer } from '../../../config/types.ts'
import type { ConsumerIndex } from '../../../config/consumer-index.ts'
import type { AuthenticatedCredential, ProxyContext } from '../../types.ts'
import type { ErrorResponder } from './errors-response.ts'
import { createAuthorization, type Authorize } from './authorization.ts'
import { ANONYMOUS, CONSUMER_CUSTOM_ID, CONSUMER_ID, CONSUMER_USERNAME, CREDENTIAL_IDENTIFIER } from '../../consumer-headers.ts'
import { createClaimHeaders, encodeHeaderValue, headerSafe, type ClaimHeaders } from './claim-headers.ts'
import { findClaim } from './claims.ts'
import { createConsumerMapper, credentialId, type MapConsumer } from './consumer-mapping.ts'
import type { OidcConfig } from './oidc-config.ts'
import type { UpstreamTokenHeader } from './token-value.ts'

export interface Refusal {
  readonly status: 401 | 403
  /** the log reason, shown only with display_errors; never holds the token */
  readonly reason: string
}

export type HeaderPairs = ReadonlyArray<readonly [string, string]>

export interface Grant {
  /** ms since the epoch: the grant serves until then */
  readonly expiresAt: number
  readonly refusal: Refusal | null
  readonly consumer: Consumer | null
  readonly credential: AuthenticatedCredential | null
  /** set on the upstream request (consumer headers, claim headers, token header last): [lower-case name, value] */
  readonly upstream: HeaderPairs
  /** removed from the upstream request first: the consumer headers this grant does not set */
  readonly remove: readonly string[]
  /** appended to the response (downstream_headers_*); null when none */
  readonly downstream: HeaderPairs | null
}

/** The token and what is known of it: a verified JWT's claims, an introspection answer, or both. */
export interface GrantInput {
  readonly token: string
  /** the JWT's claims (verified, or only decoded when it was introspected); null for an opaque token */
  readonly payload: Readonly<Record<string, unknown>> | null
  /** the introspection answer; null when the token was not introspected */
  readonly introspection: Readonly<Record<string, unknown>> | null
  readonly expiresAt: number
  /**
   * fetched by the gateway with client credentials: its iss was checked when it was verified (the
   * discovered issuer or issuers_allowed), and an opaque one has no claims to check it against
   */
  readonly fetched?: boolean
}

export type BuildGrant = (input: GrantInput) => Grant

/** Once per plugin instance: everything that depends on config only. */
export function createGrantBuilder (config: OidcConfig, consumers: ConsumerIndex, tokenHeader: UpstreamTokenHeader | null): BuildGrant {
  const issuersAllowed = config.issuers_allowed !== null && config.issuers_allowed.length > 0 ? new Set(config.issuers_allowed) : null
  const authorize: Authorize | null = createAuthorization(config)
  const mapConsumer: MapConsumer | null = createConsumerMapper(config, consumers)
  const upstreamClaims: ClaimHeaders | null = createClaimHeaders(config.upstream_headers_names, config.upstream_headers_claims)
  const downstreamClaims: ClaimHeaders | null = createClaimHeaders(config.downstream_headers_names, config.downstream_headers_claims)
  const introspectionHeader = lowerOrNull(config.upstream_introspection_header)
  const downstreamIntrospectionHeader = lowerOrNull(config.downstream_introspection_header)

  return function buildGrant (input: GrantInput): Grant {
    const claims = claimsOf(input)
    const refused = (status: 401 | 403, reason: string): Grant =>
      ({ expiresAt: input.expiresAt, refusal: { status, reason }, consumer: null, credential: null, upstream: [], remove: [], downstream: null })

    if (issuersAllowed !== null && input.fetched !== true) {
      const iss = findClaim(claims, ['iss'])
      if (iss === undefined) return refused(401, 'issuers required but no issuers found')
      if (typeof iss !== 'string' || !issuersAllowed.has(iss)) return refused(401, 'required issuers were not found')
    }
    const denied = authorize?.(claims) ?? null
    if (denied !== null) return refused(403, denied)

    let consumer: Consumer | null = null
    if (mapConsumer !== null) {
      const mapped = mapConsumer(claims)
      if (typeof mapped !== 'string') consumer = mapped
      else if (!config.consumer_optional) return refused(403, `kong consumer was not found (${mapped})`)
    }
    // Kong: a mapped consumer's credential is { consumer_id }, an unmapped caller's { id = credential_claim };
    // Tollgate keeps the credential_claim value in both, and a mapped consumer's X-Credential-Identifier
    // names it (the token's subject by default)
    const id = credentialId(claims, config.credential_claim)
    const credential: AuthenticatedCredential | null = consumer !== null || id !== null ? { id, consumer_id: consumer?.id ?? null } : null

    const upstream: Array<readonly [string, string]> = []
    const remove: string[] = []
    consumerHeaders(consumer, consumer === null ? null : id, upstream, remove)
    if (upstreamClaims !== null) upstream.push(...upstreamClaims(claims))
    if (introspectionHeader !== null && input.introspection !== null) {
      const value = encodeHeaderValue(input.introspection)
      if (value !== null) upstream.push([introspectionHeader, value])
    }
    if (tokenHeader !== null) upstream.push([tokenHeader.name, tokenHeader.prefix + input.token])

    let downstream: Array<readonly [string, string]> | null = null
    if (downstreamClaims !== null) downstream = [...downstreamClaims(claims)]
    if (downstreamIntrospectionHeader !== null && input.introspection !== null) {
      const value = encodeHeaderValue(input.introspection)
      if (value !== null) (downstream ??= []).push([downstreamIntrospectionHeader, value])
    }
    if (downstream !== null && downstream.length === 0) downstream = null
    return { expiresAt: input.expiresAt, refusal: null, consumer, credential, upstream, remove, downstream }
  }
}

/**
 * Kong's consumer headers as a grant sets them (consumers.lua set; the names of kong/constants.lua):
 * a mapped consumer's id, custom_id and username, each removed when the consumer has none; no consumer:
 * all removed ("remnants of anonymous"). X-Anonymous-Consumer is always removed here (only the anonymous
 * fallback sets it). X-Credential-Identifier is Tollgate's: a mapped consumer's credential_claim value.
 * Values are made safe for a header once, here (headerSafe), not per request.
 */
function consumerHeaders (consumer: Consumer | null, credentialId: string | null,
  upstream: Array<readonly [string, string]>, remove: string[]): void {
  const entries: Array<[string, string | null]> = [
    [CONSUMER_ID, consumer?.id ?? null],
    [CONSUMER_CUSTOM_ID, consumer?.custom_id ?? null],
    [CONSUMER_USERNAME, consumer?.username ?? null],
    [CREDENTIAL_IDENTIFIER, credentialId],
    [ANONYMOUS, null]
  ]
  for (const [name, value] of entries) {
    if (value === null) remove.push(name)
    else upstream.push([name, headerSafe(value)])
  }
}

/**
 * The claims every check reads: the introspection answer first, then the JWT's (Kong looks a claim up in
 * the introspection results and falls back to the access token's payload). Merged at the top level, so
 * a nested claim path is looked up in the introspection answer's object when it has that top-level key.
 */
function claimsOf (input: GrantInput): Readonly<Record<string, unknown>> {
  if (input.introspection === null) return input.payload ?? EMPTY
  if (input.payload === null) return input.introspection
  return { ...input.payload, ...input.introspection }
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({})

function lowerOrNull (name: string | null): string | null {
  return name === null || name === '' ? null : name.toLowerCase()
}

/** Where a grant's downstream headers wait for the header_filter phase (ctx.shared). */
export const DOWNSTREAM = 'openid-connect.downstream_headers'

/**
 * Serves a grant: its refusal through the instance's responses (with `anonymous`, the request goes on as
 * that consumer), or its headers, consumer and credential. The caller hides the caller's credentials first.
 */
export function serveGrant (ctx: ProxyContext, grant: Grant, errors: ErrorResponder): void {
  const refusal = grant.refusal
  if (refusal !== null) {
    if (refusal.status === 401) return errors.unauthorized(ctx, refusal.reason)
    return errors.forbidden(ctx, refusal.reason)
  }
  const headers = ctx.upstreamHeaders
  const remove = grant.remove
  for (let i = 0; i < remove.length; i++) delete headers[remove[i]]
  const upstream = grant.upstream
  for (let i = 0; i < upstream.length; i++) headers[upstream[i][0]] = upstream[i][1]
  if (grant.consumer !== null || grant.credential !== null) ctx.authenticate(grant.consumer, grant.credential)
  if (grant.downstream !== null) (ctx.shared ??= {})[DOWNSTREAM] = grant.downstream
}

/**
 * Whether tokens fetched with client credentials need a grant: something is required of their claims, or
 * read from them (Kong runs these steps after every auth method). Without, the hot path only sets the
 * token header and clears the consumer headers.
 */
export function needsGrant (config: OidcConfig): boolean {
  const set = (value: readonly unknown[] | null): boolean => value !== null && value.length > 0
  return set(config.scopes_required) || set(config.audience_required) ||
    set(config.groups_required) || set(config.roles_required) || set(config.consumer_claims) ||
    set(config.upstream_headers_claims) || set(config.downstream_headers_claims)
}
