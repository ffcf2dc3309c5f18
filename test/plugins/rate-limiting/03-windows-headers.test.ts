// The windows (kong/tools/timestamp.lua get_timestamps: UTC calendar alignment) and the headers
// (kong/plugins/rate-limiting/handler.lua access: X-RateLimit-*-<Period>, RateLimit-* of the period
// closest to running out, Retry-After on a refusal, reset = max(1, expiration - elapsed seconds)).

import t from 'tap'
import { computeWindows, resetSeconds, Windows } from '../../../src/plugins/rate-limiting/windows.ts'
import { rateLimitHeaders, Usage } from '../../../src/plugins/rate-limiting/headers.ts'

const at = (iso: string): number => Date.parse(iso)

t.test('windows are aligned as get_timestamps aligns them (UTC)', async (t) => {
  const start = new Float64Array(6)
  const end = new Float64Array(6)
  computeWindows(at('2024-02-29T13:45:30.000Z'), start, end)
  t.strictSame([...start], ['2024-02-29T13:45:30Z', '2024-02-29T13:45:00Z', '2024-02-29T13:00:00Z', '2024-02-29T00:00:00Z', '2024-02-01T00:00:00Z', '2024-01-01T00:00:00Z'].map(at))
  t.strictSame([...end], ['2024-02-29T13:45:31Z', '2024-02-29T13:46:00Z', '2024-02-29T14:00:00Z', '2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z', '2025-01-01T00:00:00Z'].map(at))
  computeWindows(at('2024-12-31T23:59:59.000Z'), start, end)
  t.equal(end[4], at('2025-01-01T00:00:00Z'), 'December ends with the year')
})

t.test('the clock is read at second precision (ngx.time() * 1000) and windows follow it', async (t) => {
  const windows = new Windows()
  t.equal(windows.at(at('2024-05-01T00:00:59.999Z')), at('2024-05-01T00:00:59Z'))
  t.equal(windows.start[1], at('2024-05-01T00:00:00Z'))
  windows.at(at('2024-05-01T00:01:00.001Z'))
  t.equal(windows.start[1], at('2024-05-01T00:01:00Z'), 'a new minute, a new window')
})

t.test('reset: max(1, window - elapsed whole seconds)', async (t) => {
  const minute = at('2024-05-01T00:01:00Z')
  t.equal(resetSeconds(1, minute + 15_000, minute), 45)
  t.equal(resetSeconds(0, minute, minute), 1)
  // a 31-day month is longer than expiration.lua's 30 days: Kong's reset bottoms out at 1
  t.equal(resetSeconds(4, at('2024-05-31T12:00:00Z'), at('2024-05-01T00:00:00Z')), 1)
})

t.test('headers of a passing request count it in every period', async (t) => {
  const usage = new Usage([1, 2], [6, 10])
  usage.used[0] = 0
  usage.used[1] = 7
  const now = at('2024-05-01T10:20:30Z')
  const starts = new Float64Array(6)
  computeWindows(now, starts, new Float64Array(6))
  t.strictSame(rateLimitHeaders(usage, now, starts), {
    'X-RateLimit-Limit-Minute': '6',
    'X-RateLimit-Remaining-Minute': '5',
    'X-RateLimit-Limit-Hour': '10',
    'X-RateLimit-Remaining-Hour': '2',
    'RateLimit-Limit': '10',
    'RateLimit-Remaining': '2',
    'RateLimit-Reset': String(3600 - 20 * 60 - 30)
  }, 'RateLimit-* from the period with the least remaining')
  t.equal(rateLimitHeaders(new Usage([1, 2], [6, 6]), now, starts)['RateLimit-Reset'], String(3600 - 20 * 60 - 30),
    'a tie goes to the longer window')
})

t.test('headers of a refused request: Retry-After, and the other periods not counted', async (t) => {
  const usage = new Usage([0, 1], [2, 5])
  usage.used[0] = 2
  usage.used[1] = 3
  usage.stop = 0
  const now = at('2024-05-01T10:20:30Z')
  const starts = new Float64Array(6)
  computeWindows(now, starts, new Float64Array(6))
  t.strictSame(rateLimitHeaders(usage, now, starts), {
    'X-RateLimit-Limit-Second': '2',
    'X-RateLimit-Remaining-Second': '0',
    'X-RateLimit-Limit-Minute': '5',
    'X-RateLimit-Remaining-Minute': '2',
    'RateLimit-Limit': '2',
    'RateLimit-Remaining': '0',
    'RateLimit-Reset': '1',
    'Retry-After': '1'
  })
})
