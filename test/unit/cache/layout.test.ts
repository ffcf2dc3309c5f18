import t from 'tap'
import * as L from '../../../src/cache/layout.ts'
import { createTokenCache } from '../../../src/cache/handle.ts'
import { openViews, slotByte } from '../../../src/cache/views.ts'
import { STAT_COUNTERS } from '../../../src/cache/stats.ts'

t.test('slot fields do not overlap and are aligned for their type', async (t) => {
  const i32 = [L.SLOT_SEQ, L.SLOT_INSERT_LOCK, L.SLOT_STATE, L.SLOT_OWNER, L.SLOT_VALUE_LEN, L.SLOT_FLAGS, L.SLOT_VALUE_GEN, L.SLOT_SEAL_A, L.SLOT_SEAL_B]
  const f64 = [L.SLOT_EXPIRES_AT, L.SLOT_RENEW_AT, L.SLOT_STATE_UNTIL, L.SLOT_CLAIM_UNTIL, L.SLOT_SPILL_POS]
  const ranges: Array<[number, number]> = [
    ...i32.map((o): [number, number] => [o, o + 4]),
    ...f64.map((o): [number, number] => [o, o + 8]),
    [L.SLOT_DIGEST, L.SLOT_DIGEST + L.DIGEST_BYTES]
  ]
  ranges.sort((a, b) => a[0] - b[0])
  for (let i = 1; i < ranges.length; i++) t.ok(ranges[i][0] >= ranges[i - 1][1], `field at ${ranges[i][0]} overlaps`)
  t.equal(ranges[ranges.length - 1][1], L.SLOT_VALUE, 'the value follows the header directly')
  t.equal(L.SLOT_HEADER_BYTES, L.SLOT_VALUE)
  for (const o of i32) t.equal(o % 4, 0)
  for (const o of f64) t.equal(o % 8, 0)
  t.equal(L.SLOT_DIGEST % 4, 0)
})

t.test('regions are derived from the constants and aligned', async (t) => {
  t.equal(L.STATS_OFFSET, L.HEADER_BYTES)
  t.equal(L.SLOTS_OFFSET, L.HEADER_BYTES + L.STATS_LANES * L.STATS_LANE_BYTES)
  t.ok(L.HEADER_SPILL_HEAD_BYTE % 8 === 0 && L.HEADER_SPILL_HEAD_BYTE + 8 <= L.HEADER_BYTES)
  t.ok(L.HEADER_TICKET * 4 < L.HEADER_SPILL_HEAD_BYTE)
  t.ok(L.STATS_LANE_COUNTERS >= L.STATS_LANE_OWNER + 4 && L.STATS_LANE_COUNTERS % 8 === 0)
  t.ok(L.STATS_LANE_COUNTERS + STAT_COUNTERS * L.STATS_COUNTER_BYTES <= L.STATS_LANE_BYTES)
  t.equal(L.SLOTS_OFFSET % L.SLOT_ALIGN, 0)
  for (const size of [0, 1, 7, 100, 2048, 2049]) {
    const stride = L.slotStride(size)
    t.equal(stride % L.SLOT_ALIGN, 0)
    t.ok(stride >= L.SLOT_HEADER_BYTES + size && stride < L.SLOT_HEADER_BYTES + size + L.SLOT_ALIGN)
  }
  t.equal(L.spillOffset(10, 100), L.SLOTS_OFFSET + 10 * L.slotStride(100))
  t.equal(L.bufferBytes(10, 100, 1001), L.align(L.spillOffset(10, 100) + 1001, 8))
})

t.test('createTokenCache sizes the buffer from its options and writes the header', async (t) => {
  const handle = createTokenCache()
  t.same({ ...handle, buffer: null }, {
    buffer: null,
    slots: L.DEFAULT_SLOTS,
    slotSize: L.DEFAULT_SLOT_SIZE,
    spillSize: L.DEFAULT_SPILL_SIZE,
    renewAheadMs: L.DEFAULT_RENEW_AHEAD_MS,
    fillTimeoutMs: L.DEFAULT_FILL_TIMEOUT_MS,
    lockTimeoutMs: L.DEFAULT_LOCK_TIMEOUT_MS
  })
  t.equal(handle.buffer.byteLength, L.bufferBytes(L.DEFAULT_SLOTS, L.DEFAULT_SLOT_SIZE, L.DEFAULT_SPILL_SIZE))
  const v = openViews(handle)
  t.equal(v.i32[L.HEADER_MAGIC], L.LAYOUT_MAGIC)
  t.equal(v.i32[L.HEADER_SLOTS], L.DEFAULT_SLOTS)
  t.equal(slotByte(v, 1) - slotByte(v, 0), L.slotStride(L.DEFAULT_SLOT_SIZE))
  t.equal(slotByte(v, v.slots - 1) + v.stride, v.spillOffset)
  t.equal(v.window, L.PROBE_WINDOW)
  t.equal(openViews(createTokenCache({ slots: 3 })).window, 3, 'a tiny table probes each slot once')
})

t.test('the handle survives structured clone (workerData) and still opens', async (t) => {
  const handle = createTokenCache({ slots: 16, slotSize: 32, spillSize: 0 })
  const clone = structuredClone(handle)
  t.ok(clone.buffer instanceof SharedArrayBuffer)
  openViews(clone).i32[L.HEADER_TICKET] = 42
  t.equal(openViews(handle).i32[L.HEADER_TICKET], 42, 'the clone shares the memory')
})

t.test('bad options and foreign buffers are refused', async (t) => {
  t.throws(() => createTokenCache({ slots: 0 }), RangeError)
  t.throws(() => createTokenCache({ slotSize: 1.5 }), RangeError)
  t.throws(() => createTokenCache({ fillTimeoutMs: 0 }), RangeError)
  const handle = createTokenCache({ slots: 16 })
  t.throws(() => openViews({ ...handle, slots: 17 }), TypeError)
  t.throws(() => openViews({ ...handle, buffer: new SharedArrayBuffer(handle.buffer.byteLength) }), TypeError)
})
