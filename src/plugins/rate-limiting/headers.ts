// The headers Kong 3.x sends (handler.lua access, through kong/pdk/private/rate_limiting.lua):
// X-RateLimit-Limit-<Period> and X-RateLimit-Remaining-<Period> for every configured period, and
// RateLimit-Limit / RateLimit-Remaining / RateLimit-Reset of the period closest to running out (the least
// remaining; on a tie, the longer window), plus Retry-After (= RateLimit-Reset) on the refusal.

import { EXPIRATION, resetSeconds } from './windows.ts'

export const RATELIMIT_LIMIT = 'RateLimit-Limit'
export const RATELIMIT_REMAINING = 'RateLimit-Remaining'
export const RATELIMIT_RESET = 'RateLimit-Reset'
export const RETRY_AFTER = 'Retry-After'

/** handler.lua X_RATELIMIT_LIMIT, by period index */
export const X_RATELIMIT_LIMIT = [
  'X-RateLimit-Limit-Second', 'X-RateLimit-Limit-Minute', 'X-RateLimit-Limit-Hour',
  'X-RateLimit-Limit-Day', 'X-RateLimit-Limit-Month', 'X-RateLimit-Limit-Year'
] as const

/** handler.lua X_RATELIMIT_REMAINING, by period index */
export const X_RATELIMIT_REMAINING = [
  'X-RateLimit-Remaining-Second', 'X-RateLimit-Remaining-Minute', 'X-RateLimit-Remaining-Hour',
  'X-RateLimit-Remaining-Day', 'X-RateLimit-Remaining-Month', 'X-RateLimit-Remaining-Year'
] as const

/** What one request saw, per configured period; one reused instance per plugin instance. */
export class Usage {
  /** period indices (windows.ts PERIODS), ascending, as configured */
  readonly periods: readonly number[]
  readonly limits: readonly number[]
  /** the limits as header values, made once */
  readonly limitText: readonly string[]
  /** the count before this request, per configured period */
  readonly used: Float64Array
  /** index into `periods` of the period that refused the request, or -1 (handler.lua's `stop`) */
  stop = -1

  constructor (periods: readonly number[], limits: readonly number[]) {
    this.periods = periods
    this.limits = limits
    this.limitText = limits.map(String)
    this.used = new Float64Array(periods.length)
  }
}

/**
 * The headers of one request, Kong-cased (the refusal sends them as they are; header_filter lower-cases
 * them into the upstream's response). `now` is the second-precision clock; `starts` the window starts.
 */
export function rateLimitHeaders (usage: Usage, now: number, starts: Float64Array): Record<string, string> {
  const headers: Record<string, string> = {}
  let limit = ''
  let remaining = -1
  let window = 0
  let reset = 0
  for (let i = 0; i < usage.periods.length; i++) {
    const period = usage.periods[i]
    const currentLimit = usage.limits[i]
    let currentRemaining = currentLimit - usage.used[i]
    // the request itself is counted in every period, unless another period refused it
    if (usage.stop < 0 || usage.stop === i) currentRemaining -= 1
    currentRemaining = Math.max(0, currentRemaining)
    const currentWindow = EXPIRATION[period]
    if (remaining < 0 || currentRemaining < remaining || (currentRemaining === remaining && currentWindow > window)) {
      limit = usage.limitText[i]
      remaining = currentRemaining
      window = currentWindow
      reset = resetSeconds(period, now, starts[period])
    }
    headers[X_RATELIMIT_LIMIT[period]] = usage.limitText[i]
    headers[X_RATELIMIT_REMAINING[period]] = String(currentRemaining)
  }
  headers[RATELIMIT_LIMIT] = limit
  headers[RATELIMIT_REMAINING] = String(remaining)
  headers[RATELIMIT_RESET] = String(reset)
  if (usage.stop >= 0) headers[RETRY_AFTER] = String(reset)
  return headers
}

/** Every name rateLimitHeaders may set on a proxied response for these periods, lower-cased. */
export function responseHeaderNames (periods: readonly number[]): string[] {
  const names = [RATELIMIT_LIMIT, RATELIMIT_REMAINING, RATELIMIT_RESET]
  for (const period of periods) names.push(X_RATELIMIT_LIMIT[period], X_RATELIMIT_REMAINING[period])
  return names.map((name) => name.toLowerCase())
}
