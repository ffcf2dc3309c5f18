// Kong's jwk record (used by client_jwk): every member Kong's typedef lists, private members secret so
// that Admin output and logs redact them, and a check that each key is usable: a known kty with the
// members that kty needs. Also how a broker client's key is completed at load (alg, kid) and checked.

import { createHash, createPrivateKey, type JsonWebKey } from 'node:crypto'
import type { JWK } from 'jose'
import type { ConfigIssue } from '../../../core/errors.ts'
import type { FieldSchema, RecordField } from '../../../config/schema/engine.ts'

export const JWS_ALGS = [
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'
] as const

const text: FieldSchema = { type: 'string' }
const secret: FieldSchema = { type: 'string', secret: true }

const MEMBERS_BY_KTY: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  oct: ['k']
}

function checkJwk (jwk: Record<string, unknown>): ConfigIssue[] {
  const kty = jwk.kty
  if (typeof kty !== 'string') return [{ path: 'kty', message: 'required field missing' }]
  const members = MEMBERS_BY_KTY[kty]
  if (members === undefined) return [{ path: 'kty', message: `expected one of: ${Object.keys(MEMBERS_BY_KTY).join(', ')}` }]
  return members
    .filter((member) => typeof jwk[member] !== 'string')
    .map((member) => ({ path: member, message: `a key of kty ${kty} needs '${member}'` }))
}

export const jwkRecord: RecordField = {
  type: 'record',
  fields: {
    issuer: text,
    kty: text,
    use: { type: 'string', one_of: ['sig', 'enc'] },
    key_ops: { type: 'array', elements: text },
    alg: { type: 'string', one_of: JWS_ALGS },
    kid: text,
    x5u: text,
    x5c: { type: 'array', elements: text },
    x5t: text,
    'x5t#S256': text,
    k: secret,
    x: text,
    y: text,
    crv: text,
    n: text,
    e: text,
    d: secret,
    p: secret,
    q: secret,
    dp: secret,
    dq: secret,
    qi: secret,
    oth: secret,
    r: secret,
    t: secret
  },
  checks: checkJwk
}

// ---- a broker's client_jwk, completed at load so that the signer always gets alg and kid ----

/** RFC 7518 §3.1: the JWS algorithm an EC or OKP key signs with is fixed by its curve. */
const CURVE_ALGS: Readonly<Record<string, string>> = { 'EC:P-256': 'ES256', 'EC:P-384': 'ES384', 'EC:P-521': 'ES512', 'OKP:Ed25519': 'EdDSA' }
const RSA_ALG = /^(RS|PS)(256|384|512)$/
/** RFC 7638 §3.2: the required members of each kty, in lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x']
}

export type SigningJwkResult = { readonly jwk: JWK, readonly issue: null } | { readonly jwk: null, readonly issue: ConfigIssue }

/** The members present in a validated jwk record (the schema lists every member, null when absent). */
function presentMembers (given: Readonly<Record<string, unknown>>): JWK {
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== null && v !== undefined)) as JWK
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA, EC or OKP key: the kid a key without one gets. */
export function jwkThumbprint (jwk: JWK): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''] ?? []
  const required = Object.fromEntries(members.map((member) => [member, (jwk as Record<string, unknown>)[member]]))
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url')
}

/**
 * client_jwk[index] as the key of a broker client: only its present members, `alg` (its own, else
 * client_alg[index], else the one its kty/crv implies: RSA RS256, EC P-256/384/521 ES256/384/512, OKP
 * Ed25519 EdDSA) and `kid` (its own, else its RFC 7638 thumbprint). A key that cannot sign with that alg
 * is an issue naming the member (or client_alg[index]) at fault; issue paths are relative to the config.
 */
export function completeSigningJwk (given: Readonly<Record<string, unknown>>, clientAlg: string | null | undefined,
  index: number): SigningJwkResult {
  const at = `client_jwk[${index}]`
  const fail = (path: string, message: string): SigningJwkResult => ({ jwk: null, issue: { path, message } })
  const jwk = presentMembers(given)
  const kty = jwk.kty ?? ''
  const implied = kty === 'RSA' ? 'RS256' : CURVE_ALGS[`${kty}:${jwk.crv ?? ''}`]
  if (implied === undefined) {
    return THUMBPRINT_MEMBERS[kty] === undefined
      ? fail(`${at}.kty`, 'private_key_jwt needs an asymmetric key: RSA, EC or OKP')
      : fail(`${at}.crv`, 'private_key_jwt supports the curves P-256, P-384, P-521 (EC) and Ed25519 (OKP)')
  }
  const alg = jwk.alg ?? clientAlg ?? implied
  if (kty === 'RSA' ? !RSA_ALG.test(alg) : alg !== implied) {
    const path = jwk.alg !== undefined ? `${at}.alg` : `client_alg[${index}]`
    return fail(path, `a ${kty} key${kty === 'RSA' ? '' : ` on ${String(jwk.crv)}`} cannot sign ${alg}` +
      (kty === 'RSA' ? ' (RS256/384/512 or PS256/384/512)' : ` (it signs ${implied})`))
  }
  if (typeof jwk.d !== 'string') return fail(`${at}.d`, 'private_key_jwt signs with this key: its private member \'d\' is required')
  try {
    createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })
  } catch {
    // the crypto error would say nothing more useful, and the members are secret
    return fail(at, 'is not a usable private key (for RSA: n, e, d, p, q, dp, dq and qi are all needed)')
  }
  return { jwk: { ...jwk, alg, kid: jwk.kid ?? jwkThumbprint(jwk) }, issue: null }
}
