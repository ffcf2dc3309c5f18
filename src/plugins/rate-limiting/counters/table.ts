// A proxy worker's view of the shared counters (layout.ts), where a limit holds exactly across workers.
//
// Counting: a key's slot is found without locks (its home and the next PROBE_WINDOW - 1 slots), then
// Atomics.add counts the request and returns the count before it; a request that finds the window full
// (count >= limit) takes its unit back (Atomics.sub), so refused requests are not counted, as in Kong
// (handler.lua returns before its increment timer). Two workers can never both pass the last allowed
// request: one add returns limit - 1, the other limit. A unit briefly held by a refused request can make
// a concurrent request see one too many only while the count is already at the limit, so it refuses
// nothing that would pass.
//
// Re-keying: a slot holds one key for one window. The state word (SLOT_WORD) carries a generation, so a
// reader loads it before comparing the key and again after counting: the same word proves the slot was
// not claimed for another key in between. If it changed, the reader looks again; its stray unit stays on
// the new key (over- rather than under-counting, and only possible for a reader stalled longer than
// REUSE_GRACE_MS past its window's end, since a slot is claimed only that long after its window ended).
//
// Inserting: a key not found takes the insert lock of its home slot, looks again, then claims a slot of
// its window (empty, or holding a window that ended REUSE_GRACE_MS ago) by a CAS on its state word, so
// two workers missing on the same new key cannot both create it (the second finds the first's slot),
// and keys of different homes whose windows overlap cannot claim the same slot. The lock is held for a
// few stores; a waiter blocks on it with Atomics.wait (proxy workers are worker threads, where blocking
// waits are allowed) for at most LOCK_TIMEOUT_MS, then breaks it as held by a dead thread.
//
// A window whose slots all hold live windows of other keys is full: take() returns FULL and the plugin
// applies fault_tolerant (handler.ts). Live counters are never evicted: that would reset a count.

import {
  bufferBytes, HEADER_MAGIC, HEADER_SLOTS, HEADER_TICKET, HEADER_VERSION, KEY_UNITS, LAYOUT_MAGIC, LAYOUT_VERSION,
  LOCK_TIMEOUT_MS, PROBE_WINDOW, REUSE_GRACE_MS, SLOT_COUNT, SLOT_HASH, SLOT_HASH_B, SLOT_INSERT_LOCK, SLOT_KEY,
  SLOT_KEY_LEN, SLOT_PERIOD, SLOT_SCOPE, SLOT_SCOPE_B, SLOT_WINDOW_END, SLOT_WINDOW_START, SLOT_WORD, slotByte,
  GEN_UNIT, STATE_MASK, STATE_READY, STATE_WRITING
} from './layout.ts'
import { fmix32, type KeyHash } from './hash.ts'

/** take(): no slot for the key (its window is full of live counters) */
export const FULL = -1

/** What identifies a counter; one reused instance per plugin instance, filled per request and period. */
export class CounterKey {
  scopeA = 0
  scopeB = 0
  period = 0
  windowStart = 0
  windowEnd = 0
  identifier = ''
  hash: KeyHash | null = null
}

export class CounterTable {
  readonly #i32: Int32Array
  readonly #u16: Uint16Array
  readonly #f64: Float64Array
  readonly #slots: number
  readonly #window: number
  /** the state word seen when #find matched */
  #word = 0
  /** the slot byte offset of the last successful take(), for giveBack() */
  lastByte = -1

  constructor (buffer: SharedArrayBuffer) {
    const i32 = new Int32Array(buffer)
    const slots = i32[HEADER_SLOTS]
    if (i32[HEADER_MAGIC] !== LAYOUT_MAGIC || i32[HEADER_VERSION] !== LAYOUT_VERSION || buffer.byteLength !== bufferBytes(slots)) {
      throw new TypeError('rate-limiting counters: buffer not made by createCounterBuffer')
    }
    this.#i32 = i32
    this.#u16 = new Uint16Array(buffer)
    this.#f64 = new Float64Array(buffer)
    this.#slots = slots
    this.#window = Math.min(PROBE_WINDOW, slots)
  }

  /**
   * Counts one request against `limit` in the key's window. Returns the count before it: below `limit`,
   * the request was counted (lastByte is its slot, for giveBack); at or over it, it was not. FULL: no slot.
   */
  take (key: CounterKey, limit: number, now: number): number {
    const i32 = this.#i32
    for (;;) {
      let byte = this.#find(key)
      if (byte < 0) byte = this.#insert(key, now)
      if (byte < 0) return FULL
      const word = this.#word
      const count = (byte + SLOT_COUNT) >> 2
      const before = Atomics.add(i32, count, 1)
      if (Atomics.load(i32, (byte + SLOT_WORD) >> 2) !== word) continue // re-keyed meanwhile: look again
      if (before >= limit) {
        Atomics.sub(i32, count, 1)
        return before
      }
      this.lastByte = byte
      return before
    }
  }

