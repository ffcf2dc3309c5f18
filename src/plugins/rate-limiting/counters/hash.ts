// The key hash, computed once per request over the limit_by value (attacker input for `header`, `ip`):
// no crypto and no encoding step, two independent 32-bit FNV-1a-style lanes over the UTF-16 code units,
// each finished with murmur3's fmix32 so the home slot's low bits are well mixed. A collision costs
// nothing in correctness: a slot matches only on the identifier itself (its length, its first KEY_UNITS
// units and, past those, both lanes; layout.ts). With limit_by header a client picks its key anyway, so
// engineered collisions of long keys give it nothing it could not do by sending the other key.

/** The two lanes of one hash; one reused instance per caller (no allocation per request). */
export class KeyHash {
  a = 0
  b = 0
}

export function fmix32 (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

// A hot loop over every code unit of the key: kept in one function with charCodeAt on purpose.
export function hashKey (key: string, out: KeyHash): KeyHash {
  let a = 0x811c9dc5 | 0
  let b = 0x9747b28c | 0
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  out.a = fmix32(a ^ key.length)
  out.b = fmix32(b ^ Math.imul(key.length, 0x9e3779b1))
  return out
}
