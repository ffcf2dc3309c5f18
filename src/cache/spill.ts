// The spill ring: where values larger than a slot live (the documented oversize path). A circular log
// of `spillSize` bytes with an absolute 64-bit write head. A writer reserves [start, start + len) by a
// CAS on the head (skipping the ring's tail when the value would wrap), copies its bytes, and only then
// publishes start and the entry's seal in the slot. A reader copies the bytes out, then checks that the
// head has not passed start + spillSize (any later reservation that reuses those bytes moves it past
// that point first), and the caller checks the copy against the seal (seal.ts) with the key it looked
// up. The seal catches what the head cannot: a writer preempted between its reservation and its copy,
// lapped by the ring meanwhile, that then writes over newer values; and a slot whose position and seal
// a fenced writer of another key overwrote: the bytes found there were sealed with another key.
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

/** A copy of the value at `pos`, or null when the ring has passed it (or pos/len are impossible). The caller checks the seal. */
export function readSpill (v: Views, pos: number, len: number): Uint8Array | null {
  const size = v.spillSize
  if (!(len > 0 && len <= size && pos >= 0 && Number.isSafeInteger(pos))) return null
  const offset = pos % size
  if (offset + len > size) return null
  const start = v.spillOffset + offset
  const copy = v.u8.slice(start, start + len)
  if (Number(Atomics.load(v.spillHead, 0)) > pos + size) return null
  return copy
}
