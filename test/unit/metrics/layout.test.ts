// The proxy metrics layout: status codes map to their column, and a slot's regions do not overlap.

import t from 'tap'
import {
  BANDWIDTH_EGRESS, BANDWIDTH_INGRESS, CODE_COLUMN, CODE_COUNT, CODE_LABELS, CODE_OTHER, KONG_LATENCY, KONG_LATENCY_BOUNDS,
  REQUEST_LATENCY, REQUESTS, SLOT_BYTES, SLOT_FIELDS, SLOT_STRIDE, SOURCE_LABELS, UPSTREAM_LATENCY, UPSTREAM_LATENCY_BOUNDS, histogramFields, slotBase,
} from '../../../src/metrics/layout.ts'

t.test('status codes: exact columns, then the class, then other', async (t) => {
  const label = (code: number): string => CODE_LABELS[CODE_COLUMN[code]]
  for (const code of [200, 204, 304, 401, 404, 426, 499, 502, 504]) t.equal(label(code), String(code))
  t.equal(label(418), '4xx')
  t.equal(label(299), '2xx')
  t.equal(label(103), '1xx')
  t.equal(label(599), '5xx')
  t.equal(label(600), 'other')
  t.equal(label(999), 'other')
  t.equal(CODE_COLUMN[0], CODE_OTHER)
  t.equal(new Set(CODE_LABELS).size, CODE_COUNT, 'labels are distinct')
})

t.test('slot regions follow each other without overlap', async (t) => {
  t.equal(REQUESTS, 0)
  t.equal(BANDWIDTH_INGRESS, SOURCE_LABELS.length * CODE_COUNT)
  t.equal(BANDWIDTH_EGRESS, BANDWIDTH_INGRESS + 1)
  t.equal(KONG_LATENCY, BANDWIDTH_EGRESS + 1)
  t.equal(UPSTREAM_LATENCY - KONG_LATENCY, KONG_LATENCY_BOUNDS.length + 2, 'buckets, +Inf and the sum')
  t.equal(REQUEST_LATENCY - UPSTREAM_LATENCY, histogramFields(UPSTREAM_LATENCY_BOUNDS))
  t.equal(SLOT_FIELDS, REQUEST_LATENCY + histogramFields(UPSTREAM_LATENCY_BOUNDS))
  t.same([...KONG_LATENCY_BOUNDS], [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000], "Kong's buckets")
})

t.test('slots are series-major, so appending series moves nothing', async (t) => {
  t.equal(slotBase(0, 3, 0), 0)
  t.equal(slotBase(0, 3, 2), 2 * SLOT_STRIDE)
  t.equal(slotBase(1, 3, 0), 3 * SLOT_STRIDE)
})

t.test('a slot takes whole 128-byte line pairs: two workers never write one cache line', async (t) => {
  t.ok(SLOT_STRIDE >= SLOT_FIELDS)
  t.equal(SLOT_BYTES % 128, 0)
  t.ok(SLOT_BYTES - SLOT_FIELDS * 8 < 128, 'no more padding than that')
  for (const worker of [0, 1, 2]) t.equal(slotBase(5, 3, worker) * 8 % 128, 0, `worker ${worker}'s slot starts a line pair`)
})
