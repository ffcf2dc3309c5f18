// The writes that move a slot between states. Each runs while the caller holds the slot's seqlock
// (tryLock .. unlock in seqlock.ts), so plain stores suffice: unlock's CAS publishes them together.
//
//   EMPTY/other key --claim--> FILLING --complete--> READY --expiry--> (READY, expired) --claim--> FILLING
//   FILLING --fail(ttl>0)--> NEGATIVE            FILLING --fail(0)--> READY+FAILED (value kept) or
//   FILLING --deadline passed--> taken over       NEGATIVE expiring now (no value): the fill's outcome
//   READY --renew claim--> READY (claimUntil set)  NEGATIVE --expiry--> claim --> FILLING
//   FILLING --abandon (the IdP was never asked, or the filler's thread exited)--> FILLING, owner 0,
//     deadline passed: the first thread to look takes it over (FILL), the others wait for that one

import {
  DIGEST_WORDS, FLAG_FAILED, SLOT_CLAIM_UNTIL, SLOT_DIGEST, SLOT_EXPIRES_AT, SLOT_FLAGS, SLOT_OWNER,
  SLOT_RENEW_AT, SLOT_SEAL_A, SLOT_SEAL_B, SLOT_SPILL_POS, SLOT_STATE, SLOT_STATE_UNTIL, SLOT_VALUE, SLOT_VALUE_GEN,
  SLOT_VALUE_LEN, STATE_FILLING, STATE_NEGATIVE, STATE_READY
} from './layout.ts'
import type { Seal } from './seal.ts'
import { holdsLock, nextGeneration } from './seqlock.ts'
import type { Views } from './views.ts'

/** writeReady's answer when its lock was broken before it stored anything (see seqlock.ts, Fencing). */
export const FENCED_WRITE = -1

/**
 * For tests only: called by writeReady after its last fence check, right before its stores (the
 * window no check can close), and by writeNegative before its stores, so a test can stall a writer
 * there and break its lock meanwhile.
 */
export const writeHooks: { beforeStores: ((byte: number) => void) | null } = { beforeStores: null }

function writeDigest (v: Views, byte: number, key: Int32Array): void {
  v.i32.set(key.subarray(0, DIGEST_WORDS), (byte + SLOT_DIGEST) >> 2)
}

/** The value changed: workers' decoded copies of the old one must not match any more. */
function nextGen (v: Views, byte: number): number {
  const index = (byte + SLOT_VALUE_GEN) >> 2
  const gen = nextGeneration(v.i32[index])
  v.i32[index] = gen
  return gen
}

/**
 * FILLING until `deadline`, owned by `owner`. `key` is set when the slot is taken for a new key (the
 * value is then dropped); null when the key's own slot is claimed, which keeps any retained value (and
 * FLAG_FAILED) so it can still be served stale during the fill.
 */
export function writeFilling (v: Views, byte: number, key: Int32Array | null, owner: number, deadline: number): void {
  const i32 = v.i32
  const f64 = v.f64
  if (key !== null) {
    writeDigest(v, byte, key)
    nextGen(v, byte)
    i32[(byte + SLOT_VALUE_LEN) >> 2] = 0
    i32[(byte + SLOT_FLAGS) >> 2] = 0
    f64[(byte + SLOT_EXPIRES_AT) >> 3] = 0
  }
  i32[(byte + SLOT_STATE) >> 2] = STATE_FILLING
  i32[(byte + SLOT_OWNER) >> 2] = owner
  f64[(byte + SLOT_STATE_UNTIL) >> 3] = deadline
  f64[(byte + SLOT_CLAIM_UNTIL) >> 3] = 0
}

/**
 * READY with the value: inline `bytes` when `spillPos` < 0, else already in the spill ring at spillPos;
 * `seal` is sealEntry's over them (seal.ts). `locked` is the even seq the caller locked the slot from:
 * the lock is checked once more before the stores, and FENCED_WRITE returned, nothing stored, if it
 * was broken meanwhile. Returns the value's generation.
 */
