// The fixed windows of Kong's rate-limiting plugin: second, minute, hour, day, month and year, aligned as
// kong/tools/timestamp.lua get_timestamps aligns them (UTC calendar: a month starts on the 1st, a year on
// January 1st), read at second precision as the handler does (ngx.time() * 1000). Each period's length
// for RateLimit-Reset is kong/plugins/rate-limiting/expiration.lua's (a month is 30 days, a year 365).

export const PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const
export type Period = typeof PERIODS[number]

/** expiration.lua, in seconds */
export const EXPIRATION: readonly number[] = [1, 60, 3600, 86400, 2592000, 31536000]

const DAY_MS = 86_400_000

/**
 * The current window of every period, recomputed only when the second changes (so a request reads one
 * clock and no Date object is made per request). One instance per worker.
 */
export class Windows {
  /** ngx.time() * 1000: the current second, in ms */
  now = -1
  readonly start = new Float64Array(PERIODS.length)
  /** the next window's start; where the slot of this window may be reused (counters/table.ts) */
  readonly end = new Float64Array(PERIODS.length)

  /** Sets now, start and end for `ms` (Date.now()); returns now. */
  at (ms: number): number {
    const now = Math.floor(ms / 1000) * 1000
    if (now !== this.now) computeWindows(now, this.start, this.end)
    this.now = now
    return now
  }
}

export function computeWindows (now: number, start: Float64Array, end: Float64Array): void {
  start[0] = now
  end[0] = now + 1000
  start[1] = now - (now % 60_000)
  end[1] = start[1] + 60_000
  start[2] = now - (now % 3_600_000)
  end[2] = start[2] + 3_600_000
  start[3] = now - (now % DAY_MS)
  end[3] = start[3] + DAY_MS
  const date = new Date(now)
  const year = date.getUTCFullYear()
  const month = date.getUTCMonth()
  start[4] = Date.UTC(year, month, 1)
  end[4] = Date.UTC(year, month + 1, 1)
  start[5] = Date.UTC(year, 0, 1)
  end[5] = Date.UTC(year + 1, 0, 1)
}

/** RateLimit-Reset / Retry-After as handler.lua computes them: max(1, window - elapsed whole seconds). */
export function resetSeconds (period: number, now: number, windowStart: number): number {
  return Math.max(1, EXPIRATION[period] - Math.floor((now - windowStart) / 1000))
}
