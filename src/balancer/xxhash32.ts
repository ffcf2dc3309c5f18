// XXH32 (seed 0), the hash Kong's consistent-hashing balancer puts values and ring points through
// (kong/runloop/balancer/consistent_hashing.lua, get_continuum_index: luaxxhash's xxhash32, unsigned).
// Kong hashes a Lua string's bytes. A value read off the wire reaches us as a latin1 string (one char per
// byte, as node's HTTP parser decodes headers and the request target), so those chars are hashed as bytes;
// only a string with a char above 0xFF (never from the wire) is hashed as its UTF-8 encoding.
// Written from the published algorithm (github.com/Cyan4973/xxHash, doc/xxhash_spec.md).

const PRIME1 = 0x9E3779B1
const PRIME2 = 0x85EBCA77
const PRIME3 = 0xC2B2AE3D
const PRIME4 = 0x27D4EB2F
const PRIME5 = 0x165667B1

const encoder = new TextEncoder()
// reused for every hash: grows (doubling) to the longest value seen, so hashing allocates nothing
let scratch = new Uint8Array(256)

/** XXH32 of `value` with seed 0, as an unsigned 32-bit integer. */
export function xxhash32 (value: string): number {
  const length = toBytes(value) // first: it may replace `scratch`
  return xxhash32Bytes(scratch, length)
}

/** Writes the bytes Kong would hash into `scratch`, returning how many. */
function toBytes (value: string): number {
  const length = value.length
  if (length * 3 > scratch.length) scratch = new Uint8Array(Math.max(length * 3, scratch.length * 2))
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i)
    if (code > 0xFF) return encoder.encodeInto(value, scratch).written
    scratch[i] = code
  }
  return length
}

function rotl (x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

function word (bytes: Uint8Array, i: number): number {
  return bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
}

function round (acc: number, input: number): number {
  return Math.imul(rotl((acc + Math.imul(input, PRIME2)) | 0, 13), PRIME1)
}

/** XXH32 (seed 0) of bytes[0, length). */
export function xxhash32Bytes (bytes: Uint8Array, length: number): number {
  let i = 0
  let h: number
  if (length >= 16) {
    let v1 = (PRIME1 + PRIME2) | 0
    let v2 = PRIME2 | 0
    let v3 = 0
    let v4 = -PRIME1 | 0
    for (const limit = length - 16; i <= limit; i += 16) {
      v1 = round(v1, word(bytes, i))
      v2 = round(v2, word(bytes, i + 4))
      v3 = round(v3, word(bytes, i + 8))
      v4 = round(v4, word(bytes, i + 12))
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    h = PRIME5 | 0
  }
  h = (h + length) | 0
  for (; i + 4 <= length; i += 4) {
    h = Math.imul(rotl((h + Math.imul(word(bytes, i), PRIME3)) | 0, 17), PRIME4)
  }
  for (; i < length; i++) {
    h = Math.imul(rotl((h + Math.imul(bytes[i], PRIME5)) | 0, 11), PRIME1)
  }
  h = Math.imul(h ^ (h >>> 15), PRIME2)
  h = Math.imul(h ^ (h >>> 13), PRIME3)
  return (h ^ (h >>> 16)) >>> 0
}