export function writeReady (v: Views, byte: number, key: Int32Array | null, bytes: Uint8Array, spillPos: number,
  seal: Seal, flags: number, expiresAt: number, renewAt: number, locked: number): number {
  const i32 = v.i32
  const f64 = v.f64
  if (!holdsLock(v, byte, locked)) return FENCED_WRITE
  const gen = nextGen(v, byte)
  if (writeHooks.beforeStores !== null) writeHooks.beforeStores(byte)
  if (key !== null) writeDigest(v, byte, key)
  if (spillPos < 0) v.u8.set(bytes, byte + SLOT_VALUE)
  i32[(byte + SLOT_VALUE_LEN) >> 2] = bytes.length
  i32[(byte + SLOT_FLAGS) >> 2] = flags
  i32[(byte + SLOT_STATE) >> 2] = STATE_READY
  i32[(byte + SLOT_OWNER) >> 2] = 0
  f64[(byte + SLOT_EXPIRES_AT) >> 3] = expiresAt
  f64[(byte + SLOT_RENEW_AT) >> 3] = renewAt
  f64[(byte + SLOT_STATE_UNTIL) >> 3] = 0
  f64[(byte + SLOT_CLAIM_UNTIL) >> 3] = 0
  f64[(byte + SLOT_SPILL_POS) >> 3] = spillPos < 0 ? 0 : spillPos
  writeSeal(v, byte, seal)
  return gen
}

function writeSeal (v: Views, byte: number, seal: Seal): void {
  v.i32[(byte + SLOT_SEAL_A) >> 2] = seal.a
  v.i32[(byte + SLOT_SEAL_B) >> 2] = seal.b
}

/** NEGATIVE until `until`, sealed (sealNegative); a rejected key's old value is dropped, never served stale. */
export function writeNegative (v: Views, byte: number, key: Int32Array | null, until: number, seal: Seal): number {
  const i32 = v.i32
  if (writeHooks.beforeStores !== null) writeHooks.beforeStores(byte)
  if (key !== null) writeDigest(v, byte, key)
  writeSeal(v, byte, seal)
  i32[(byte + SLOT_VALUE_LEN) >> 2] = 0
  i32[(byte + SLOT_FLAGS) >> 2] = 0
  i32[(byte + SLOT_STATE) >> 2] = STATE_NEGATIVE
  i32[(byte + SLOT_OWNER) >> 2] = 0
  v.f64[(byte + SLOT_STATE_UNTIL) >> 3] = until
  v.f64[(byte + SLOT_CLAIM_UNTIL) >> 3] = 0
  return nextGen(v, byte)
}

/**
 * A fill that failed transiently (or whose thread died): waiters must learn it failed, and the next
 * asker retries. With a retained value: READY (expired) + FLAG_FAILED, stateUntil = when it failed, so
 * the value may be served stale. Without: NEGATIVE expiring at `now`, sealed with `seal` (sealNegative).
 */
export function writeFailed (v: Views, byte: number, now: number, seal: Seal): void {
  const i32 = v.i32
  const f64 = v.f64
  if (i32[(byte + SLOT_VALUE_LEN) >> 2] > 0) {
    i32[(byte + SLOT_STATE) >> 2] = STATE_READY
    i32[(byte + SLOT_FLAGS) >> 2] |= FLAG_FAILED
  } else {
    i32[(byte + SLOT_STATE) >> 2] = STATE_NEGATIVE
    writeSeal(v, byte, seal)
  }
  i32[(byte + SLOT_OWNER) >> 2] = 0
  f64[(byte + SLOT_STATE_UNTIL) >> 3] = now
  f64[(byte + SLOT_CLAIM_UNTIL) >> 3] = 0
}

/**
 * A fill that ended without an outcome: its thread exited, or it failed before the IdP was asked (the
 * signer). Nothing was learnt about the key, so nothing is cached: the fill is left as a dead one
 * (deadline passed, owner 0), which the next thread to look at it (a waiter woken by the unlock)
 * takes over. A retained value stays for stale serving.
 */
export function writeAbandoned (v: Views, byte: number): void {
  v.i32[(byte + SLOT_OWNER) >> 2] = 0
  v.f64[(byte + SLOT_STATE_UNTIL) >> 3] = 0
  v.f64[(byte + SLOT_CLAIM_UNTIL) >> 3] = 0
}

/** A renewal claim: the value and its generation are untouched, so decoded copies stay valid. */
export function writeClaim (v: Views, byte: number, owner: number, until: number): void {
  v.i32[(byte + SLOT_OWNER) >> 2] = owner
  v.f64[(byte + SLOT_CLAIM_UNTIL) >> 3] = until
}
