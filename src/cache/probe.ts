// Where a key lives: open addressing over a window of PROBE_WINDOW slots starting at the key's home
// (digest word 0 without its sign bit, modulo slots: uniform because the digest is SHA-256). A lookup reads the window until
// the slot whose whole digest equals the key's; a key is never matched by slot index alone.
//
// Eviction policy (a full window): the victim is the slot in the window with the nearest expiry:
// empty first, then dead fills, then ready/negative entries by expiry (expired ones are naturally
// first). A fill in progress is never evicted (threads are waiting on it), nor a slot being written.
// A key whose whole window is mid-fill is served uncached (the caller still fills; nothing is stored).

import { STATE_EMPTY, STATE_FILLING, STATE_NEGATIVE, STATE_READY } from './layout.ts'
import { READ_BUSY, READ_MATCH, readSlot } from './seqlock.ts'
import type { Snapshot } from './seqlock.ts'
import { slotByte } from './views.ts'
import type { Views } from './views.ts'

/** The result of probing a key's window; one reused instance per TokenCache. */
export class Probe {
  /** the key's slot, or -1; `snap` then describes it */
  match = -1
  matchByte = 0
  /** a slot a writer held throughout the read, or -1 */
  busyByte = -1
  busySeq = 0
  /** the eviction victim, or -1 when every slot is mid-fill or busy */
  victim = -1
  victimByte = 0
  victimSeq = 0
  /** the victim holds an unexpired entry of another key */
  victimLive = false
}

/** The key's home: its first digest word, sign bit dropped so the modulo stays integer, mod slots. */
export function homeSlot (v: Views, key: Int32Array): number {
  return (key[0] & 0x7fffffff) % v.slots
}

/** Lower is a better victim; Infinity: not evictable (an entry that never expires scores MAX_VALUE). */
function victimScore (snap: Snapshot, now: number): number {
  switch (snap.state) {
    case STATE_EMPTY: return -Infinity
    case STATE_FILLING: return now < snap.stateUntil ? Infinity : -Number.MAX_VALUE
    case STATE_READY: return Math.min(snap.expiresAt, Number.MAX_VALUE)
    case STATE_NEGATIVE: return Math.min(snap.stateUntil, Number.MAX_VALUE)
    default: return Infinity
  }
}

function isLive (snap: Snapshot, now: number): boolean {
  return (snap.state === STATE_READY && now < snap.expiresAt) || (snap.state === STATE_NEGATIVE && now < snap.stateUntil)
}

/** Reads the window of `key` from its home, stopping at the key's own slot. */
export function probeWindow (v: Views, key: Int32Array, snap: Snapshot, probe: Probe, now: number): void {
  probe.match = -1
  probe.busyByte = -1
  probe.victim = -1
  let best = Infinity
  const home = homeSlot(v, key)
  for (let p = 0; p < v.window; p++) {
    let slot = home + p
    if (slot >= v.slots) slot -= v.slots
    const byte = slotByte(v, slot)
    const read = readSlot(v, byte, key, snap)
    if (read === READ_MATCH) {
      probe.match = slot
      probe.matchByte = byte
      return
    }
    if (read === READ_BUSY) {
      if (probe.busyByte < 0) {
        probe.busyByte = byte
        probe.busySeq = snap.seq
      }
      continue
    }
    const score = victimScore(snap, now)
    if (score < best) {
      best = score
      probe.victim = slot
      probe.victimByte = byte
      probe.victimSeq = snap.seq
      probe.victimLive = isLive(snap, now)
    }
  }
}
