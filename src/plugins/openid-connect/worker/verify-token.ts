// Verification of a JWT access token (Kong's openid-connect handler.lua, token:verify): the token the token
// endpoint returned, or a caller's bearer token. A JWS (three parts whose header names an algorithm) is
// checked against the issuer's JWKS and its iss/exp/nbf/iat claims, each only when present; anything else
// is an opaque token and is accepted as it is here (the client credentials path has no introspection; the
// bearer path introspects it or refuses it). Runs on cache misses only.

import { IdpError } from '../../../core/errors.ts'
import { isSupportedAlg } from './jwks-verifier.ts'
import { verifyJws } from '../../jws-verify.ts'
import type { JwksVerifier } from './jwks-verifier.ts'
import {
  JWKS_KID_UNKNOWN, TOKEN_ALG_NOT_ALLOWED, TOKEN_EXPIRED, TOKEN_ISSUER_INVALID, TOKEN_MALFORMED,
  TOKEN_NOT_YET_VALID, TOKEN_SIGNATURE_INVALID
} from './token-errors.ts'

/** The config fields verification depends on, as the schema validates them. */
export interface VerifyConfig {
  readonly verify_signature?: boolean | null
  readonly verify_claims?: boolean | null
  readonly enable_hs_signatures?: boolean | null
  readonly ignore_signature?: readonly string[] | null
  readonly issuers_allowed?: readonly string[] | null
  readonly leeway?: number | null
}

export interface VerifyOptions {
  readonly verifySignature: boolean
  readonly verifyClaims: boolean
  readonly enableHsSignatures: boolean
  /** normalised identities (see issuerIdentity) an `iss` claim may have */
  readonly issuers: ReadonlySet<string>
  /** seconds */
  readonly leeway: number
}

/**
 * Once per plugin instance and issuer: `issuer` is the discovered issuer (Kong compares `iss` with it).
 * `grant`: the ignore_signature entry that applies ('client_credentials'); null for a bearer token, which
 * no ignore_signature entry covers (Kong's schema has no 'bearer' value).
 */
export function createVerifyOptions (config: VerifyConfig, issuer: string, grant: string | null = 'client_credentials'): VerifyOptions {
  const issuers = new Set([issuerIdentity(issuer)])
  for (const allowed of config.issuers_allowed ?? []) issuers.add(issuerIdentity(allowed))
  return {
    verifySignature: config.verify_signature !== false && (grant === null || !(config.ignore_signature ?? []).includes(grant)),
    verifyClaims: config.verify_claims !== false,
    enableHsSignatures: config.enable_hs_signatures === true,
    issuers,
    leeway: config.leeway ?? 0
  }
}

const WELL_KNOWN = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']

/** An issuer without a trailing '/' or a .well-known discovery suffix (as Kong normalises both sides). */
export function issuerIdentity (issuer: string): string {
  let value = issuer
  for (const suffix of WELL_KNOWN) if (value.endsWith(suffix)) value = value.slice(0, -suffix.length)
  while (value.endsWith('/')) value = value.slice(0, -1)
  return value
}

export interface VerifiedToken {
  /** the token's `exp` in seconds; null for an opaque token or a JWT without exp */
  readonly exp: number | null
  /** the JWT's claims; null for an opaque token */
  readonly payload: Readonly<Record<string, unknown>> | null
}

const OPAQUE: VerifiedToken = Object.freeze({ exp: null, payload: null })

/**
 * Verifies a JWT access token, or accepts an opaque one. Throws IdpError: JWKS_KID_UNKNOWN when no key
 * of the JWKS fits the token (the caller may rediscover the JWKS once and retry), TOKEN_* otherwise.
 */
