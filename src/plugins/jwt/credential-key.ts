// A jwt_secrets credential's key as node:crypto verifies with it, made once per credential per compile
// (handler.ts keeps them per plugin instance, which lives as long as the compile that indexed the
// credentials). Kong's handler.lua do_authentication picks the value: the HS secret (base64-decoded with
// secret_is_base64), else rsa_public_key; jwt_parser.lua alg_verify parses it on every request.
// null is Kong's "Invalid key/secret". Tollgate also answers that, where Kong's verification would fail
// or raise a 500, for a public key that does not parse or does not fit the algorithm (an RSA key for ES256,
// a P-384 key for ES256), and for an RSA key under 2048 bits (RFC 7518 §3.3; Kong does not check the size).

import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto'
import type { JwtSecret } from '../../config/types.ts'
import { isBase64Url } from './token-parser.ts'

const MIN_RSA_BITS = 2048

/** the named curve each ECDSA algorithm signs with (RFC 7518 §3.4) */
const CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' }

/**
 * jwt_parser.lua base64_decode (ngx decode_base64url): the url alphabet only, decoding stops at the first
 * '=' (what follows is ignored, as ngx does); null when ngx's decoder refuses it.
 */
export function decodeSecret (secret: string): Buffer | null {
  const pad = secret.indexOf('=')
  const end = pad < 0 ? secret.length : pad
  return isBase64Url(secret, 0, end) ? Buffer.from(secret.slice(0, end), 'base64url') : null
}

function fits (alg: string, key: KeyObject): boolean {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails
  const family = alg.slice(0, 2)
  if (family === 'RS' || family === 'PS') {
    return (type === 'rsa' || (family === 'PS' && type === 'rsa-pss')) && (details?.modulusLength ?? 0) >= MIN_RSA_BITS
  }
  if (family === 'ES') return type === 'ec' && details?.namedCurve === CURVES[alg]
  return type === 'ed25519' || type === 'ed448'
}

/** The key to verify `credential`'s tokens with, or null when it has none that works. */
export function credentialKey (credential: JwtSecret, secretIsBase64: boolean): KeyObject | null {
  const alg = credential.algorithm
  if (alg.startsWith('HS')) {
    if (credential.secret === null) return null
    const secret = secretIsBase64 ? decodeSecret(credential.secret) : Buffer.from(credential.secret, 'utf8')
    return secret === null ? null : createSecretKey(secret)
  }
  if (credential.rsa_public_key === null) return null
  let key: KeyObject
  try {
    key = createPublicKey(credential.rsa_public_key)
  } catch {
    return null
  }
  return fits(alg, key) ? key : null
}
