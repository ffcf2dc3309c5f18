// The one timer behind a worker's sweep over a list of waits (read-timeout.ts: requests waiting on their
// upstream; client-connections.ts: idle keep-alive connections). It is scheduled while the list has
// members, rescheduled with refresh() (no allocation) when its period is unchanged, and left to lapse when
// a sweep finds the list empty, so an idle worker has no timer firing.

export interface Sweeper {
  /** the timer fired: check every member, then start() again or lapse() */
  sweepNow: () => void
}

const MIN_PERIOD_MS = 10

/** The sweep period for a timeout (ms): 1/16 of it, within 10 ms and `maxMs`. */
export function periodFor (timeoutMs: number, maxMs: number): number {
  const period = Math.floor(timeoutMs / 16)
  return period < MIN_PERIOD_MS ? MIN_PERIOD_MS : period > maxMs ? maxMs : period
}

export class SweepTimer {
  readonly #sweeper: Sweeper
  #timer: NodeJS.Timeout | null = null
  #period = 0
  #running = false

  constructor (sweeper: Sweeper) {
    this.#sweeper = sweeper
  }

  /** a sweep is scheduled */
  get running (): boolean {
    return this.#running
  }

  /** the period of the scheduled (or last) sweep, ms */
  get period (): number {
    return this.#period
  }

  /** Schedules the next sweep `period` ms from now. */
  start (period: number): void {
    this.#running = true
    if (this.#timer !== null && period === this.#period) {
      this.#timer.refresh()
      return
    }
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#period = period
    this.#timer = setTimeout(fire, period, this.#sweeper).unref()
  }

  /** The sweep found nothing to watch: none follows until start(). */
  lapse (): void {
    this.#running = false
  }

  /** Stops it now rather than at its next sweep (a drained worker). */
  stop (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#running = false
  }
}

function fire (sweeper: Sweeper): void {
  sweeper.sweepNow()
}
