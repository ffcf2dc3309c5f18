// The worker-side view of the shared token cache. Use:
//
//   const cache = new TokenCache<Token>(workerData.tokenCache, { decode })
//   const status = cache.lookup(digest, maxStaleMs)          // sync, allocation-free on a hit
//   switch (status) {
//     case HIT: use(cache.value); break
//     case RENEW: use(cache.value); refreshInBackground(); break        // then complete() / fail()
//     case STALE: use(cache.value); break
//     case NEGATIVE: reject(); break
//     case FILL: fetch(); then complete(digest, bytes, expiresAt) or fail(digest, negativeTtlMs); break
//     case WAIT: return cache.wait(digest, maxStaleMs).then(handleOutcome)  // same statuses but WAIT
//   }
//
// The meaning of each status is in lookup-status.ts. A ready hit returns the object `decode` made from the
// slot's bytes, kept per worker by slot and value generation, so hits after the first decode nothing.
// A value is decoded only after its seal (seal.ts) matched the key looked up, and the decoded copy
// keeps that key and the expiry it was sealed with: a hit compares the key with the copy's own, so no
// store into the shared slot (a fenced writer's included) can make one key's value serve another.
// Times are absolute milliseconds on one clock all threads share (`now`, default Date.now).

import type { TokenCacheHandle } from './handle.ts'
import {
  DIGEST_WORDS, FLAG_FAILED, FLAG_SPILLED, SLOT_STATE, SLOT_VALUE, SLOT_VALUE_GEN, SLOTS_OFFSET, STATE_FILLING,
  STATE_NEGATIVE, STATE_READY
} from './layout.ts'
import { sealEntry } from './seal.ts'
import { seqIndex } from './seqlock.ts'
import { MAX_ATTEMPTS, SharedTable, UPSERT_FENCED } from './shared-table.ts'
import { readSpill, writeSpill } from './spill.ts'
import {
  STAT_FILLS, STAT_HITS, STAT_MISSES, STAT_NEGATIVE_HITS, STAT_SPILL_LOST, STAT_SPILLS, STAT_STALE_HITS,
  STAT_TORN, STAT_UNCACHED, STAT_WAITS
} from './stats.ts'
import { FILL, HIT, NEGATIVE, RENEW, RETRY, STALE, WAIT } from './lookup-status.ts'
import type { LookupStatus, WaitResult } from './lookup-status.ts'
import { homeSlot } from './probe.ts'
import { writeReady } from './transitions.ts'
import { openViews, slotByte } from './views.ts'
import { sleepOn } from './wait.ts'

export interface TokenCacheWorkerOptions<T> {
  /** turns value bytes (a private copy) into the caller's object; called once per worker per value */
  decode (bytes: Uint8Array): T
  /** the clock, comparable across threads (default Date.now; tests pass a fake) */
  now?: () => number
}

export interface CompleteOptions<T> {
  /** overrides the handle's renew-ahead window for this entry */
  renewAheadMs?: number
  /** the decoded value, so this worker's next hit needs no decode */
  value?: T
}

// This worker's record of its decoded copy of each slot (private memory, not shared): one 64-byte
// record per slot, so a hit reads the copy's generation, key and times from one place. Offsets in
// i32 words (LOCAL_KEY .. LOCAL_GEN) and f64 elements (LOCAL_EXPIRES_AT, LOCAL_RENEW_AT) of a record.
const LOCAL_RECORD_BYTES = 64
const LOCAL_WORDS = LOCAL_RECORD_BYTES / 4
const LOCAL_DOUBLES = LOCAL_RECORD_BYTES / 8
/** DIGEST_WORDS words: the key the copy was sealed for */
const LOCAL_KEY = 0
/** the value generation of the copy (-1: none; generations are positive) */
const LOCAL_GEN = 8
/** expiresAt and renewAt of the copy, as sealed (both change only with the generation) */
const LOCAL_EXPIRES_AT = 5
const LOCAL_RENEW_AT = 6

const LOAD_OK = 0
const LOAD_RETRY = 1
const LOAD_LOST = 2

