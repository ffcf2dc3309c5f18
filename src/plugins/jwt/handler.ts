// Kong's jwt access phase (kong/plugins/jwt/handler.lua access, do_authentication): find the one token
// (token-lookup.ts), decode it (token-parser.ts), find the jwt_secrets credential its key claim names, check
// that the token's alg is the credential's, verify the signature (../jws-verify.ts), then the registered
// claims and maximum_expiration; identify the consumer (set_consumer) or answer 401 with Kong's bodies and
// WWW-Authenticate. With `anonymous` the plugin is in Kong's "logical OR" flow: it does nothing when an earlier
// auth plugin identified a credential, and falls back to the anonymous consumer instead of answering.
// Kong answers with kong.response.exit (no request_id in the body), except the anonymous consumer's 500,
// which is kong.response.error.
// Everything the config decides (names, challenges, bodies, the anonymous consumer) is computed once per
// instance in createJwt. A token that passed is remembered per worker (BoundedMemo, keyed by the token) with
// its credential and its exp/nbf, so the same token again costs no parsing and no crypto: only the claim
// checks, which depend on the time, run again, and an expired token is forgotten.

import type { KeyObject } from 'node:crypto'
import type { CredentialMatch } from '../../config/credential-index.ts'
import type { Consumer, JwtSecret, Plugin } from '../../config/types.ts'
import { BoundedMemo } from '../bounded-memo.ts'
import { verifyJws } from '../jws-verify.ts'
import { setConsumerHeaders } from '../consumer-headers.ts'
import { findAnonymous, useAnonymous } from '../anonymous-consumer.ts'
import type { ConfigView, PhaseResult, PluginInstance, ProxyContext } from '../types.ts'
import { ABSENT, MULTIPLE, findToken, headerName, type Locations } from './token-lookup.ts'
import { claimErrors, exceedsMaximum, own, parseToken } from './token-parser.ts'
import { credentialKey } from './credential-key.ts'
import { accessOnlyInstance } from '../access-only.ts'

export interface JwtConfig {
  readonly uri_param_names: readonly string[]
  readonly cookie_names: readonly string[]
  readonly key_claim_name: string
  readonly secret_is_base64: boolean
  readonly claims_to_verify: readonly string[] | null
  readonly anonymous: string | null
  readonly run_on_preflight: boolean
  readonly maximum_expiration: number
  readonly header_names: readonly string[]
  readonly realm: string | null
}

/** What is remembered of a token that passed. */
interface Verified {
  readonly match: CredentialMatch<JwtSecret>
  readonly exp: unknown
  readonly nbf: unknown
}