  /** Takes back a unit take() counted (a later period of the same request refused it). */
  giveBack (byte: number): void {
    Atomics.sub(this.#i32, (byte + SLOT_COUNT) >> 2, 1)
  }

  /** The key's count in its window, without counting; 0 when it has none. */
  peek (key: CounterKey): number {
    const byte = this.#find(key)
    if (byte < 0) return 0
    const count = Atomics.load(this.#i32, (byte + SLOT_COUNT) >> 2)
    return Atomics.load(this.#i32, (byte + SLOT_WORD) >> 2) === this.#word ? count : 0
  }

  #home (key: CounterKey): number {
    const mixed = fmix32(key.hash!.a ^ key.scopeA ^ Math.imul(key.period + 1, 0x9e3779b1) ^ ((key.windowStart / 1000) | 0))
    return (mixed & 0x7fffffff) % this.#slots
  }

  /** The byte offset of the key's READY slot (its state word in #word), or -1. */
  #find (key: CounterKey): number {
    const home = this.#home(key)
    for (let p = 0; p < this.#window; p++) {
      let slot = home + p
      if (slot >= this.#slots) slot -= this.#slots
      const byte = slotByte(slot)
      const word = Atomics.load(this.#i32, (byte + SLOT_WORD) >> 2)
      if ((word & STATE_MASK) === STATE_READY && this.#matches(byte, key)) {
        this.#word = word
        return byte
      }
    }
    return -1
  }

  // Compares every field of the key; kept as one function of plain loads (every lookup runs it).
  #matches (byte: number, key: CounterKey): boolean {
    const i32 = this.#i32
    const hash = key.hash!
    const id = key.identifier
    if (i32[(byte + SLOT_HASH) >> 2] !== hash.a || i32[(byte + SLOT_SCOPE) >> 2] !== key.scopeA ||
      i32[(byte + SLOT_PERIOD) >> 2] !== key.period || this.#f64[(byte + SLOT_WINDOW_START) >> 3] !== key.windowStart ||
      i32[(byte + SLOT_KEY_LEN) >> 2] !== id.length || i32[(byte + SLOT_SCOPE_B) >> 2] !== key.scopeB) return false
    if (id.length > KEY_UNITS && i32[(byte + SLOT_HASH_B) >> 2] !== hash.b) return false
    const units = (byte + SLOT_KEY) >> 1
    const n = id.length < KEY_UNITS ? id.length : KEY_UNITS
    for (let i = 0; i < n; i++) if (this.#u16[units + i] !== id.charCodeAt(i)) return false
    return true
  }

  /** Creates the key's slot under its home's insert lock; the byte offset (state word in #word), or -1. */
  #insert (key: CounterKey, now: number): number {
    const home = this.#home(key)
    const lock = (slotByte(home) + SLOT_INSERT_LOCK) >> 2
    const ticket = this.#lock(lock)
    try {
      const found = this.#find(key)
      if (found >= 0) return found
      for (let p = 0; p < this.#window; p++) {
        let slot = home + p
        if (slot >= this.#slots) slot -= this.#slots
        const byte = slotByte(slot)
        if (this.#claim(byte, key, now)) return byte
      }
      return -1
    } finally {
      // CAS: a lock broken as dead (and maybe retaken) is not ours to release
      Atomics.compareExchange(this.#i32, lock, ticket, 0)
      Atomics.notify(this.#i32, lock) // wakes the threads blocked in #lock on this word
    }
  }

  /** Claims a free or long-expired slot for the key and publishes it with a count of 0. */
  #claim (byte: number, key: CounterKey, now: number): boolean {
    const i32 = this.#i32
    const index = (byte + SLOT_WORD) >> 2
    const word = Atomics.load(i32, index)
    const state = word & STATE_MASK
    if (state === STATE_WRITING) return false
    if (state === STATE_READY && this.#f64[(byte + SLOT_WINDOW_END) >> 3] + REUSE_GRACE_MS > now) return false
    const gen = ((word & ~STATE_MASK) + GEN_UNIT) | 0
    if (Atomics.compareExchange(i32, index, word, gen | STATE_WRITING) !== word) return false
    const hash = key.hash!
    const id = key.identifier
    i32[(byte + SLOT_PERIOD) >> 2] = key.period
    i32[(byte + SLOT_SCOPE) >> 2] = key.scopeA
    i32[(byte + SLOT_SCOPE_B) >> 2] = key.scopeB
    i32[(byte + SLOT_HASH) >> 2] = hash.a
    i32[(byte + SLOT_HASH_B) >> 2] = hash.b
    i32[(byte + SLOT_KEY_LEN) >> 2] = id.length
    this.#f64[(byte + SLOT_WINDOW_START) >> 3] = key.windowStart
    this.#f64[(byte + SLOT_WINDOW_END) >> 3] = key.windowEnd
    const units = (byte + SLOT_KEY) >> 1
    const n = id.length < KEY_UNITS ? id.length : KEY_UNITS
    for (let i = 0; i < n; i++) this.#u16[units + i] = id.charCodeAt(i)
    Atomics.store(i32, (byte + SLOT_COUNT) >> 2, 0)
    // publishing with a seq-cst store orders every plain store above before any reader's match
    Atomics.store(i32, index, gen | STATE_READY)
    this.#word = gen | STATE_READY
    return true
  }

  /** Takes an insert lock, blocking (at most LOCK_TIMEOUT_MS per holder) while another thread holds it. */
  #lock (index: number): number {
    const i32 = this.#i32
    let ticket = (Atomics.add(i32, HEADER_TICKET, 1) + 1) | 0
    if (ticket === 0) ticket = 1
    let holder = 0
    let since = 0
    for (;;) {
      const seen = Atomics.compareExchange(i32, index, 0, ticket)
      if (seen === 0) return ticket
      const at = Date.now()
      if (seen !== holder) {
        holder = seen
        since = at
      } else if (at - since >= LOCK_TIMEOUT_MS) {
        // the same hold for LOCK_TIMEOUT_MS: its thread died between lock and release; break it
        if (Atomics.compareExchange(i32, index, seen, ticket) === seen) return ticket
        continue
      }
      // sleeps until the holder's release notifies (or 1 ms passes), if the word still holds `seen`
      Atomics.wait(i32, index, seen, 1)
    }
  }
}
