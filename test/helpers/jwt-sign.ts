// Signs JWTs for the jwt plugin's tests with node:crypto (RFC 7515 compact serialisation, RFC 7518 algorithms).

import { constants, createHmac, sign, type KeyObject } from 'node:crypto'

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A compact JWS of `claims` under `alg` with `key` (a secret string or a private KeyObject); `header` adds members. */
export function signJwt (alg: string, claims: Record<string, unknown>, key: string | Buffer | KeyObject,
  header: Record<string, unknown> = {}): string {
  const input = `${b64({ typ: 'JWT', alg, ...header })}.${b64(claims)}`
  const hash = `sha${alg.slice(2)}`
  let signature: Buffer
  if (alg.startsWith('HS')) signature = createHmac(hash, key as string | Buffer).update(input).digest()
  else if (alg.startsWith('RS')) signature = sign(hash, Buffer.from(input), key as KeyObject)
  else if (alg.startsWith('PS')) {
    signature = sign(hash, Buffer.from(input), { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
  } else if (alg.startsWith('ES')) signature = sign(hash, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' })
  else signature = sign(null, Buffer.from(input), key as KeyObject)
  return `${input}.${signature.toString('base64url')}`
}
