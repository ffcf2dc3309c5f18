// A JWS signature check with node:crypto, synchronously (RFC 7515 §5.2 with the RFC 7518 algorithms).
// jose verifies through WebCrypto, whose every call is a job on libuv's thread pool with promises around
// it: ~76 µs per RS256 check against ~19 µs for crypto.verify on the same key (2-core VM, Node 24,
// measured). A token verified on first sight (a new bearer token, a fetched access token) pays this once
// per worker; with the verified-token cache off, every request does. Keys come from the issuer's JWKS
// through createPublicKey / createSecretKey, which read JWKs natively; the key's type and curve were
// already matched to `alg` (jwks-verifier.ts).

import { createHmac, constants, timingSafeEqual, verify, type KeyObject } from 'node:crypto'

/** The digest of each algorithm's family member, by its size (RS256, PS256, ES256, HS256: sha256 ...). */
const HASHES: Readonly<Record<string, string>> = Object.fromEntries(
  ['RS', 'PS', 'ES', 'HS'].flatMap((family) => ['256', '384', '512'].map((size) => [`${family}${size}`, `sha${size}`]))
)

/** RSA keys below this are refused, as jose does (RFC 7518 §3.3: 2048 bits or larger). */
const MIN_RSA_BITS = 2048

/** Whether `signature` is `alg`'s signature of `input` (the JWS signing input, `header.payload`) under `key`. */
export function verifyJws (alg: string, input: Buffer, signature: Buffer, key: KeyObject): boolean {
  const family = alg.slice(0, 2)
  try {
    if (family === 'HS') {
      if (key.type !== 'secret') return false
      const expected = createHmac(HASHES[alg], key).update(input).digest()
      return expected.length === signature.length && timingSafeEqual(expected, signature)
    }
    if (key.type !== 'public') return false
    if (family === 'RS' || family === 'PS') {
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return false
      if (family === 'RS') return verify(HASHES[alg], input, key, signature)
      return verify(HASHES[alg], input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)
    }
    // JWS ECDSA signatures are r || s (RFC 7518 §3.4), not DER
    if (family === 'ES') return verify(HASHES[alg], input, { key, dsaEncoding: 'ieee-p1363' }, signature)
    // EdDSA / Ed25519: the curve decides (Ed25519 or Ed448)
    return verify(null, input, key, signature)
  } catch {
    // a malformed signature (wrong length for the curve, say) is a signature that does not verify
    return false
  }
}