type Decision = LookupStatus | typeof RETRY

export class TokenCache<T> {
  /** the value that goes with the last lookup()'s status (see lookup-status.ts), else null */
  value: T | null = null
  readonly #table: SharedTable
  readonly #decode: (bytes: Uint8Array) => T
  readonly #now: () => number
  readonly #renewAheadMs: number
  readonly #decoded: Array<T | null>
  /** per slot: the record of #decoded (LOCAL_* above), as words and as doubles */
  readonly #local: Int32Array
  readonly #localF64: Float64Array
  /** when the last lookup answered WAIT: a fill outcome is anything written after that */
  #waitSince = -1

  constructor (handle: TokenCacheHandle, options: TokenCacheWorkerOptions<T>) {
    const v = openViews(handle)
    this.#table = new SharedTable(v, handle.fillTimeoutMs, handle.lockTimeoutMs)
    this.#decode = options.decode
    this.#now = options.now ?? Date.now
    this.#renewAheadMs = handle.renewAheadMs
    this.#decoded = new Array<T | null>(v.slots).fill(null)
    const local = new ArrayBuffer(v.slots * LOCAL_RECORD_BYTES)
    this.#local = new Int32Array(local)
    this.#localF64 = new Float64Array(local)
    for (let slot = 0; slot < v.slots; slot++) this.#local[slot * LOCAL_WORDS + LOCAL_GEN] = -1
  }

  /**
   * Looks `digest` (32-byte SHA-256 of the key) up. `maxStaleMs` > 0 allows an expired value that old
   * to be returned as STALE once a fill has failed (and returned with FILL to serve if the fetch fails).
   * `nowMs`: the current time when the caller already has it (the clock is a third of a hit's cost).
   */
  lookup (digest: Uint8Array, maxStaleMs = 0, nowMs?: number): LookupStatus {
    const table = this.#table
    table.setKey(digest)
    const now = nowMs ?? this.#now()
    if (this.#homeHit(now)) {
      table.stats.add(STAT_HITS)
      return HIT
    }
    const status = this.#lookup(now, maxStaleMs, -1)
    switch (status) {
      case HIT:
      case RENEW: table.stats.add(STAT_HITS); break
      case STALE: table.stats.add(STAT_STALE_HITS); break
      case NEGATIVE: table.stats.add(STAT_NEGATIVE_HITS); break
      case FILL: table.stats.add(STAT_MISSES); break
      case WAIT:
        table.stats.add(STAT_WAITS)
        this.#waitSince = now
        break
    }
    return status
  }

  /**
   * Waits, without blocking the event loop, for the fill a WAIT reported, and resolves with its outcome:
   * HIT/RENEW/STALE with the value, NEGATIVE (refused, or failed with nothing servable), or FILL (the
   * filler died or the entry was lost: this caller now fills). Call it in the same tick as that lookup.
   */
  async wait (digest: Uint8Array, maxStaleMs = 0): Promise<WaitResult<T>> {
    const key = Uint8Array.from(digest) // the caller may reuse its buffer while this sleeps
    const since = this.#waitSince >= 0 ? this.#waitSince : this.#now()
    this.#waitSince = -1
    const table = this.#table
    for (;;) {
      table.setKey(key)
      const status = this.#lookup(this.#now(), maxStaleMs, since)
      if (status !== WAIT) return { status, value: this.value }
      await sleepOn(table.v.i32, table.waitIndex, table.waitValue, table.waitMs)
    }
  }

