// The piscina task that signs JWTs (client assertions) off the event loop: RSA and EC signing costs
// hundreds of microseconds to milliseconds, which the proxy's event loop must never pay.
// Runs inside a piscina worker thread; imported keys are cached per thread by kid.

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

// Bounded: kids change only on rotation, so a few dozen entries cover every live key.
const MAX_CACHED_KEYS = 64
const keyCache = new Map<string, SigningKey>()
const encoder = new TextEncoder()

export default async function sign (request: SignRequest): Promise<string> {
  const { jwk } = request
  if (typeof jwk.alg !== 'string' || typeof jwk.kid !== 'string') throw new TypeError('the signing JWK needs kid and alg')
  const key = await importedKey(jwk, jwk.alg, jwk.kid)
  return await new CompactSign(encoder.encode(JSON.stringify(request.claims)))
    .setProtectedHeader({ ...request.header, typ: 'JWT', alg: jwk.alg, kid: jwk.kid })
    .sign(key)
}

async function importedKey (jwk: JWK, alg: string, kid: string): Promise<SigningKey> {
  const cacheKey = `${alg}:${kid}`
  let key = keyCache.get(cacheKey)
  if (key === undefined) {
    key = await importJWK(jwk, alg)
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear()
    keyCache.set(cacheKey, key)
  }
  return key
}
