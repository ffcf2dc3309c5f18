// The piscina task that signs JWTs (client assertions) off the event loop: RSA and EC signing costs
// hundreds of microseconds to milliseconds, which the proxy's event loop must never pay.
// Runs inside a piscina worker thread; imported keys are cached per thread by their key material.

import { createHash } from 'node:crypto'
import { CompactSign, importJWK } from 'jose'
import type { JWK } from 'jose'

export interface SignRequest {
  /** private JWK with kid and alg */
  readonly jwk: JWK
  /** extra protected-header members; typ, alg and kid are always set from the key */
  readonly header?: Readonly<Record<string, unknown>>
  readonly claims: Readonly<Record<string, unknown>>
}

type SigningKey = Awaited<ReturnType<typeof importJWK>>

// Bounded: keys change only on rotation or a config change, so a few dozen entries cover every live key.
const MAX_CACHED_KEYS = 64
const keyCache = new Map<string, SigningKey>()
const encoder = new TextEncoder()
/** Every JWK member that decides which key signs (RFC 7517/7518); kid, use and the like do not. */
const KEY_MEMBERS = ['kty', 'crv', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'x', 'y', 'k'] as const

export default async function sign (request: SignRequest): Promise<string> {
  const { jwk } = request
  if (typeof jwk.alg !== 'string' || typeof jwk.kid !== 'string') throw new TypeError('the signing JWK needs kid and alg')
  const key = await importedKey(jwk, jwk.alg)
  return await new CompactSign(encoder.encode(JSON.stringify(request.claims)))
    .setProtectedHeader({ ...request.header, typ: 'JWT', alg: jwk.alg, kid: jwk.kid })
    .sign(key)
}

// Keyed by alg and a digest of the key material, never by kid: two clients' keys may share a kid, and a
// JWK replaced in place keeps its kid, yet each must sign with its own private key. The digest (rather than
// the members themselves) keeps private key material out of the map's keys.
async function importedKey (jwk: JWK, alg: string): Promise<SigningKey> {
  const cacheKey = `${alg}:${materialDigest(jwk)}`
  let key = keyCache.get(cacheKey)
  if (key === undefined) {
    key = await importJWK(jwk, alg)
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear()
    keyCache.set(cacheKey, key)
  }
  return key
}

function materialDigest (jwk: JWK): string {
  const members = jwk as Record<string, unknown>
  return createHash('sha256').update(JSON.stringify(KEY_MEMBERS.map((member) => members[member] ?? null))).digest('base64url')
}
