// The byte layout of the shared rate-limiting counters: one SharedArrayBuffer the main thread allocates
// (main-service.ts) and every proxy worker maps (worker-service.ts). Declared as the token cache's layout
// is (src/cache/layout.ts): every offset and stride a named constant here, sizes derived from them only.
//
//   [0, HEADER_BYTES)   header: magic, layout version, slot count
//   [SLOTS_OFFSET, ...) `slots` slots of SLOT_BYTES each
//
// Slot (byte offsets from the slot's start; slots are 64-byte aligned, four cache lines each):
//   SLOT_WORD         i32  (generation << 2) | state: STATE_EMPTY, STATE_WRITING or STATE_READY. One word,
//                          so a reader can prove with two loads that the slot was not re-keyed while it
//                          compared the key and counted (table.ts), and a claim is one CAS
//   SLOT_COUNT        i32  requests counted in the window (Atomics.add; a refused one is taken back)
//   SLOT_PERIOD       i32  0..5, index in PERIODS (windows.ts)
//   SLOT_SCOPE        i32  hash of the plugin's scope (its route and service ids, as Kong's key has them)
//   SLOT_SCOPE_B      i32  a second, independent hash of the scope
//   SLOT_HASH         i32  hash of the identifier (the limit_by value)
//   SLOT_HASH_B       i32  a second, independent hash of the identifier (compared when it is longer than KEY_UNITS)
//   SLOT_KEY_LEN      i32  the identifier's length in UTF-16 code units
//   SLOT_INSERT_LOCK  i32  0, or the ticket of the thread inserting a key whose home is this slot
//   (4 bytes padding)
//   SLOT_WINDOW_START f64  the window's start (ms since the epoch, UTC, Kong's timestamp.get_timestamps)
//   SLOT_WINDOW_END   f64  the next window's start: from then (plus REUSE_GRACE_MS) the slot may be reused
//   SLOT_KEY          KEY_UNITS u16: the identifier's first KEY_UNITS code units, compared on every lookup

export const LAYOUT_MAGIC = 0x524c6331 // 'RLc1'
export const LAYOUT_VERSION = 1

// Header, as i32 indices.
export const HEADER_MAGIC = 0
export const HEADER_VERSION = 1
export const HEADER_SLOTS = 2
/** monotonic source of insert-lock tickets (a stuck lock is recognised by its unchanged ticket) */
export const HEADER_TICKET = 3
export const HEADER_BYTES = 64

export const SLOT_WORD = 0
export const SLOT_COUNT = 4
export const SLOT_PERIOD = 8
export const SLOT_SCOPE = 12
export const SLOT_SCOPE_B = 16
export const SLOT_HASH = 20
export const SLOT_HASH_B = 24
export const SLOT_KEY_LEN = 28
export const SLOT_INSERT_LOCK = 32
export const SLOT_WINDOW_START = 40
export const SLOT_WINDOW_END = 48
export const SLOT_KEY = 56
/** identifiers longer than this are told apart by their length, these units and SLOT_HASH_B */
export const KEY_UNITS = 100
export const SLOT_BYTES = SLOT_KEY + KEY_UNITS * 2
export const SLOTS_OFFSET = HEADER_BYTES

export const STATE_EMPTY = 0
export const STATE_WRITING = 1
export const STATE_READY = 2
export const STATE_MASK = 3
export const GEN_UNIT = 4

/** Slots a key may occupy: its home and the next PROBE_WINDOW - 1, wrapping (as the token cache, probe.ts). */
export const PROBE_WINDOW = 8
/** 32768 slots of 256 bytes: 8 MiB (Kong's lua_shared_dict kong_rate_limiting_counters is 12m) */
export const DEFAULT_SLOTS = 32768
/**
 * An expired window's slot is reused only this long after the window ended, so a worker whose clock
 * read was a little earlier, still counting in that window, is not counting into a re-keyed slot.
 */
export const REUSE_GRACE_MS = 2_000
/** an insert lock held this long is presumed dead (every hold is a few stores, no await) and broken */
export const LOCK_TIMEOUT_MS = 250

export function bufferBytes (slots: number): number {
  return SLOTS_OFFSET + slots * SLOT_BYTES
}

/** Byte offset of a slot's first byte. */
export function slotByte (slot: number): number {
  return SLOTS_OFFSET + slot * SLOT_BYTES
}

/** A fresh, empty table (main thread). */
export function createCounterBuffer (slots: number = DEFAULT_SLOTS): SharedArrayBuffer {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError('rate-limiting counters: slots must be a positive integer')
  const buffer = new SharedArrayBuffer(bufferBytes(slots))
  const i32 = new Int32Array(buffer)
  i32[HEADER_MAGIC] = LAYOUT_MAGIC
  i32[HEADER_VERSION] = LAYOUT_VERSION
  i32[HEADER_SLOTS] = slots
  return buffer
}
