// The cluster cache's protection at rest: what a Redis reader sees of a value shared between gateway
// nodes (cluster-cache.ts). Every key and every value comes from the first level's cache key digest, which
// never leaves the gateway's memory: for a client credentials token (cache-key.ts) SHA-256 over the issuer,
// the caller's client id and secret, the instance salt and the instance fingerprint; for an introspection
// answer (resource-flow.ts) SHA-256 over the issuer, the caller's bearer token, the instance salt and the
// introspection settings. Each item has its own namespace (SealNamespace): its own key prefix and HKDF
// infos, so a token's entry can never be read, nor opened, as an introspection answer or the reverse.
//   - the Redis key names are `<prefix>{<id>}` (the value) and `...:lock` (single flight), where <id> is
//     HKDF-SHA256(digest, salt = instance salt, info = the namespace's key id info): a one-way function of
//     the caller's secret; the {} hash tag keeps a value and its lock on one Cluster slot
//       tokens:        `tollgate:oidc:v1:{<id>}`, info "tollgate oidc cluster cache v1 key id"
//       introspection: `tollgate:oidc:v1:introspection:{<id>}`, info "tollgate oidc cluster cache v1
//                      introspection key id"
//   - the value is AES-256-GCM under HKDF-SHA256(digest, salt = instance salt, info = the namespace's value
//     key info), a random 96-bit IV per write, the key name as additional data (a value copied to another
//     key, in its namespace or the other, does not open), laid out as:
//       [0]      u8   VERSION (1): the key derivation and cipher; a node that reads another version skips it
//       [1..12]  IV
//       [13..28] GCM tag
//       [29..]   ciphertext of the item's value bytes (token-value.ts: expiry, type, access token;
//                introspection-value.ts: expiry, bearer token, the IdP's answer, or an inactive mark)
// A Redis reader without a caller's secret (client secret or bearer token) can compute neither the key id
// nor the value key: it learns no token, no client id or secret, no introspection claims, nor which caller
// a key belongs to. Both keys are derived once per credential (the fill path, never a first-level hit) and
// kept in a small memo.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

export const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES
const KEY_BYTES = 32
const ID_BYTES = 24

/** Where one item's entries live in Redis and what their keys are derived with. */
export interface SealNamespace {
  /** put before `{<id>}` in every key name */
  readonly prefix: string
  /** HKDF info of the key id */
  readonly idInfo: string
  /** HKDF info of the AES key */
  readonly valueInfo: string
}

/** client credentials tokens (cluster_cache_items `tokens`): the names main has used since it shared them */
export const TOKENS_NAMESPACE: SealNamespace = Object.freeze({
  prefix: `tollgate:oidc:v${VERSION}:`,
  idInfo: `tollgate oidc cluster cache v${VERSION} key id`,
  valueInfo: `tollgate oidc cluster cache v${VERSION} value key`
})

/** introspection answers (cluster_cache_items `introspection`) */
export const INTROSPECTION_NAMESPACE: SealNamespace = Object.freeze({
  prefix: `tollgate:oidc:v${VERSION}:introspection:`,
  idInfo: `tollgate oidc cluster cache v${VERSION} introspection key id`,
  valueInfo: `tollgate oidc cluster cache v${VERSION} introspection value key`
})

/** What one credential's entry is called in Redis, and the key that seals it. */
export interface SealKeys {
  /** the value's key name */
  readonly valueKey: string
  /** the single-flight lock's key name (same Cluster slot) */
  readonly lockKey: string
  /** AES-256 key; never leaves the process */
  readonly aesKey: Buffer
}

/** Derives the Redis names and the value key of one credential's entry (`digest`: the first level's key). */
export function sealKeys (digest: Uint8Array, salt: string, namespace: SealNamespace = TOKENS_NAMESPACE): SealKeys {
  const id = Buffer.from(hkdfSync('sha256', digest, salt, namespace.idInfo, ID_BYTES)).toString('base64url')
  const valueKey = `${namespace.prefix}{${id}}`
  return {
    valueKey,
    lockKey: `${valueKey}:lock`,
    aesKey: Buffer.from(hkdfSync('sha256', digest, salt, namespace.valueInfo, KEY_BYTES))
  }
}

/** Encrypts the first level's value bytes for Redis. */
export function seal (keys: SealKeys, plain: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', keys.aesKey, iv)
  cipher.setAAD(Buffer.from(keys.valueKey, 'utf8'))
  const body = Buffer.concat([cipher.update(plain), cipher.final()])
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length)
  out[0] = VERSION
  iv.copy(out, 1)
  cipher.getAuthTag().copy(out, 1 + IV_BYTES)
  body.copy(out, HEADER_BYTES)
  return out
}

/**
 * The value bytes sealed in `sealed`, or null when it is not a value these keys sealed: another version,
 * truncated, tampered with, or sealed for another key name (GCM's tag fails).
 */
export function open (keys: SealKeys, sealed: Uint8Array): Buffer | null {
  if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) return null
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length)
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.aesKey, bytes.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.from(keys.valueKey, 'utf8'))
    decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, HEADER_BYTES))
    return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()])
  } catch {
    return null
  }
}
