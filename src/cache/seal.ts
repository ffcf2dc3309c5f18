// An entry's seal: a 64-bit checksum (two independent 32-bit lanes) over everything a reader serves
// from a ready slot: the key's digest, the value bytes (inline or copied out of the spill ring), their
// length, the expiry, the renew time and the spill position.
//
// A negative entry is sealed too (sealNegative: the key and the negative expiry), so that a fenced
// writer's stores cannot turn another key's entry into a refusal (a false 401).
//
// Why a seqlock alone is not enough: a writer whose lock was broken as presumed dead (it stalled past
// lockTimeoutMs, seqlock.ts) may resume and go on storing into a slot that another key now owns, and
// those stores move no seq, so a reader's seq check cannot see them. Its publish is refused (the CAS in
// unlock), but the plain stores already made cannot be taken back. So the writer seals the entry with
// the key it is for, and a reader checks the seal against the key it looked up after copying the
// value: a mix of two keys' stores fails the check (a chance of 2^-64 to pass, with no attacker choice
// of the bytes a stalled thread mixes in), and the reader treats the entry as lost and refetches.
// The check runs once per value generation per thread (on decode), never on a decoded hit.
//
// Lane A is FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/), lane B a multiply-xorshift step with
// MurmurHash2's multiplier; both are plain integer code, so sealing costs no allocation.

import { DIGEST_WORDS } from './layout.ts'

export class Seal {
  a = 0
  b = 0
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const MURMUR_M = 0x5bd1e995
const LANE_B_SEED = 0x2f6b_a3c1

// f64 fields are sealed by their bits, read through this scratch pair (no allocation per seal).
const scratchF64 = new Float64Array(1)
const scratchI32 = new Int32Array(scratchF64.buffer)

class Lanes {
  a = FNV_OFFSET | 0
  b = LANE_B_SEED

  word (w: number): void {
    this.a = Math.imul(this.a ^ w, FNV_PRIME)
    const b = Math.imul(this.b ^ w, MURMUR_M)
    this.b = b ^ (b >>> 15)
  }

  double (x: number): void {
    scratchF64[0] = x
    this.word(scratchI32[0])
    this.word(scratchI32[1])
  }
}

const lanes = new Lanes()
const NO_BYTES = new Uint8Array(0)

/**
 * Seals a ready entry into `out`. `spillPos` is the position stored in the slot (0 for an inline
 * value). Writer and reader pass the same fields, the reader with the key it looked up.
 */
export function sealEntry (key: Int32Array, bytes: Uint8Array, expiresAt: number, renewAt: number,
  spillPos: number, out: Seal): void {
  lanes.a = FNV_OFFSET | 0
  lanes.b = LANE_B_SEED
  for (let w = 0; w < DIGEST_WORDS; w++) lanes.word(key[w])
  lanes.word(bytes.length)
  lanes.double(expiresAt)
  lanes.double(renewAt)
  lanes.double(spillPos)
  let a = lanes.a
  let b = lanes.b
  // the value bytes: inlined rather than a call per byte, since a value is up to slotSize (or the ring)
  for (let i = 0; i < bytes.length; i++) {
    const x = bytes[i]
    a = Math.imul(a ^ x, FNV_PRIME)
    b = Math.imul(b ^ x, MURMUR_M)
    b ^= b >>> 15
  }
  out.a = a | 0
  out.b = b | 0
}

/** Seals a negative entry of `key` until `until` (-Infinity in the expiry's place: no ready entry seals so). */
export function sealNegative (key: Int32Array, until: number, out: Seal): void {
  sealEntry(key, NO_BYTES, -Infinity, until, 0, out)
}
