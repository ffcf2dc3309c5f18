// Key lookup in an issuer's JWKS for verifying JWT access tokens (Kong's openid-connect handler.lua with lua-resty-openidc's jwks): by kid (+ alg),
// or by x5t, or by alg alone when the token names no key. Built once per JWKS and reused until the
// issuer's keys change; imported keys are cached by key and algorithm, so verifying the next token with
// the same key costs no import.

import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'

export type VerifyKey = KeyObject

const EC_CURVES: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }

/** JWS algorithm -> the JWK key type that verifies it (the algorithms jose verifies with WebCrypto). */
const KEY_TYPES: ReadonlyMap<string, string> = new Map([
  ['RS256', 'RSA'], ['RS384', 'RSA'], ['RS512', 'RSA'], ['PS256', 'RSA'], ['PS384', 'RSA'], ['PS512', 'RSA'],
  ['ES256', 'EC'], ['ES384', 'EC'], ['ES512', 'EC'], ['EdDSA', 'OKP'], ['Ed25519', 'OKP'],
  ['HS256', 'oct'], ['HS384', 'oct'], ['HS512', 'oct']
])

/** The algorithms a JWT access token may be signed with; HS* are further gated by enable_hs_signatures. */
export function isSupportedAlg (alg: string): boolean {
  return KEY_TYPES.has(alg)
}

function keyTypeFits (jwk: Pick<JWK, 'kty' | 'crv'>, alg: string): boolean {
  const kty = KEY_TYPES.get(alg)
  if (kty === undefined || jwk.kty !== kty) return false
  if (kty === 'EC') return jwk.crv === EC_CURVES[alg]
  if (kty === 'OKP') return alg === 'Ed25519' ? jwk.crv === 'Ed25519' : jwk.crv === 'Ed25519' || jwk.crv === 'Ed448'
  return true
}

function usableForVerifying (jwk: JWK): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false
  return jwk.key_ops === undefined || jwk.key_ops.includes('verify')
}

export class JwksVerifier {
  readonly #keys: readonly JWK[]
  /** per key index: the imported key, or null when it cannot be imported */
  readonly #imported = new Map<number, VerifyKey | null>()

  constructor (jwks: readonly JWK[]) {
    this.#keys = jwks.filter(usableForVerifying)
  }

  /** Indexes (into this verifier) of the keys that may have signed a token with this header; [] when none. */
  candidates (alg: string, kid: string | undefined, x5t: string | undefined): number[] {
    const found: number[] = []
    for (let i = 0; i < this.#keys.length; i++) {
      const jwk = this.#keys[i]
      if (jwk.alg !== undefined && jwk.alg !== alg) continue
      if (!keyTypeFits(jwk, alg)) continue
      if (kid !== undefined ? jwk.kid !== kid : (x5t !== undefined && jwk.x5t !== x5t)) continue
      found.push(i)
    }
    return found
  }

  /**
   * The imported key for a candidate index (imported once, then cached); null when the JWK cannot be
   * imported, which stays so for this JWKS (a new JWKS builds a new verifier).
   */
  key (index: number): VerifyKey | null {
    let key = this.#imported.get(index)
    if (key === undefined) {
      key = importKey(this.#keys[index])
      this.#imported.set(index, key)
    }
    return key
  }
}

function importKey (jwk: JWK): VerifyKey | null {
  try {
    if (jwk.kty === 'oct') return typeof jwk.k === 'string' ? createSecretKey(Buffer.from(jwk.k, 'base64url')) : null
    // only the public members: a JWKS that publishes a private key must not make a private KeyObject
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk
    return createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' })
  } catch {
    return null
  }
}

/** Builds the key lookup for one JWKS; keep it until the issuer's JWKS changes. */
export function createJwksVerifier (jwks: readonly JWK[]): JwksVerifier {
  return new JwksVerifier(jwks)
}
