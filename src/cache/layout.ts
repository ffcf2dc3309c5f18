// The byte layout of the shared token cache: one SharedArrayBuffer the main thread allocates and every
// worker maps. Every offset and stride is a named constant here; sizes are derived from them only.
//
//   [0, HEADER_BYTES)                      header: magic, layout version, sizing, spill head, lock tickets
//   [STATS_OFFSET, SLOTS_OFFSET)           STATS_LANES lanes: an owner word and 64-bit counters (stats.ts)
//   [SLOTS_OFFSET, spillOffset)            `slots` slots of slotStride bytes each (header + digest + value)
//   [spillOffset, spillOffset + spillSize) the spill ring for values larger than a slot (see spill.ts)
//
// Slot (all offsets in bytes from the slot's start; the slot start is 64-byte aligned):
//   SLOT_SEQ          i32  seqlock version: odd while a writer holds the slot, +2 per completed write
//   SLOT_INSERT_LOCK  i32  0, or the ticket of the thread inserting a key whose home is this slot
//   SLOT_STATE        i32  STATE_EMPTY | STATE_FILLING | STATE_READY | STATE_NEGATIVE
//   SLOT_OWNER        i32  owner token (threadId + 1) of the filler / renewer
//   SLOT_VALUE_LEN    i32  bytes of the retained value (0 = none); inline when <= slotSize, else spilled
//   SLOT_FLAGS        i32  FLAG_SPILLED | FLAG_FAILED
//   SLOT_VALUE_GEN    i32  +1 whenever the value changes (not on claims): workers key decoded values by it
//   SLOT_SEAL_A       i32  lane A of the entry's seal (seal.ts): a 64-bit checksum over the key's digest,
//                          the value bytes (inline or spilled), its length, expiry, renew time and spill
//                          position. A reader checks it against the key it looked up after copying the
//                          value, so stores of a writer whose lock was broken (a "stale writer", see
//                          seqlock.ts) can never make one key's value pass for another's
//   SLOT_EXPIRES_AT   f64  absolute expiry of the value (ms, Date.now() clock); Infinity = never
//   SLOT_RENEW_AT     f64  from this time one thread may claim a background renewal
//   SLOT_STATE_UNTIL  f64  FILLING: deadline after which the fill is presumed dead; NEGATIVE: its expiry;
//                          READY with FLAG_FAILED: when the last fill failed
//   SLOT_CLAIM_UNTIL  f64  a renewal claim holds until then (a renewer that dies loses it by this time)
//   SLOT_SPILL_POS    f64  absolute spill-ring position of the value when FLAG_SPILLED
//   SLOT_SEAL_B       i32  lane B of the seal
//   SLOT_DIGEST       32 bytes: the key's SHA-256 digest, compared whole on every lookup
//   SLOT_VALUE        slotSize bytes: the inline value

export const LAYOUT_MAGIC = 0x546b4331 // 'TkC1'
export const LAYOUT_VERSION = 2

// Header, as i32 indices (header starts at byte 0).
export const HEADER_MAGIC = 0
export const HEADER_VERSION = 1
export const HEADER_SLOTS = 2
export const HEADER_SLOT_SIZE = 3
export const HEADER_SPILL_SIZE = 4
/** monotonic source of insert-lock tickets, so a stuck lock is recognised by its unchanged ticket */
export const HEADER_TICKET = 5
/** byte offset of the spill ring's absolute write head (BigInt64; alone on its cache line) */
export const HEADER_SPILL_HEAD_BYTE = 64
export const HEADER_BYTES = 128

// Stats lanes: a thread claims a lane of its own (see stats.ts); lane STATS_SHARED_LANE takes the rest.
export const STATS_OFFSET = HEADER_BYTES
export const STATS_LANES = 64
export const STATS_SHARED_LANE = 0
/** four cache lines per lane (room for 31 counters), a multiple of two lines, so adjacent-line prefetch does not make neighbours false-share */
export const STATS_LANE_BYTES = 256
/** i32 in each lane: 0, or the owner token (threadId + 1) of the thread that claimed it */
export const STATS_LANE_OWNER = 0
/** byte offset in a lane of its first counter */
export const STATS_LANE_COUNTERS = 8
/** a counter is two u32 words (low, high) */
export const STATS_COUNTER_BYTES = 8
export const STATS_BYTES = STATS_LANES * STATS_LANE_BYTES

// Slot fields (byte offsets within a slot).
export const SLOT_SEQ = 0
export const SLOT_INSERT_LOCK = 4
export const SLOT_STATE = 8
export const SLOT_OWNER = 12
export const SLOT_VALUE_LEN = 16
export const SLOT_FLAGS = 20
export const SLOT_VALUE_GEN = 24
export const SLOT_SEAL_A = 28
export const SLOT_EXPIRES_AT = 32
export const SLOT_RENEW_AT = 40
export const SLOT_STATE_UNTIL = 48
export const SLOT_CLAIM_UNTIL = 56
export const SLOT_SPILL_POS = 64
export const SLOT_SEAL_B = 72
export const SLOT_DIGEST = 76
export const DIGEST_BYTES = 32
export const DIGEST_WORDS = DIGEST_BYTES / 4
export const SLOT_VALUE = SLOT_DIGEST + DIGEST_BYTES
export const SLOT_HEADER_BYTES = SLOT_VALUE
export const SLOT_ALIGN = 64

export const SLOTS_OFFSET = STATS_OFFSET + STATS_BYTES

export const STATE_EMPTY = 0
export const STATE_FILLING = 1
export const STATE_READY = 2
export const STATE_NEGATIVE = 3

export const FLAG_SPILLED = 1
/** the last fill of this key failed transiently; its expired value may be served as stale */
export const FLAG_FAILED = 2

/**
 * Slots a key may occupy: its home slot (digest word 0 & 0x7fffffff, modulo slots) and the next PROBE_WINDOW - 1,
 * wrapping. A lookup reads at most this many slots; a full window evicts (see probe.ts).
 */
export const PROBE_WINDOW = 8

export const DEFAULT_SLOTS = 4096
export const DEFAULT_SLOT_SIZE = 2048
export const DEFAULT_SPILL_SIZE = 1024 * 1024
export const DEFAULT_RENEW_AHEAD_MS = 30_000
export const DEFAULT_FILL_TIMEOUT_MS = 15_000
export const DEFAULT_LOCK_TIMEOUT_MS = 1_000

export function align (n: number, to: number): number {
  return Math.ceil(n / to) * to
}

export function slotStride (slotSize: number): number {
  return align(SLOT_HEADER_BYTES + slotSize, SLOT_ALIGN)
}

export function spillOffset (slots: number, slotSize: number): number {
  return SLOTS_OFFSET + slots * slotStride(slotSize)
}

/** Total buffer bytes; a multiple of 8 so a Float64Array can view the whole buffer. */
export function bufferBytes (slots: number, slotSize: number, spillSize: number): number {
  return align(spillOffset(slots, slotSize) + spillSize, 8)
}
