// One thread's hands on the shared table: the key being worked on, its window, and every locked write
// (claims, inserts, upserts, failures), plus where to sleep when it must wait. It knows nothing of
// decoding or of what a status means to the caller: TokenCache decides, this writes.

import { threadId } from 'node:worker_threads'
import { DIGEST_BYTES, DIGEST_WORDS, STATE_FILLING, STATE_NEGATIVE, STATE_READY } from './layout.ts'
import { insertLockIndex, releaseInsertLock, StuckWatch, tryInsertLock } from './locks.ts'
import { Seal, sealNegative } from './seal.ts'
import { breakSlotLock, seqIndex, Snapshot, tryLock, unlock } from './seqlock.ts'
import {
  STAT_EVICTIONS, STAT_FAILURES, STAT_FENCED, STAT_FILL_TIMEOUTS, STAT_LOCKS_BROKEN, STAT_RENEWALS, STAT_UNCACHED, StatsLane
} from './stats.ts'
import { FILL, RETRY, WAIT } from './lookup-status.ts'
import { homeSlot, Probe, probeWindow } from './probe.ts'
import { writeAbandoned, writeClaim, writeFailed, writeFilling, writeNegative } from './transitions.ts'
import { slotByte } from './views.ts'
import type { Views } from './views.ts'

// what #locate found for the key
const FOUND = 1
const ABSENT = 0
const BUSY = -1
/** Attempts when slots keep changing under an operation; each failed attempt means another write landed. */
export const MAX_ATTEMPTS = 32
/** After a failed renewal, the next renewal may be claimed this much later (at most fillTimeoutMs). */
const RENEW_RETRY_MS = 1000

/**
 * Writes an entry's fields into the slot at `byte` (key: set for a new slot, null in place), locked
 * from version `locked`; returns its generation, or FENCED_WRITE (transitions.ts) if the lock was lost.
 */
export type EntryWrite = (byte: number, key: Int32Array | null, locked: number) => number

/** upsert(): no slot of the window could take the entry */
export const UPSERT_NO_ROOM = -1
/** upsert(): this thread's lock was broken as dead while it wrote (it stalled): the write was refused */
export const UPSERT_FENCED = -2

export class SharedTable {
  readonly v: Views
  /** written into slots this thread fills or renews, so the main thread can release them if it exits */
  readonly owner = threadId + 1
  readonly stats: StatsLane
  /** the key being worked on, as words for the digest compare (copied in, so no allocation) */
  readonly key = new Int32Array(DIGEST_WORDS)
  readonly #keyBytes = new Uint8Array(this.key.buffer)
  readonly snap = new Snapshot()
  readonly probe = new Probe()
  /** scratch for the seals this thread writes or checks */
  readonly seal = new Seal()
  readonly #stuck = new StuckWatch()
  readonly #fillTimeoutMs: number
  readonly #lockTimeoutMs: number
  // Where the last WAIT said to sleep.
  waitIndex = 0
  waitValue = 0
  waitMs = 0
  /** the value generation the last upsert wrote */
  written = 0

  constructor (v: Views, fillTimeoutMs: number, lockTimeoutMs: number) {
    this.v = v
    this.stats = new StatsLane(v, this.owner)
    this.#fillTimeoutMs = fillTimeoutMs
    this.#lockTimeoutMs = lockTimeoutMs
  }

  setKey (digest: Uint8Array): void {
    if (digest.length !== DIGEST_BYTES) throw new TypeError('token cache key must be a 32-byte SHA-256 digest')
    this.#keyBytes.set(digest)
  }

  /** Probes the key's window into this.probe (and this.snap for the key's own slot). */
  probeKey (now: number): void {
    probeWindow(this.v, this.key, this.snap, this.probe, now)
  }

