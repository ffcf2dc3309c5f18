// Per-slot seqlock. A writer moves SLOT_SEQ from even s to odd s+1 with a CAS (that CAS is also the
// slot's write lock), writes the fields, then moves it to s+2. A reader loads SLOT_SEQ, reads the
// fields with plain loads, and loads SLOT_SEQ again: equal and even means the fields belong to one
// version, so a reader never blocks and never uses a torn entry. Because a writer locks from the seq of
// the snapshot it decided on, a successful lock also proves the slot unchanged since that decision.
// (The scheme: Linux's seqcount_t, Documentation/locking/seqlock.rst; Boehm, "Can seqlocks get along
// with programming language memory models?", MSPC 2012.)
//
// Fencing. A lock held past lockTimeoutMs is broken as dead (breakSlotLock), but its holder may only
// have stalled. The odd seq a writer locked is its fencing token: unlock publishes by a CAS from that
// token, so a writer whose lock was broken is refused and told (false), and must not count its write
// as done. Its plain stores made before it learns are not undone: seal.ts makes readers reject them.

import {
  DIGEST_WORDS, SLOT_CLAIM_UNTIL, SLOT_DIGEST, SLOT_EXPIRES_AT, SLOT_FLAGS, SLOT_OWNER, SLOT_RENEW_AT, SLOT_SEQ,
  SLOT_SEAL_A, SLOT_SEAL_B, SLOT_SPILL_POS, SLOT_STATE, SLOT_STATE_UNTIL, SLOT_VALUE_GEN, SLOT_VALUE_LEN, STATE_EMPTY
} from './layout.ts'
import type { Views } from './views.ts'

/** One consistent read of a slot's header; one reused instance per TokenCache (no allocation per read). */
export class Snapshot {
  seq = 0
  state = 0
  owner = 0
  len = 0
  flags = 0
  gen = 0
  expiresAt = 0
  renewAt = 0
  stateUntil = 0
  claimUntil = 0
  spillPos = 0
  sealA = 0
  sealB = 0
}

export const READ_OTHER = 0
export const READ_MATCH = 1
export const READ_BUSY = 2

/** Re-reads while a writer holds the slot; a write is a short copy, so this rarely spins at all. */
const SPINS = 64

/**
 * Reads a slot into `snap` and compares its whole digest with `key` (8 words). READ_BUSY: a writer
 * held it through every spin (`snap.seq` is the odd value seen).
 */
export function readSlot (v: Views, byte: number, key: Int32Array, snap: Snapshot): number {
  const i32 = v.i32
  const f64 = v.f64
  const seqIndex = (byte + SLOT_SEQ) >> 2
  const digest = (byte + SLOT_DIGEST) >> 2
  for (let spin = 0; spin < SPINS; spin++) {
    const seq = Atomics.load(i32, seqIndex)
    if ((seq & 1) !== 0) continue
    let match = true
    for (let w = 0; w < DIGEST_WORDS; w++) {
      if (i32[digest + w] !== key[w]) { match = false; break }
    }
    snap.state = i32[(byte + SLOT_STATE) >> 2]
    snap.owner = i32[(byte + SLOT_OWNER) >> 2]
    snap.len = i32[(byte + SLOT_VALUE_LEN) >> 2]
    snap.flags = i32[(byte + SLOT_FLAGS) >> 2]
    snap.gen = i32[(byte + SLOT_VALUE_GEN) >> 2]
    snap.expiresAt = f64[(byte + SLOT_EXPIRES_AT) >> 3]
    snap.renewAt = f64[(byte + SLOT_RENEW_AT) >> 3]
    snap.stateUntil = f64[(byte + SLOT_STATE_UNTIL) >> 3]
    snap.claimUntil = f64[(byte + SLOT_CLAIM_UNTIL) >> 3]
    snap.spillPos = f64[(byte + SLOT_SPILL_POS) >> 3]
    snap.sealA = i32[(byte + SLOT_SEAL_A) >> 2]
    snap.sealB = i32[(byte + SLOT_SEAL_B) >> 2]
    if (Atomics.load(i32, seqIndex) !== seq) continue
    snap.seq = seq
    return match && snap.state !== STATE_EMPTY ? READ_MATCH : READ_OTHER
  }
  snap.seq = Atomics.load(i32, seqIndex)
  return READ_BUSY
}

export function seqIndex (byte: number): number {
  return (byte + SLOT_SEQ) >> 2
}

/** Takes the slot's write lock if it is still at version `seq` (even). */
export function tryLock (v: Views, byte: number, seq: number): boolean {
  return Atomics.compareExchange(v.i32, (byte + SLOT_SEQ) >> 2, seq, (seq + 1) | 0) === seq
}

/** True while the writer that locked the slot at version `seq` still holds it (checked before a long copy). */
export function holdsLock (v: Views, byte: number, seq: number): boolean {
  return Atomics.load(v.i32, (byte + SLOT_SEQ) >> 2) === ((seq + 1) | 0)
}

/**
 * Publishes the write: seq s+1 -> s+2, then wakes every thread waiting on this slot's seq (waiters for
 * a fill, readers that found it locked). The CAS, not a store, so a writer whose lock was broken as
 * dead (it stalled past lockTimeoutMs) cannot unlock the breaker's version: false tells it its write
 * was refused (fenced). The notify runs either way: waking sleepers costs at most a re-read.
 */
export function unlock (v: Views, byte: number, seq: number): boolean {
  const index = (byte + SLOT_SEQ) >> 2
  const published = Atomics.compareExchange(v.i32, index, (seq + 1) | 0, (seq + 2) | 0) === ((seq + 1) | 0)
  // wakes Atomics.waitAsync sleepers on this seq (wait.ts): fill waiters and readers that found it locked
  Atomics.notify(v.i32, index)
  return published
}

/**
 * Breaks the lock of a writer presumed dead (seq stuck at odd `seq`): takes it over (odd -> odd + 2),
 * empties the slot, whose half-written fields can't be trusted, and publishes it. False if the writer
 * finished meanwhile.
 */
export function breakSlotLock (v: Views, byte: number, seq: number): boolean {
  const index = (byte + SLOT_SEQ) >> 2
  if (Atomics.compareExchange(v.i32, index, seq, (seq + 2) | 0) !== seq) return false
  const i32 = v.i32
  i32[(byte + SLOT_STATE) >> 2] = STATE_EMPTY
  i32[(byte + SLOT_VALUE_LEN) >> 2] = 0
  i32[(byte + SLOT_FLAGS) >> 2] = 0
  i32[(byte + SLOT_OWNER) >> 2] = 0
  i32[(byte + SLOT_VALUE_GEN) >> 2] = nextGeneration(i32[(byte + SLOT_VALUE_GEN) >> 2])
  i32.fill(0, (byte + SLOT_DIGEST) >> 2, ((byte + SLOT_DIGEST) >> 2) + DIGEST_WORDS)
  // a CAS too: a breaker that stalled here past lockTimeoutMs was itself broken and must not publish
  Atomics.compareExchange(i32, index, (seq + 2) | 0, (seq + 3) | 0)
  // wakes the sleepers of wait.ts on this seq: the slot is free again
  Atomics.notify(i32, index)
  return true
}

/** Value generations are positive int32s (a decoded copy's -1 never matches one), wrapping to 1. */
export function nextGeneration (gen: number): number {
  return ((gen + 1) & 0x7fffffff) || 1
}
