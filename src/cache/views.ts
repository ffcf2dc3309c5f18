// Typed-array views over the shared buffer, opened once per thread. Every function that touches shared
// memory takes a Views, so the layout arithmetic lives in layout.ts and here only.

import type { TokenCacheHandle } from './handle.ts'
import {
  bufferBytes, HEADER_MAGIC, HEADER_SLOT_SIZE, HEADER_SLOTS, HEADER_SPILL_HEAD_BYTE, HEADER_SPILL_SIZE,
  HEADER_VERSION, LAYOUT_MAGIC, LAYOUT_VERSION, PROBE_WINDOW, SLOTS_OFFSET, slotStride, spillOffset
} from './layout.ts'

export interface Views {
  readonly i32: Int32Array
  readonly u32: Uint32Array
  readonly f64: Float64Array
  readonly u8: Uint8Array
  /** the spill ring's absolute write head */
  readonly spillHead: BigInt64Array
  readonly slots: number
  readonly slotSize: number
  /** bytes from one slot to the next */
  readonly stride: number
  /** slots probed per key: PROBE_WINDOW, or fewer in a table that small */
  readonly window: number
  readonly spillOffset: number
  readonly spillSize: number
}

export function openViews (handle: TokenCacheHandle): Views {
  const { buffer, slots, slotSize, spillSize } = handle
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== bufferBytes(slots, slotSize, spillSize)) {
    throw new TypeError('token cache handle: buffer missing or not the size its options describe')
  }
  const i32 = new Int32Array(buffer)
  if (i32[HEADER_MAGIC] !== LAYOUT_MAGIC || i32[HEADER_VERSION] !== LAYOUT_VERSION ||
    i32[HEADER_SLOTS] !== slots || i32[HEADER_SLOT_SIZE] !== slotSize || i32[HEADER_SPILL_SIZE] !== spillSize) {
    throw new TypeError('token cache handle: buffer header does not match (not made by createTokenCache?)')
  }
  return {
    i32,
    u32: new Uint32Array(buffer),
    f64: new Float64Array(buffer),
    u8: new Uint8Array(buffer),
    spillHead: new BigInt64Array(buffer, HEADER_SPILL_HEAD_BYTE, 1),
    slots,
    slotSize,
    stride: slotStride(slotSize),
    window: Math.min(PROBE_WINDOW, slots),
    spillOffset: spillOffset(slots, slotSize),
    spillSize
  }
}

/** Byte offset of a slot's first byte. */
export function slotByte (v: Views, slot: number): number {
  return SLOTS_OFFSET + slot * v.stride
}