  /**
   * Stores the value for `digest` (the filler's or renewer's result) and wakes its waiters. A value
   * larger than slotSize goes to the spill ring; one larger than the ring is not cached (the fill is
   * released as failed). Returns whether it was stored: false also when this thread's lock was broken
   * as dead while it wrote (it stalled past lockTimeoutMs; stats `fenced`): its write was refused.
   */
  complete (digest: Uint8Array, valueBytes: Uint8Array, expiresAtMs: number, options?: CompleteOptions<T>): boolean {
    if (Number.isNaN(expiresAtMs)) throw new TypeError('expiresAtMs must be a time in ms (Infinity: never)')
    const table = this.#table
    const v = table.v
    table.setKey(digest)
    const now = this.#now()
    const len = valueBytes.length
    if (len > v.slotSize && len > v.spillSize) {
      table.stats.add(STAT_UNCACHED)
      table.fail(now, 0)
      return false
    }
    let spillPos = -1
    if (len > v.slotSize) {
      spillPos = writeSpill(v, valueBytes)
      table.stats.add(STAT_SPILLS)
    }
    // never more than half the lifetime ahead, so a short-lived value is not renewed as soon as stored
    const ahead = Math.min(options?.renewAheadMs ?? this.#renewAheadMs, (expiresAtMs - now) / 2)
    const renewAt = expiresAtMs - Math.max(0, ahead)
    const flags = spillPos < 0 ? 0 : FLAG_SPILLED
    const seal = table.seal
    sealEntry(table.key, valueBytes, expiresAtMs, renewAt, spillPos < 0 ? 0 : spillPos, seal)
    const slot = table.upsert(now, (byte, key, locked) =>
      writeReady(v, byte, key, valueBytes, spillPos, seal, flags, expiresAtMs, renewAt, locked))
    if (slot < 0) {
      if (slot !== UPSERT_FENCED) table.stats.add(STAT_UNCACHED)
      return false
    }
    table.stats.add(STAT_FILLS)
    if (options?.value !== undefined) this.#remember(slot, table.written, options.value, expiresAtMs, renewAt)
    return true
  }

  /**
   * Ends a fill that failed. negativeTtlMs > 0: the IdP refused; remember that (NEGATIVE) for that long.
   * 0: a transient failure, nothing cached; waiters get STALE (a retained value within their staleness)
   * or NEGATIVE, and the next lookup retries. A failed renewal keeps the valid value, and the next
   * renewal may be claimed a second later. Returns whether the entry changed.
   */
  fail (digest: Uint8Array, negativeTtlMs = 0): boolean {
    this.#table.setKey(digest)
    return this.#table.fail(this.#now(), negativeTtlMs)
  }

  /**
   * Ends this thread's fill without an outcome: it failed before the IdP was asked (the signer timed
   * out, its queue was full, its thread crashed), so nothing is known about the key and nothing is
   * cached. Waiters are woken and one of them takes the fill over (FILL); none is told NEGATIVE. A
   * renewal abandoned this way ends as a failed one (the valid value stays). Returns whether the entry
   * changed.
   */
  abandon (digest: Uint8Array): boolean {
    this.#table.setKey(digest)
    return this.#table.abandon(this.#now())
  }

  /** Decoded values this worker holds (at most one per slot). */
  get localEntries (): number {
    let n = 0
    for (let i = 0; i < this.#decoded.length; i++) if (this.#decoded[i] !== null) n++
    return n
  }

  /**
   * The common case in a few loads, inline: the key in its home slot, ready, fresh, before its renew
   * window, and already decoded by this worker. Anything else takes the general path (#lookup), which
   * gives the same answer; this one exists because bench/micro/cache-hit.ts showed the general path's
   * calls costing about a third more per hit. The key and times compared are the decoded copy's own
   * (sealed when decoded), not the slot's: the slot's generation still being the copy's says the slot
   * was not rewritten by a writer that holds its lock, and the key compare makes a fenced writer's
   * stores (which may move the slot's digest) unable to pass another key's value off.
   */
  #homeHit (now: number): boolean {
    const { v, key } = this.#table
    const i32 = v.i32
    const slot = homeSlot(v, key)
    const byte = SLOTS_OFFSET + slot * v.stride
    const seq = Atomics.load(i32, byte >> 2) // SLOT_SEQ is 0
    const local = this.#local
    const k = slot * LOCAL_WORDS // LOCAL_KEY is 0
    if ((seq & 1) !== 0 || local[k + LOCAL_GEN] !== i32[(byte + SLOT_VALUE_GEN) >> 2]) return false
    if (local[k] !== key[0] || local[k + 1] !== key[1] || local[k + 2] !== key[2] || local[k + 3] !== key[3] ||
      local[k + 4] !== key[4] || local[k + 5] !== key[5] || local[k + 6] !== key[6] || local[k + 7] !== key[7]) return false
    const times = this.#localF64
    const d = slot * LOCAL_DOUBLES
    if (i32[(byte + SLOT_STATE) >> 2] !== STATE_READY || !(now < times[d + LOCAL_EXPIRES_AT]) ||
      !(now < times[d + LOCAL_RENEW_AT])) return false
    if (Atomics.load(i32, byte >> 2) !== seq) return false
    this.value = this.#decoded[slot]
    return true
  }

  /** Keeps `value` as this worker's decoded copy of the slot's generation `gen`, for the key being worked on. */
  #remember (slot: number, gen: number, value: T, expiresAt: number, renewAt: number): void {
    this.#decoded[slot] = value
    this.#local.set(this.#table.key, slot * LOCAL_WORDS + LOCAL_KEY)
    this.#local[slot * LOCAL_WORDS + LOCAL_GEN] = gen
    this.#localF64[slot * LOCAL_DOUBLES + LOCAL_EXPIRES_AT] = expiresAt
    this.#localF64[slot * LOCAL_DOUBLES + LOCAL_RENEW_AT] = renewAt
  }

