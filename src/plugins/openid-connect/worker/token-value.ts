// What the shared token cache holds for one token, and the header value the upstream gets.
// Byte layout of a value (all integers little-endian):
//   [0]        u8   FORMAT (1)
//   [1..8]     f64  expiresAt, ms since the epoch (Infinity: never)
//   [9..10]    u16  byte length T of the token type
//   [11..14]   u32  byte length A of the access token
//   [15..]     T bytes of token type (UTF-8), then A bytes of access token (UTF-8)
// The upstream header form is not stored: it comes from the reading plugin instance's config, and decode
// builds it once per slot version and worker, so a cache hit only copies a string reference.

import type { Grant } from './grant.ts'

export const FORMAT = 1
const OFFSET_EXPIRES_AT = 1
const OFFSET_TYPE_LENGTH = 9
const OFFSET_TOKEN_LENGTH = 11
export const HEADER_BYTES = 15
const MAX_TYPE_BYTES = 0xffff

export interface TokenValue {
  readonly accessToken: string
  readonly tokenType: string
  readonly expiresAt: number
}

export interface CachedToken extends TokenValue {
  /** the value of the upstream header, e.g. 'Bearer <token>' */
  readonly upstreamValue: string
  /** what the token grants (grant.ts), when the instance reads its claims; null: only the header is set */
  readonly grant: Grant | null
}

export interface UpstreamTokenHeader {
  /** lower-cased header name */
  readonly name: string
  /** put before the token: 'Bearer ', 'Basic ', 'DPoP ' or '' */
  readonly prefix: string
}

const AUTHORIZATION_FORMS: Readonly<Record<string, string>> = {
  'authorization:bearer': 'Bearer ',
  'authorization:basic': 'Basic ',
  'authorization:dpop': 'DPoP '
}

/** Kong's upstream_access_token_header: the special authorization forms, or a plain header name; null: none. */
export function parseUpstreamTokenHeader (setting: string | null | undefined): UpstreamTokenHeader | null {
  if (setting === null || setting === undefined || setting === '') return null
  const lower = setting.toLowerCase()
  const prefix = AUTHORIZATION_FORMS[lower]
  return prefix === undefined ? { name: lower, prefix: '' } : { name: 'authorization', prefix }
}

export function encodeTokenValue (value: TokenValue): Uint8Array {
  const typeBytes = Buffer.byteLength(value.tokenType, 'utf8')
  const tokenBytes = Buffer.byteLength(value.accessToken, 'utf8')
  if (typeBytes > MAX_TYPE_BYTES) throw new RangeError('token type too long for the cache value')
  const out = Buffer.alloc(HEADER_BYTES + typeBytes + tokenBytes)
  out[0] = FORMAT
  out.writeDoubleLE(value.expiresAt, OFFSET_EXPIRES_AT)
  out.writeUInt16LE(typeBytes, OFFSET_TYPE_LENGTH)
  out.writeUInt32LE(tokenBytes, OFFSET_TOKEN_LENGTH)
  out.write(value.tokenType, HEADER_BYTES, 'utf8')
  out.write(value.accessToken, HEADER_BYTES + typeBytes, 'utf8')
  return out
}

/**
 * Reads a value written by encodeTokenValue from `bytes` (which may be a view into a SharedArrayBuffer and
 * longer than the value). Null when the bytes are not such a value.
 */
export function decodeTokenValue (bytes: Uint8Array, header: UpstreamTokenHeader | null): CachedToken | null {
  if (bytes.length < HEADER_BYTES || bytes[0] !== FORMAT) return null
  // A Buffer view (no copy) reads integers and UTF-8 from a SharedArrayBuffer too.
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const typeBytes = view.readUInt16LE(OFFSET_TYPE_LENGTH)
  const tokenBytes = view.readUInt32LE(OFFSET_TOKEN_LENGTH)
  const end = HEADER_BYTES + typeBytes + tokenBytes
  if (end > bytes.length) return null
  const accessToken = view.toString('utf8', HEADER_BYTES + typeBytes, end)
  return {
    accessToken,
    tokenType: view.toString('utf8', HEADER_BYTES, HEADER_BYTES + typeBytes),
    expiresAt: view.readDoubleLE(OFFSET_EXPIRES_AT),
    upstreamValue: header === null ? accessToken : header.prefix + accessToken,
    grant: null
  }
}

/** The expiry of a value written by encodeTokenValue, without decoding the strings; null when not such a value. */
export function tokenValueExpiresAt (bytes: Uint8Array): number | null {
  if (bytes.length < HEADER_BYTES || bytes[0] !== FORMAT) return null
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readDoubleLE(OFFSET_EXPIRES_AT)
}

export interface TokenValueCodec {
  readonly header: UpstreamTokenHeader | null
  encode (value: TokenValue): Uint8Array
  decode (bytes: Uint8Array): CachedToken | null
}

/** Once per plugin instance, from upstream_access_token_header. */
export function createTokenValueCodec (upstreamAccessTokenHeader: string | null | undefined): TokenValueCodec {
  const header = parseUpstreamTokenHeader(upstreamAccessTokenHeader)
  return {
    header,
    encode: encodeTokenValue,
    decode: (bytes) => decodeTokenValue(bytes, header)
  }
}
