// A fixed request rate that is really fixed. autocannon's own `connectionRate`/`overallRate` lets each
// connection send its whole quota for the second back to back and then idle until the next second, so
// a "half load" run is in fact a saturation burst every second, and latency is measured from when a
// request was sent rather than when it should have been (coordinated omission). This pacer, installed
// through autocannon's `setupClient` hook, gives connection i of n the send slots
//   t0 + i/rate + k*n/rate   (k = 0, 1, 2 ...)
// so the connections interleave evenly, and it records each response's latency from its slot: a stall
// delays the following requests, and they count the wait. autocannon 9 has no public hook to delay a
// request, so this wraps its Client#_doRequest (pinned version: package.json devDependencies).

import { performance } from 'node:perf_hooks'

/** The part of autocannon's Client (lib/httpClient.js) the pacer touches. */
export interface PacedClient {
  destroyed: boolean
  _doRequest (): void
}

export class Pacer {
  readonly #intervalMs: number
  readonly #slotMs: number
  #clients = 0

  /** `rate` requests per second in all, over `connections` connections. */
  constructor (rate: number, connections: number) {
    this.#slotMs = 1000 / rate
    this.#intervalMs = connections * this.#slotMs
  }

  /** Installs the schedule on one client; returns a function telling when its in-flight request was due. */
  install (client: PacedClient): () => number {
    const send = client._doRequest
    const interval = this.#intervalMs
    let next = performance.now() + this.#clients++ * this.#slotMs
    let due = next
    const fire = (slot: number): void => {
      if (client.destroyed) return
      // libuv timers run on the loop's cached millisecond clock and may fire up to 1 ms early
      due = Math.min(slot, performance.now())
      send.call(client)
    }
    client._doRequest = function pacedDoRequest (this: PacedClient): void {
      if (this.destroyed) return send.call(this)
      const slot = next
      next += interval
      const wait = slot - performance.now()
      if (wait <= 0) return fire(slot)
      setTimeout(fire, wait, slot)
    }
    return () => due
  }
}
