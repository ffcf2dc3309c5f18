// The spill ring: where values larger than a slot live (the documented oversize path). A circular log
// of `spillSize` bytes with an absolute 64-bit write head. A writer reserves [start, start + len) by a
// CAS on the head (skipping the ring's tail when the value would wrap), copies its bytes, and only then
// publishes start and a checksum in the slot. A reader copies the bytes out, then checks that the head
// has not passed start + spillSize (any later reservation that reuses those bytes moves it past that
// point first) and that the copy matches the checksum. The checksum catches what the head cannot: a
// writer preempted between its reservation and its copy, lapped by the ring meanwhile, that then
// writes over newer values (FNV-1a 32-bit: a corrupt copy passes with probability 2^-32).
// A reader that loses its bytes treats the entry as lost (see TokenCache) and it is refetched.
// BigInt allocation here is fine: this runs on a fill or a first decode, never on a decoded hit.

import type { Views } from './views.ts'

/** Copies `bytes` into the ring and returns their absolute position. bytes.length <= spillSize. */
export function writeSpill (v: Views, bytes: Uint8Array): number {
  const size = v.spillSize
  for (;;) {
    const head = Atomics.load(v.spillHead, 0)
    let start = Number(head)
    const offset = start % size
    if (offset + bytes.length > size) start += size - offset
    if (Atomics.compareExchange(v.spillHead, 0, head, BigInt(start + bytes.length)) === head) {
      v.u8.set(bytes, v.spillOffset + (start % size))
      return start
    }
  }
}

/** FNV-1a, 32-bit, as an int32. */
export function spillChecksum (bytes: Uint8Array): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193)
  return hash | 0
}

/** A copy of the value at `pos`, or null when it has been overwritten (or pos/len/sum do not match). */
export function readSpill (v: Views, pos: number, len: number, sum: number): Uint8Array | null {
  const size = v.spillSize
  if (!(len > 0 && len <= size && pos >= 0 && Number.isSafeInteger(pos))) return null
  const offset = pos % size
  if (offset + len > size) return null
  const start = v.spillOffset + offset
  const copy = v.u8.slice(start, start + len)
  if (Number(Atomics.load(v.spillHead, 0)) > pos + size) return null
  return spillChecksum(copy) === sum ? copy : null
}