export async function verifyAccessToken (token: string, verifier: JwksVerifier, options: VerifyOptions,
  nowMs = Date.now()): Promise<VerifiedToken> {
  const parts = token.split('.')
  if (parts.length !== 3) return OPAQUE
  const header = decodeSegment(parts[0])
  if (header === null || typeof header.alg !== 'string') return OPAQUE
  const payload = decodeSegment(parts[1])
  if (payload === null) throw new IdpError('access token payload is not a JSON object', TOKEN_MALFORMED)
  if (options.verifySignature) {
    checkType(header.typ)
    verifySignature(token, header, verifier, options)
  }
  if (options.verifyClaims) checkClaims(payload, options, nowMs / 1000)
  return { exp: typeof payload.exp === 'number' ? payload.exp : null, payload }
}

/** Decodes a JWT's claims without verifying anything (Kong's token:decode); null when it is not a JWS. */
export function decodeUnverified (token: string): Readonly<Record<string, unknown>> | null {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  const header = decodeSegment(parts[0])
  if (header === null || typeof header.alg !== 'string') return null
  return decodeSegment(parts[1])
}

// kong/openid-connect/jws.lua: a `typ` header, when present, must be JWT or AT+JWT (RFC 9068), in any case
function checkType (typ: unknown): void {
  if (typ === undefined) return
  const value = typeof typ === 'string' ? typ.toUpperCase() : ''
  if (value !== 'JWT' && value !== 'AT+JWT') throw new IdpError('only jwts are supported for the jws', TOKEN_MALFORMED)
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

// Strictly base64url (RFC 7515 §2): Buffer's decoder skips other characters, so without this check two
// different strings could decode to one header or payload, and a changed token could keep its signature.
function decodeSegment (segment: string): Record<string, unknown> | null {
  if (!BASE64URL.test(segment)) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}

function verifySignature (token: string, header: Record<string, unknown>, verifier: JwksVerifier,
  options: VerifyOptions): void {
  const alg = header.alg as string
  if (!isSupportedAlg(alg) || (alg.startsWith('HS') && !options.enableHsSignatures)) {
    throw new IdpError(`access token algorithm not allowed (${alg.slice(0, 16)})`, TOKEN_ALG_NOT_ALLOWED)
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined
  const x5t = typeof header.x5t === 'string' ? header.x5t : undefined
  const candidates = verifier.candidates(alg, kid, x5t)
  if (candidates.length === 0) {
    throw new IdpError(`suitable jwk was not found (${alg}/${(kid ?? '').slice(0, 64)})`, JWKS_KID_UNKNOWN)
  }
  const dot = token.lastIndexOf('.')
  const encoded = token.slice(dot + 1)
  // Buffer's base64url decoding skips what is not base64url: such a signature is refused, not read around
  if (!BASE64URL.test(encoded)) throw new IdpError('access token signature verification failed', TOKEN_SIGNATURE_INVALID)
  const input = Buffer.from(token.slice(0, dot), 'latin1')
  const signature = Buffer.from(encoded, 'base64url')
  for (const index of candidates) {
    const key = verifier.key(index)
    // the next key that fits may still verify; the outcome is decided below
    if (key !== null && verifyJws(alg, input, signature, key)) return
  }
  throw new IdpError('access token signature verification failed', TOKEN_SIGNATURE_INVALID)
}

function checkClaims (payload: Record<string, unknown>, options: VerifyOptions, now: number): void {
  const { exp, nbf, iat, iss } = payload
  if (!isOptionalNumber(exp) || !isOptionalNumber(nbf) || !isOptionalNumber(iat)) {
    throw new IdpError('access token has a non-numeric exp, nbf or iat claim', TOKEN_MALFORMED)
  }
  if (exp !== undefined && exp + options.leeway <= now) throw new IdpError('access token expired', TOKEN_EXPIRED)
  if (nbf !== undefined && nbf > now + options.leeway) throw new IdpError('access token not valid yet (nbf)', TOKEN_NOT_YET_VALID)
  if (iat !== undefined && iat > now + options.leeway) throw new IdpError('access token issued in the future (iat)', TOKEN_NOT_YET_VALID)
  if (iss !== undefined && (typeof iss !== 'string' || !options.issuers.has(issuerIdentity(iss)))) {
    throw new IdpError('access token issuer is not allowed', TOKEN_ISSUER_INVALID)
  }
}

function isOptionalNumber (value: unknown): value is number | undefined {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value))
}
