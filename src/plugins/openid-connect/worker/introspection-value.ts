// What the shared token cache holds for one introspected token (value format 2; token-value.ts is 1):
//   [0]       u8   FORMAT (2)
//   [1..8]    f64  expiresAt, ms since the epoch (Infinity: never)
//   [9..12]   u32  byte length A of the access token
//   [13..]    A bytes of access token (UTF-8), then the introspection answer as JSON text (UTF-8)
// The answer is stored as the IdP sent it (its JSON object), not the grant: what the grant makes of it
// depends on the reading instance's config, so each instance decodes it once per slot version and worker
// (JSON.parse and the grant checks run there, never on a hit).
// The cluster cache (cluster-cache.ts, item `introspection`) shares these bytes between nodes, and one more
// form the first level never holds: an inactive answer (INACTIVE_FORMAT 3), [0] FORMAT, [1..8] f64 the
// time until which nodes treat the token as inactive. Both forms keep expiresAt at the same offset, so
// introspectionValueExpiresAt reads either without decoding the answer.

export const INTROSPECTION_FORMAT = 2
export const INACTIVE_FORMAT = 3
const OFFSET_EXPIRES_AT = 1
const OFFSET_TOKEN_LENGTH = 9
const HEADER_BYTES = 13

export interface IntrospectionValue {
  readonly token: string
  readonly claims: Readonly<Record<string, unknown>>
  readonly expiresAt: number
}

export function encodeIntrospectionValue (value: IntrospectionValue): Uint8Array {
  const json = JSON.stringify(value.claims)
  const tokenBytes = Buffer.byteLength(value.token, 'utf8')
  const out = Buffer.alloc(HEADER_BYTES + tokenBytes + Buffer.byteLength(json, 'utf8'))
  out[0] = INTROSPECTION_FORMAT
  out.writeDoubleLE(value.expiresAt, OFFSET_EXPIRES_AT)
  out.writeUInt32LE(tokenBytes, OFFSET_TOKEN_LENGTH)
  out.write(value.token, HEADER_BYTES, 'utf8')
  out.write(json, HEADER_BYTES + tokenBytes, 'utf8')
  return out
}

/** Reads a value written by encodeIntrospectionValue (`bytes` may be a longer view); null when it is not one. */
export function decodeIntrospectionValue (bytes: Uint8Array): IntrospectionValue | null {
  if (bytes.length < HEADER_BYTES || bytes[0] !== INTROSPECTION_FORMAT) return null
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const tokenBytes = view.readUInt32LE(OFFSET_TOKEN_LENGTH)
  if (HEADER_BYTES + tokenBytes > bytes.length) return null
  let claims: unknown
  try {
    claims = JSON.parse(view.toString('utf8', HEADER_BYTES + tokenBytes))
  } catch {
    return null
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return null
  return {
    token: view.toString('utf8', HEADER_BYTES, HEADER_BYTES + tokenBytes),
    claims: claims as Record<string, unknown>,
    expiresAt: view.readDoubleLE(OFFSET_EXPIRES_AT)
  }
}

/** An inactive answer as the cluster cache shares it: only until when it holds. */
export function encodeInactiveMark (until: number): Uint8Array {
  const out = Buffer.alloc(OFFSET_EXPIRES_AT + 8)
  out[0] = INACTIVE_FORMAT
  out.writeDoubleLE(until, OFFSET_EXPIRES_AT)
  return out
}

/** Until when an inactive mark holds; null when `bytes` is not one. */
export function inactiveMarkUntil (bytes: Uint8Array): number | null {
  if (bytes.length !== OFFSET_EXPIRES_AT + 8 || bytes[0] !== INACTIVE_FORMAT) return null
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readDoubleLE(OFFSET_EXPIRES_AT)
}

/** The expiry of an answer or an inactive mark, read without decoding (cluster-cache.ts); null: neither. */
export function introspectionValueExpiresAt (bytes: Uint8Array): number | null {
  if (bytes[0] === INACTIVE_FORMAT) return inactiveMarkUntil(bytes)
  if (bytes.length < HEADER_BYTES || bytes[0] !== INTROSPECTION_FORMAT) return null
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readDoubleLE(OFFSET_EXPIRES_AT)
}
