// Key lookup in an issuer's JWKS for verifying JWT access tokens (Kong's openid-connect handler.lua with lua-resty-openidc's jwks): by kid (+ alg),
// or by x5t, or by alg alone when the token names no key. Built once per JWKS and reused until the
// issuer's keys change; imported keys are cached by key and algorithm, so verifying the next token with
// the same key costs no import.

import { importJWK } from 'jose'
import type { CryptoKey, JWK } from 'jose'

export type VerifyKey = CryptoKey | Uint8Array

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
  readonly #imported = new Map<string, Promise<VerifyKey>>()

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

  /** The imported key for a candidate index and algorithm (imported once, then cached). */
  key (index: number, alg: string): Promise<VerifyKey> {
    const id = `${index}:${alg}`
    let key = this.#imported.get(id)
    if (key === undefined) {
      key = importJWK(this.#keys[index], alg)
      this.#imported.set(id, key)
      // a key that fails to import stays failed for this JWKS: a new JWKS builds a new verifier
      key.catch(ignore)
    }
    return key
  }
}

/** Builds the key lookup for one JWKS; keep it until the issuer's JWKS changes. */
export function createJwksVerifier (jwks: readonly JWK[]): JwksVerifier {
  return new JwksVerifier(jwks)
}

function ignore (): void {}