  /** This worker's decoded copy of the slot is of generation `gen` and was sealed for the key being worked on. */
  #decodedFor (slot: number, gen: number): boolean {
    const local = this.#local
    const k = slot * LOCAL_WORDS + LOCAL_KEY
    if (local[slot * LOCAL_WORDS + LOCAL_GEN] !== gen) return false
    const key = this.#table.key
    for (let w = 0; w < DIGEST_WORDS; w++) if (local[k + w] !== key[w]) return false
    return true
  }

  #lookup (now: number, maxStaleMs: number, waitSince: number): LookupStatus {
    const table = this.#table
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      this.value = null
      const status = this.#scan(now, maxStaleMs, waitSince)
      if (status !== RETRY) return status
    }
    this.value = null
    // The window keeps changing under us: let the event loop turn, then look again.
    const index = seqIndex(slotByte(table.v, homeSlot(table.v, table.key)))
    return table.waitOn(index, Atomics.load(table.v.i32, index), 1)
  }

  #scan (now: number, maxStaleMs: number, waitSince: number): Decision {
    const table = this.#table
    const probe = table.probe
    table.probeKey(now)
    if (probe.match >= 0) return this.#decide(probe.match, probe.matchByte, now, maxStaleMs, waitSince)
    // The key may be in the slot a writer holds: wait for it rather than create a second entry.
    if (probe.busyByte >= 0) return table.busy(probe.busyByte, probe.busySeq, now)
    return table.insertFill(now)
  }

  /** Decides on the key's own slot, described by the table's snapshot. */
  #decide (slot: number, byte: number, now: number, maxStaleMs: number, waitSince: number): Decision {
    const table = this.#table
    const snap = table.snap
    switch (snap.state) {
      case STATE_READY:
        if (now < snap.expiresAt) return this.#ready(slot, byte, now)
        if (waitSince >= 0 && (snap.flags & FLAG_FAILED) !== 0 && snap.stateUntil >= waitSince) {
          // the fill this caller waited for failed; serve the old value if allowed
          if (!this.#stale(now, maxStaleMs)) return NEGATIVE
          const loaded = this.#loadValue(slot, byte)
          return loaded === LOAD_OK ? STALE : loaded === LOAD_RETRY ? RETRY : NEGATIVE
        }
        return this.#claimFill(slot, byte, now, maxStaleMs, false)
      case STATE_NEGATIVE:
        if (!table.negativeSealed()) {
          // a fenced writer's stores made another key's entry look refused: refetch, never answer 401
          table.stats.add(STAT_TORN)
          return this.#claimFill(slot, byte, now, 0, false)
        }
        if (now < snap.stateUntil || (waitSince >= 0 && snap.stateUntil >= waitSince)) return NEGATIVE
        return this.#claimFill(slot, byte, now, 0, false)
      case STATE_FILLING:
        if (now < snap.stateUntil) {
          // the last fill failed and this one may hang as long: serve the old value meanwhile if allowed
          if ((snap.flags & FLAG_FAILED) !== 0 && this.#stale(now, maxStaleMs)) {
            const loaded = this.#loadValue(slot, byte)
            if (loaded === LOAD_OK) return STALE
            if (loaded === LOAD_RETRY) return RETRY
          }
          return table.waitOn(seqIndex(byte), snap.seq, snap.stateUntil - now)
        }
        return this.#claimFill(slot, byte, now, maxStaleMs, true)
      default:
        return RETRY
    }
  }

  #stale (now: number, maxStaleMs: number): boolean {
    const snap = this.#table.snap
    return maxStaleMs > 0 && snap.len > 0 && now - snap.expiresAt <= maxStaleMs
  }

  /** READY and unexpired. */
  #ready (slot: number, byte: number, now: number): Decision {
    const table = this.#table
    const snap = table.snap
    const loaded = this.#loadValue(slot, byte)
    if (loaded === LOAD_RETRY) return RETRY
    if (loaded === LOAD_LOST) {
      // Spilled bytes overwritten before this worker decoded them, or a value that fails its seal: one
      // thread refetches (through a claim, so others keep serving their decoded copies); the rest wait
      // for its complete().
      if (now >= snap.claimUntil) return table.claimRenew(byte, now) ? FILL : RETRY
      // until the refetch completes (a write wakes us), its claim lapses, or the entry expires
      return table.waitOn(seqIndex(byte), snap.seq, Math.min(snap.claimUntil, snap.expiresAt) - now)
    }
    if (now >= snap.renewAt && now >= snap.claimUntil && table.claimRenew(byte, now)) return RENEW
    return HIT
  }

  /**
   * Sets this.value from the slot the snapshot describes (decoding only a generation not seen yet).
   * LOAD_LOST: spilled bytes the ring has passed, or bytes that fail the seal for this key.
   */
  #loadValue (slot: number, byte: number): number {
    const { v, snap, key, stats } = this.#table
    if (this.#decodedFor(slot, snap.gen)) {
      this.value = this.#decoded[slot]
      return LOAD_OK
    }
    const spilled = (snap.flags & FLAG_SPILLED) !== 0
    let bytes: Uint8Array | null
    if (spilled) {
      bytes = readSpill(v, snap.spillPos, snap.len)
    } else {
      const start = byte + SLOT_VALUE
      bytes = v.u8.slice(start, start + Math.min(Math.max(snap.len, 0), v.slotSize))
    }
    // the copy is only trusted if the slot is still the version the snapshot read...
    if (Atomics.load(v.i32, seqIndex(byte)) !== snap.seq) return LOAD_RETRY
    if (bytes === null) {
      stats.add(STAT_SPILL_LOST)
      return LOAD_LOST
    }
    // ...and, since a fenced writer's stores move no seq, only if it is what a writer sealed for this key
    const seal = this.#table.seal
    sealEntry(key, bytes, snap.expiresAt, snap.renewAt, snap.spillPos, seal)
    if (seal.a !== snap.sealA || seal.b !== snap.sealB) {
      stats.add(spilled ? STAT_SPILL_LOST : STAT_TORN)
      return LOAD_LOST
    }
    const value = this.#decode(bytes)
    this.#remember(slot, snap.gen, value, snap.expiresAt, snap.renewAt)
    this.value = value
    return LOAD_OK
  }

  /** FILL for this caller, holding the expired value when it may be served stale should the fetch fail. */
  #claimFill (slot: number, byte: number, now: number, maxStaleMs: number, takeover: boolean): Decision {
    const table = this.#table
    if (table.snap.state !== STATE_NEGATIVE && this.#stale(now, maxStaleMs)) {
      if (this.#loadValue(slot, byte) === LOAD_RETRY) return RETRY
    }
    if (!table.claimFill(byte, now, takeover)) return RETRY
    return FILL
  }
}
