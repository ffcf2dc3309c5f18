// The service's read_timeout (nginx's proxy_read_timeout: the longest wait between two successive reads of
// the upstream's response, counted from the end of the request), kept by one sweep per worker instead of a
// timer per request.
//
// Why not undici's headersTimeout and bodyTimeout: with them every request switches the connection's
// parser timer from keep-alive (a native timer) to headers (a FastTimer) and back, and so allocates a new
// FastTimer that undici keeps in its list until its next tick, up to a second later (undici
// lib/util/timers.js): at thousands of requests a second those outlive the young generation and are
// promoted, and the collector then works to free them. Here a request only links itself into a list.
//
// A request waits from onRequestSent (nginx starts proxy_read_timeout once the request is sent; undici's
// headers timer is refreshed by every body write, to the same effect) and each read restarts the wait:
// the response head, a 1xx, every body chunk, and the client draining a response the upstream was held
// back for. While held back the wait does not count, as undici's bodyTimeout does not fire while paused.
// The sweep runs every 1/16 of the shortest read_timeout among the waiting requests, from 10 ms to
// 500 ms, so a timeout fires at most two periods late (a 60 s read_timeout: within a second, the
// resolution of undici's own FastTimers) and never early. It expires a request with undici's own
// HeadersTimeoutError or BodyTimeoutError, so it is classified, retried and counted by passive health
// checks exactly as before (upstream-errors.ts, peer-attempt.ts).

import { performance } from 'node:perf_hooks'
import { errors } from 'undici'
import type { RequestContext } from './context.ts'
import { SweepTimer, periodFor } from './sweep-timer.ts'

const MAX_PERIOD_MS = 500

/** The sweep period for a read_timeout (ms). */
export function sweepPeriod (readTimeout: number): number {
  return periodFor(readTimeout, MAX_PERIOD_MS)
}

/**
 * The requests of one worker waiting on their upstream, in an intrusive list (RequestContext's
 * readPrev/readNext), and the one timer that sweeps them.
 */
export class ReadDeadlines {
  #head: RequestContext | null = null
  readonly #sweep = new SweepTimer(this)

  /** Starts (or restarts) ctx's wait for the upstream's next bytes. */
  arm (ctx: RequestContext, now: number): void {
    ctx.readSince = now
    ctx.readsSeen = ctx.reads
    if (ctx.readLinked) return
    ctx.readLinked = true
    ctx.readPrev = null
    ctx.readNext = this.#head
    if (this.#head !== null) this.#head.readPrev = ctx
    this.#head = ctx
    const period = sweepPeriod(ctx.service!.read_timeout)
    if (!this.#sweep.running || period < this.#sweep.period) this.#sweep.start(period)
  }

  /** Ends ctx's wait: its exchange completed, failed or was abandoned. Safe to call when not waiting. */
  disarm (ctx: RequestContext): void {
    if (!ctx.readLinked) return
    ctx.readLinked = false
    const prev = ctx.readPrev
    const next = ctx.readNext
    if (prev === null) this.#head = next
    else prev.readNext = next
    if (next !== null) next.readPrev = prev
    ctx.readPrev = null
    ctx.readNext = null
  }

  /** requests waiting now (tests) */
  get size (): number {
    let n = 0
    for (let ctx = this.#head; ctx !== null; ctx = ctx.readNext) n++
    return n
  }

  /** Stops the timer now rather than at its next sweep (a drained worker has no request waiting). */
  close (): void {
    this.#sweep.stop()
  }

  /** @internal the timer's callback */
  sweepNow (): void {
    const now = performance.now()
    let shortest = Infinity
    let ctx = this.#head
    while (ctx !== null) {
      const next = ctx.readNext
      // a read since the last sweep restarts the wait from this sweep: later than the read, never earlier
      if (ctx.reads !== ctx.readsSeen) {
        ctx.readsSeen = ctx.reads
        ctx.readSince = now
      }
      const timeout = ctx.service!.read_timeout
      if (!ctx.readPaused && now - ctx.readSince >= timeout) {
        this.disarm(ctx)
        expire(ctx)
      } else if (timeout < shortest) {
        shortest = timeout
      }
      ctx = next
    }
    if (this.#head === null) {
      this.#sweep.lapse()
      return
    }
    this.#sweep.start(sweepPeriod(shortest))
  }
}

function expire (ctx: RequestContext): void {
  // undici fails the request with this error and destroys the connection, as its own timers would
  ctx.abortUpstream?.(ctx.firstByteAt === 0 ? new errors.HeadersTimeoutError() : new errors.BodyTimeoutError())
}