/** A 401's body and WWW-Authenticate, built once. */
interface Refusal {
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

interface JwtState {
  readonly config: JwtConfig
  readonly where: Locations
  readonly claimsToVerify: readonly string[]
  readonly view: ConfigView
  /** credential → its key; filled on first use, so a credential no token names costs nothing */
  readonly keys: Map<JwtSecret, KeyObject | null>
  readonly memo: BoundedMemo<Verified>
  readonly unauthorized: Refusal
  readonly multiple: Refusal
  readonly unrecognizable: Refusal
  readonly noKeyClaim: Refusal
  readonly invalidKeyClaim: Refusal
  readonly noCredential: Refusal
  readonly invalidAlgorithm: Refusal
  readonly invalidKey: Refusal
  readonly invalidSignature: Refusal
  /** the WWW-Authenticate of every refusal but "Unauthorized" */
  readonly invalidToken: Readonly<Record<string, string>>
  /** the anonymous consumer, found once per compile; null when not configured or not found */
  readonly anonymous: Consumer | null
}

/** A memo entry's size beyond the token: the two claims and the references (bounded-memo.ts sizeOf). */
function verifiedSize (): number {
  return 64
}

function refusal (message: string, headers: Readonly<Record<string, string>>): Refusal {
  return Object.freeze({ body: JSON.stringify({ message }), headers })
}

export function createJwt (plugin: Plugin, priority: number, _services: unknown, view: ConfigView): PluginInstance {
  const config = plugin.config as unknown as JwtConfig
  const base = config.realm === null ? 'Bearer' : `Bearer realm="${config.realm}"`
  const plain = Object.freeze({ 'www-authenticate': base })
  const invalid = Object.freeze({ 'www-authenticate': config.realm === null ? 'Bearer error="invalid_token"' : `${base}, error="invalid_token"` })
  const claim = config.key_claim_name
  const state: JwtState = {
    config,
    where: Object.freeze({
      uriParamNames: config.uri_param_names,
      cookieNames: config.cookie_names.map((name) => name.toLowerCase()),
      headerNames: config.header_names.map(headerName),
    }),
    claimsToVerify: config.claims_to_verify ?? [],
    view,
    keys: new Map(),
    // keyed by the token, found by its last 32 characters (its signature): bounded-memo.ts indexBy
    memo: new BoundedMemo<Verified>({ sizeOf: verifiedSize, indexBy: 32, maxKeyLength: 4096 }),
    unauthorized: refusal('Unauthorized', plain),
    multiple: refusal('Multiple tokens provided', invalid),
    unrecognizable: refusal('Unrecognizable token', invalid),
    noKeyClaim: refusal(`No mandatory '${claim}' in claims`, invalid),
    invalidKeyClaim: refusal(`Invalid '${claim}' in claims`, invalid),
    noCredential: refusal(`No credentials found for given '${claim}'`, invalid),
    invalidAlgorithm: refusal('Invalid algorithm', invalid),
    invalidKey: refusal('Invalid key/secret', invalid),
    invalidSignature: refusal('Invalid signature', invalid),
    invalidToken: invalid,
    anonymous: findAnonymous(view, config.anonymous),
  }
  return accessOnlyInstance(plugin, priority, (ctx: ProxyContext) => access(state, ctx), () => state.memo.clear())
}

function access (state: JwtState, ctx: ProxyContext): PhaseResult {
  const config = state.config
  if (!config.run_on_preflight && ctx.req.method === 'OPTIONS') return
  // logical OR: already authenticated by another plugin
  if (config.anonymous !== null && ctx.credential !== null) return
  const failure = authenticate(state, ctx)
  if (failure === null) return
  if (config.anonymous === null) {
    ctx.respond(401, failure.body, null, failure.headers)
    return
  }
  // set_anonymous_consumer: the anonymous consumer, or kong.response.error(500, ...)
  useAnonymous(ctx, config.anonymous, state.anonymous)
}

/** do_authentication: null when the consumer was identified, else the 401 to answer. */
function authenticate (state: JwtState, ctx: ProxyContext): Refusal | null {
  const token = findToken(ctx.req, ctx.query, state.where)
  if (token === ABSENT) return state.unauthorized
  if (token === MULTIPLE) return state.multiple
  if (typeof token !== 'string') return state.unrecognizable
  const now = Math.floor(Date.now() / 1000)
  const known = state.memo.get(token)
  if (known !== undefined) {
    const failure = checkClaims(state, known.exp, known.nbf, now)
    if (failure !== null) state.memo.forget(token)
    else succeed(ctx, known.match, token)
    return failure
  }
  return verify(state, ctx, token, now)
}

/** The first sight of a token: parse, find the credential, check alg, signature and claims. */
function verify (state: JwtState, ctx: ProxyContext, token: string, now: number): Refusal | null {
  const jwt = parseToken(token)
  if (typeof jwt === 'string') return refusal(`Bad token; ${jwt}`, state.invalidToken)
  const name = state.config.key_claim_name
  // claims[name] or header[name]: Lua's `or` passes over nil and false
  let key = own(jwt.claims, name)
  if (key === undefined || key === false) key = own(jwt.header, name)
  if (key === undefined || key === false) return state.noKeyClaim
  if (key === '') return state.invalidKeyClaim
  // Tollgate's: a key that is not a string names no credential (Kong's select_by_key raises a 500)
  const match = typeof key === 'string' ? state.view.credentials.jwt(key) : undefined
  if (match === undefined) return state.noCredential
  const credential = match.credential
  if (jwt.alg !== credential.algorithm) return state.invalidAlgorithm
  let secret = state.keys.get(credential)
  if (secret === undefined) {
    secret = credentialKey(credential, state.config.secret_is_base64)
    state.keys.set(credential, secret)
  }
  if (secret === null) return state.invalidKey
  if (!verifyJws(jwt.alg, jwt.input, jwt.signature, secret)) return state.invalidSignature
  const exp = own(jwt.claims, 'exp')
  const nbf = own(jwt.claims, 'nbf')
  const failure = checkClaims(state, exp, nbf, now)
  if (failure !== null) return failure
  state.memo.remember(token, { match, exp, nbf })
  succeed(ctx, match, token)
  return null
}

/** verify_registered_claims then check_maximum_expiration: Kong answers their errors as the body itself. */
function checkClaims (state: JwtState, exp: unknown, nbf: unknown, now: number): Refusal | null {
  const errors = claimErrors(state.claimsToVerify, exp, nbf, now)
  if (errors !== null) return { body: JSON.stringify(errors), headers: state.invalidToken }
  if (exceedsMaximum(exp, state.config.maximum_expiration, now)) {
    return { body: '{"exp":"exceeds maximum allowed expiration"}', headers: state.invalidToken }
  }
  return null
}

/** set_consumer: X-Credential-Identifier is the credential's key; the token goes to kong.ctx.shared. */
function succeed (ctx: ProxyContext, match: CredentialMatch<JwtSecret>, token: string): void {
  ctx.authenticate(match.consumer, match.authenticated)
  setConsumerHeaders(ctx.upstreamHeaders, match.consumer, match.credential.key, false)
  ;(ctx.shared ??= {}).authenticated_jwt_token = token
}