  /** probeKey, read for a writer about to change the key's entry: FOUND (this.snap holds it), ABSENT, or
   * BUSY when the key may be in the slot being written (look again). */
  #locate (now: number): typeof FOUND | typeof ABSENT | typeof BUSY {
    this.probeKey(now)
    if (this.probe.match >= 0) return FOUND
    return this.probe.busyByte >= 0 ? BUSY : ABSENT
  }

  waitOn (index: number, value: number, ms: number): typeof WAIT {
    this.waitIndex = index
    this.waitValue = value
    this.waitMs = ms
    return WAIT
  }

  /** A slot in the window stayed locked: wait for its writer, or break the lock of a dead one. */
  busy (byte: number, seq: number, now: number): typeof WAIT | typeof RETRY {
    const index = seqIndex(byte)
    if ((seq & 1) !== 0 && this.#stuck.stuck(index, seq, now, this.#lockTimeoutMs)) {
      if (breakSlotLock(this.v, byte, seq)) this.stats.add(STAT_LOCKS_BROKEN)
      return RETRY
    }
    return this.waitOn(index, seq, this.#lockTimeoutMs)
  }

  /** Whether the negative entry in this.snap was sealed for the key being worked on (see seal.ts). */
  negativeSealed (): boolean {
    const snap = this.snap
    sealNegative(this.key, snap.stateUntil, this.seal)
    return this.seal.a === snap.sealA && this.seal.b === snap.sealB
  }

  /** Claims the renewal of the ready entry in this.snap (or the refetch of a lost value) for this thread. */
  claimRenew (byte: number, now: number): boolean {
    const seq = this.snap.seq
    if (!tryLock(this.v, byte, seq)) return false
    writeClaim(this.v, byte, this.owner, now + this.#fillTimeoutMs)
    if (!this.#publish(byte, seq)) return false
    this.stats.add(STAT_RENEWALS)
    return true
  }

  /**
   * Makes this thread the filler of the key's own slot (expired, negative expired, or a dead fill,
   * described by this.snap). A retained value stays for stale serving, except after a refusal.
   */
  claimFill (byte: number, now: number, takeover: boolean): boolean {
    const snap = this.snap
    if (!tryLock(this.v, byte, snap.seq)) return false
    writeFilling(this.v, byte, snap.state === STATE_NEGATIVE ? this.key : null, this.owner, now + this.#fillTimeoutMs)
    if (!this.#publish(byte, snap.seq)) return false
    // an abandoned fill (owner 0) was counted when it was released
    if (takeover && snap.owner !== 0) this.stats.add(STAT_FILL_TIMEOUTS)
    return true
  }

  /** No slot holds the key: create its FILLING entry under the home insert lock. */
  insertFill (now: number): typeof FILL | typeof WAIT | typeof RETRY {
    const v = this.v
    const home = slotByte(v, homeSlot(v, this.key))
    const ticket = tryInsertLock(v, home)
    if (ticket === 0) return this.#lockBusy(home, now)
    try {
      const probe = this.probe
      this.probeKey(now)
      if (probe.match >= 0) return RETRY // created meanwhile: decide on it
      if (probe.busyByte >= 0) return this.waitOn(seqIndex(probe.busyByte), probe.busySeq, this.#lockTimeoutMs)
      if (probe.victim < 0) {
        this.stats.add(STAT_UNCACHED)
        return FILL // every slot of the window is mid-fill: fill without an entry
      }
      if (!tryLock(v, probe.victimByte, probe.victimSeq)) return RETRY
      writeFilling(v, probe.victimByte, this.key, this.owner, now + this.#fillTimeoutMs)
      if (!this.#publish(probe.victimByte, probe.victimSeq)) return RETRY
      if (probe.victimLive) this.stats.add(STAT_EVICTIONS)
      return FILL
    } finally {
      releaseInsertLock(v, home, ticket)
    }
  }

  /** The home insert lock is held: wait for it, or break it if its holder is presumed dead. */
  #lockBusy (home: number, now: number): typeof WAIT | typeof RETRY {
    const index = insertLockIndex(home)
    const held = Atomics.load(this.v.i32, index)
    if (held === 0) return RETRY
    if (this.#stuck.stuck(index, held, now, this.#lockTimeoutMs)) {
      if (releaseInsertLock(this.v, home, held)) this.stats.add(STAT_LOCKS_BROKEN)
      return RETRY
    }
    return this.waitOn(index, held, this.#lockTimeoutMs)
  }

  /** Publishes this thread's write of the slot locked at `seq`; false, counted, when it was fenced. */
  #publish (byte: number, seq: number): boolean {
    if (unlock(this.v, byte, seq)) return true
    this.stats.add(STAT_FENCED)
    return false
  }

  /** #publish for an upsert's write, which reports a lock lost before its stores too. */
  #published (byte: number, seq: number, gen: number): boolean {
    if (gen < 0) {
      this.stats.add(STAT_FENCED)
      return false
    }
    return this.#publish(byte, seq)
  }

  /**
   * Writes the key's entry: in place when its slot is in the window, else into a victim under the
   * home insert lock. Returns the slot (this.written is then the value's generation), UPSERT_NO_ROOM,
   * or UPSERT_FENCED when this thread's lock was broken meanwhile (its write does not count).
   */
  upsert (now: number, write: EntryWrite): number {
    const v = this.v
    const probe = this.probe
    const snap = this.snap
    const home = slotByte(v, homeSlot(v, this.key))
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      this.probeKey(now)
      if (probe.match >= 0) {
        if (!tryLock(v, probe.matchByte, snap.seq)) continue
        this.written = write(probe.matchByte, null, snap.seq)
        return this.#published(probe.matchByte, snap.seq, this.written) ? probe.match : UPSERT_FENCED
      }
      // the key may be in the slot being written: creating it elsewhere would leave two entries
      if (probe.busyByte >= 0 && attempt < MAX_ATTEMPTS - 1) continue
      const ticket = tryInsertLock(v, home)
      if (ticket === 0) {
        // complete()/fail() are synchronous: they cannot wait, only break a dead holder's lock
        this.#lockBusy(home, now)
        continue
      }
      try {
        this.probeKey(now)
        if (probe.match >= 0) continue
        if (probe.victim < 0) return UPSERT_NO_ROOM
        if (!tryLock(v, probe.victimByte, probe.victimSeq)) continue
        this.written = write(probe.victimByte, this.key, probe.victimSeq)
        if (!this.#published(probe.victimByte, probe.victimSeq, this.written)) return UPSERT_FENCED
        if (probe.victimLive) this.stats.add(STAT_EVICTIONS)
        return probe.victim
      } finally {
        releaseInsertLock(v, home, ticket)
      }
    }
    return UPSERT_NO_ROOM
  }

  /** fail(): see TokenCache.fail. */
  fail (now: number, negativeTtlMs: number): boolean {
    const v = this.v
    const snap = this.snap
    const probe = this.probe
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const where = this.#locate(now)
      if (where === BUSY) continue
      if (where === ABSENT) break
      if (snap.state === STATE_READY && now < snap.expiresAt) {
        // a renewal (or the refetch of a lost spilled value) failed: the valid value stays
        if (snap.owner !== this.owner || now >= snap.claimUntil) return false
        if (!tryLock(v, probe.matchByte, snap.seq)) continue
        // the next attempt may be claimed soon, but a failing IdP is not asked on every request;
        // threads waiting on a lost value wake to wait for that attempt
        writeClaim(v, probe.matchByte, 0, Math.min(snap.claimUntil, now + RENEW_RETRY_MS))
        if (!this.#publish(probe.matchByte, snap.seq)) return false
        this.stats.add(STAT_FAILURES)
        return true
      }
      if (snap.state === STATE_FILLING) {
        if (snap.owner !== this.owner && now < snap.stateUntil) return false // another thread's fill
      } else if (negativeTtlMs <= 0) {
        return false // nothing in progress to release
      }
      if (!tryLock(v, probe.matchByte, snap.seq)) continue
      sealNegative(this.key, negativeTtlMs > 0 ? now + negativeTtlMs : now, this.seal)
      if (negativeTtlMs > 0) writeNegative(v, probe.matchByte, null, now + negativeTtlMs, this.seal)
      else writeFailed(v, probe.matchByte, now, this.seal)
      if (!this.#publish(probe.matchByte, snap.seq)) return false
      this.stats.add(STAT_FAILURES)
      return true
    }
    if (negativeTtlMs <= 0) return false
    sealNegative(this.key, now + negativeTtlMs, this.seal)
    const slot = this.upsert(now, (byte, key) => writeNegative(v, byte, key, now + negativeTtlMs, this.seal))
    if (slot >= 0) this.stats.add(STAT_FAILURES)
    return slot >= 0
  }

  /** abandon(): see TokenCache.abandon. */
  abandon (now: number): boolean {
    const snap = this.snap
    const probe = this.probe
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const where = this.#locate(now)
      if (where === BUSY) continue
      if (where === ABSENT) return false
      // a renewal (or a lost value's refetch) keeps its valid value either way: as a failed one
      if (snap.state === STATE_READY) return this.fail(now, 0)
      if (snap.state !== STATE_FILLING || snap.owner !== this.owner) return false // not this thread's fill
      if (!tryLock(this.v, probe.matchByte, snap.seq)) continue
      writeAbandoned(this.v, probe.matchByte)
      if (!this.#publish(probe.matchByte, snap.seq)) return false
      this.stats.add(STAT_FAILURES)
      return true
    }
    return false
  }
}
