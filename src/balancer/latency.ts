// The latency algorithm as Kong's (kong/runloop/balancer/latency.lua, after Finagle's PeakEwma): each peer
// has an exponentially weighted moving average of its response times, decaying with the time since it was
// last updated (weight exp(-elapsed / 10 s)); a pick scores every healthy peer as its decayed EWMA (its
// EWMA decayed towards 0 for the time since its last response, so an idle peer is tried again) divided by
// its weight, and takes the lowest. Kong's pick_and_score, despite its PICK_SET_SIZE of 2, scores all.
// Kong times connect + response (upstream_connect_time + upstream_response_time); `ended` takes the
// caller's elapsed time for the whole attempt. Units do not matter: scores are only compared.
//
// New peers and peers back from unhealthy start at the average EWMA of the healthy ones (Kong's
// slow_start_ewma, so a newcomer is not flooded for having no history); at creation that average is 0.
// Kong takes the first lowest score in table order; we start each scan one peer further, so equal scores
// (all zero at start) are shared instead of all going to one peer.
// A retry takes the best peer other than the previous attempt's (Kong: other than every failed one, and
// none at all once all have failed; here the previous peer again when it is the only healthy one).

import type { Balancer } from './balancer.ts'
import { NO_SLOT } from './healthy-pick.ts'
import type { HealthView, Peer } from './types.ts'

/** Kong's DECAY_TIME (10 seconds), in milliseconds */
const DECAY_MS = 10_000

/** Where the time comes from: performance, or a test's clock (the EWMA's weights depend on time). */
export interface Clock {
  now (): number
}

export class LatencyBalancer implements Balancer {
  readonly #peers: readonly Peer[]
  readonly #health: HealthView
  readonly #indexBySlot: Map<number, number>
  readonly #ewma: Float64Array
  readonly #touchedAt: Float64Array
  /** 1 while the peer was last seen unhealthy: it gets the slow-start EWMA when it comes back */
  readonly #wasDown: Uint8Array
  readonly #clock: Clock
  #start: number

  constructor (peers: readonly Peer[], health: HealthView, clock: Clock = performance) {
    this.#peers = peers
    this.#health = health
    this.#indexBySlot = new Map(peers.map((p, i) => [p.slot, i]))
    this.#ewma = new Float64Array(peers.length)
    this.#clock = clock
    this.#touchedAt = new Float64Array(peers.length).fill(clock.now())
    this.#wasDown = new Uint8Array(peers.length)
    this.#start = 0
  }

  pick (_hashValue: string | null, previous: Peer | null): Peer | null {
    const peers = this.#peers
    const n = peers.length
    if (n === 0) return null
    const avoidSlot = previous === null ? NO_SLOT : previous.slot
    const now = this.#clock.now()
    this.#start = this.#start + 1 >= n ? 0 : this.#start + 1
    let best = -1
    let bestScore = Infinity
    let avoided = -1
    for (let k = 0, i = this.#start; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      const peer = peers[i]
      if (peer.weight <= 0) continue
      if (!this.#health.isHealthy(peer.slot)) {
        this.#wasDown[i] = 1
        continue
      }
      if (this.#wasDown[i] === 1) this.#slowStart(i, now)
      if (peer.slot === avoidSlot) {
        avoided = i
        continue
      }
      const score = this.#decayed(i, 0, now) / peer.weight
      if (best === -1 || score < bestScore) {
        best = i
        bestScore = score
      }
    }
    if (best !== -1) return peers[best]
    return avoided === -1 ? null : peers[avoided]
  }

  started (_peer: Peer): void {}

  ended (peer: Peer, elapsedMs: number): void {
    const index = this.#indexBySlot.get(peer.slot)
    if (index === undefined) return
    const now = this.#clock.now()
    this.#ewma[index] = this.#decayed(index, elapsedMs, now)
    this.#touchedAt[index] = now
  }

  /** The peer's EWMA with `sample` folded in at `now` (sample 0: its score's decay alone), as decay_ewma. */
  #decayed (index: number, sample: number, now: number): number {
    const elapsed = now - this.#touchedAt[index]
    const weight = Math.exp(-(elapsed > 0 ? elapsed : 0) / DECAY_MS)
    return this.#ewma[index] * weight + sample * (1 - weight)
  }

  /** Kong's calculate_slow_start_ewma: the average EWMA of the peers healthy now. */
  #slowStart (index: number, now: number): void {
    let total = 0
    let count = 0
    for (let i = 0; i < this.#peers.length; i++) {
      const peer = this.#peers[i]
      if (i === index || peer.weight <= 0 || this.#wasDown[i] === 1 || !this.#health.isHealthy(peer.slot)) continue
      total += this.#ewma[i]
      count++
    }
    this.#ewma[index] = count === 0 ? 0 : total / count
    this.#touchedAt[index] = now
    this.#wasDown[index] = 0
  }
}
