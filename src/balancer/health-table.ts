// Per-peer health records in shared memory (layout: health-layout.ts), shared by the main thread (active
// probes, Admin overrides, slot reuse) and every proxy worker (passive reports, peer selection). It keeps
// lua-resty-healthcheck's counting rules (lib/resty/healthcheck.lua incr_counter), which Kong's balancer
// relies on (kong/runloop/balancer/healthcheckers.lua):
// - a threshold (limit) of 0 disables its counter: the report is a no-op;
// - successes are not counted while fully healthy, failures not while fully unhealthy;
// - a success clears the three failure counters, any failure clears the success counter;
// - reaching a limit moves the peer to that state; the first opposite report moves healthy to
//   mostly_healthy and unhealthy to mostly_unhealthy (still routed as before).
// Kong does this under a per-target shm lock. Here counters are Atomics.add (two workers reporting at once
// both count) and a state change is a compare-exchange on the state word (exactly one reporter makes the
// transition; the others see it done).

import type { HealthView } from './types.ts'
import {
  DEFAULT_CAPACITY, FLAG_OVERRIDE, GEN_LIMIT, GEN_SHIFT, HEADER_CAPACITY, HEADER_MAGIC, HEADER_VERSION, HEADER_WORDS,
  LAYOUT_MAGIC, LAYOUT_VERSION, REC_HTTP_FAILURES, REC_STATE, REC_SUCCESSES, REC_TCP_FAILURES, REC_TIMEOUTS,
  RECORD_WORDS, STATE_HEALTHY, STATE_MASK, STATE_MOSTLY_HEALTHY, STATE_MOSTLY_UNHEALTHY, STATE_UNHEALTHY,
  UNHEALTHY_BIT, tableBytes,
} from './health-layout.ts'

/** Which failure counter a report goes to (record field indices). */
export const COUNTER_HTTP = REC_HTTP_FAILURES
export const COUNTER_TCP = REC_TCP_FAILURES
export const COUNTER_TIMEOUT = REC_TIMEOUTS
export type FailureCounter = typeof COUNTER_HTTP | typeof COUNTER_TCP | typeof COUNTER_TIMEOUT

export type InternalHealth = 'healthy' | 'unhealthy' | 'mostly_healthy' | 'mostly_unhealthy'
const STATE_NAMES: readonly InternalHealth[] = ['healthy', 'unhealthy', 'mostly_healthy', 'mostly_unhealthy']

export interface HealthCounters {
  readonly successes: number
  readonly httpFailures: number
  readonly tcpFailures: number
  readonly timeouts: number
}

const GEN_BITS = ~((1 << GEN_SHIFT) - 1)

export class HealthTable implements HealthView {
  readonly buffer: SharedArrayBuffer
  readonly capacity: number
  readonly #words: Int32Array

  /** A new table (main thread), every record healthy with zeroed counters. */
  static create (capacity: number = DEFAULT_CAPACITY): HealthTable {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`health table capacity must be a positive integer, got ${capacity}`)
    const buffer = new SharedArrayBuffer(tableBytes(capacity))
    const words = new Int32Array(buffer)
    words[HEADER_MAGIC] = LAYOUT_MAGIC
    words[HEADER_VERSION] = LAYOUT_VERSION
    words[HEADER_CAPACITY] = capacity
    return new HealthTable(buffer)
  }

  /** Maps a table created elsewhere (a worker, from workerData). */
  constructor (buffer: SharedArrayBuffer) {
    const words = new Int32Array(buffer)
    if (words.length < HEADER_WORDS || words[HEADER_MAGIC] !== LAYOUT_MAGIC || words[HEADER_VERSION] !== LAYOUT_VERSION) {
      throw new TypeError('not a health table of this layout version')
    }
    const capacity = words[HEADER_CAPACITY]
    if (buffer.byteLength < tableBytes(capacity)) throw new TypeError('health table buffer is shorter than its capacity')
    this.buffer = buffer
    this.capacity = capacity
    this.#words = words
  }

  /** The hot-path read: healthy and mostly_healthy route, the two unhealthy states do not. */
  isHealthy (slot: number): boolean {
    return (Atomics.load(this.#words, HEADER_WORDS + slot * RECORD_WORDS + REC_STATE) & UNHEALTHY_BIT) === 0
  }

  state (slot: number): InternalHealth {
    return STATE_NAMES[Atomics.load(this.#words, this.#base(slot) + REC_STATE) & STATE_MASK]
  }

  /** True while the current state was set by an Admin call and no report has moved it since. */
  isOverridden (slot: number): boolean {
    return (Atomics.load(this.#words, this.#base(slot) + REC_STATE) & FLAG_OVERRIDE) !== 0
  }

  /** Bumped each time the slot is handed to another peer (reset). */
  generation (slot: number): number {
    return Atomics.load(this.#words, this.#base(slot) + REC_STATE) >>> GEN_SHIFT
  }

  counters (slot: number): HealthCounters {
    const base = this.#base(slot)
    return {
      successes: Atomics.load(this.#words, base + REC_SUCCESSES),
      httpFailures: Atomics.load(this.#words, base + REC_HTTP_FAILURES),
      tcpFailures: Atomics.load(this.#words, base + REC_TCP_FAILURES),
      timeouts: Atomics.load(this.#words, base + REC_TIMEOUTS),
    }
  }

  /**
   * Counts one success towards `limit` (0: disabled). True when this call made the peer routable again
   * (unhealthy or mostly_unhealthy -> healthy).
   */
  reportSuccess (slot: number, limit: number): boolean {
    if (limit === 0) return false
    const words = this.#words
    const base = this.#base(slot)
    const seen = Atomics.load(words, base + REC_STATE)
    const state = seen & STATE_MASK
    if (state === STATE_HEALTHY) return false
    const n = Atomics.add(words, base + REC_SUCCESSES, 1) + 1
    clearIfSet(words, base + REC_HTTP_FAILURES)
    clearIfSet(words, base + REC_TCP_FAILURES)
    clearIfSet(words, base + REC_TIMEOUTS)
    if (n >= limit) return this.#moveTo(base, seen, STATE_HEALTHY)
    if (state === STATE_UNHEALTHY) Atomics.compareExchange(words, base + REC_STATE, seen, (seen & GEN_BITS) | STATE_MOSTLY_UNHEALTHY)
    return false
  }

  /**
   * Counts one failure of one kind towards `limit` (0: disabled). True when this call took the peer out of
   * rotation (healthy or mostly_healthy -> unhealthy); of several concurrent reporters exactly one gets true.
   */
  reportFailure (slot: number, counter: FailureCounter, limit: number): boolean {
    if (limit === 0) return false
    const words = this.#words
    const base = this.#base(slot)
    const seen = Atomics.load(words, base + REC_STATE)
    const state = seen & STATE_MASK
    if (state === STATE_UNHEALTHY) return false
    const n = Atomics.add(words, base + counter, 1) + 1
    clearIfSet(words, base + REC_SUCCESSES)
    if (n >= limit) return this.#moveTo(base, seen, STATE_UNHEALTHY)
    if (state === STATE_HEALTHY) Atomics.compareExchange(words, base + REC_STATE, seen, (seen & GEN_BITS) | STATE_MOSTLY_HEALTHY)
    return false
  }

  /**
   * Kong's set_target_status (the Admin healthy/unhealthy calls): clears the counters and sets the state,
   * marked as an override until counting moves it again.
   */
  setHealthy (slot: number, healthy: boolean): void {
    const words = this.#words
    const base = this.#base(slot)
    zeroCounters(words, base)
    const flags = (healthy ? STATE_HEALTHY : STATE_UNHEALTHY) | FLAG_OVERRIDE
    for (;;) {
      const current = Atomics.load(words, base + REC_STATE)
      if (Atomics.compareExchange(words, base + REC_STATE, current, (current & GEN_BITS) | flags) === current) return
    }
  }

  /**
   * Hands the slot to another peer (main thread, health-slots.ts): healthy, zeroed counters, next
   * generation, so a stale reporter's compare-exchange on the old peer's state fails.
   */
  reset (slot: number): void {
    const words = this.#words
    const base = this.#base(slot)
    zeroCounters(words, base)
    const generation = ((Atomics.load(words, base + REC_STATE) >>> GEN_SHIFT) + 1) % GEN_LIMIT
    Atomics.store(words, base + REC_STATE, (generation << GEN_SHIFT) | STATE_HEALTHY)
  }

  /**
   * Moves to `target` (healthy or unhealthy) unless another thread got there first or the slot was reset
   * meanwhile. True when the peer's routing changed (a mostly_* -> plain move of the same side is not).
   */
  #moveTo (base: number, seen: number, target: number): boolean {
    const words = this.#words
    const generation = seen & GEN_BITS
    let current = seen
    for (;;) {
      if ((current & GEN_BITS) !== generation || (current & STATE_MASK) === target) return false
      const previous = Atomics.compareExchange(words, base + REC_STATE, current, generation | target)
      if (previous === current) return (current & UNHEALTHY_BIT) !== (target & UNHEALTHY_BIT)
      current = previous
    }
  }

  #base (slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.capacity) throw new RangeError(`health slot ${slot} out of range`)
    return HEADER_WORDS + slot * RECORD_WORDS
  }
}

/** Avoids a store (and a cache-line write) when the counter is already 0, the common case. */
function clearIfSet (words: Int32Array, index: number): void {
  if (Atomics.load(words, index) !== 0) Atomics.store(words, index, 0)
}

function zeroCounters (words: Int32Array, base: number): void {
  Atomics.store(words, base + REC_SUCCESSES, 0)
  Atomics.store(words, base + REC_HTTP_FAILURES, 0)
  Atomics.store(words, base + REC_TCP_FAILURES, 0)
  Atomics.store(words, base + REC_TIMEOUTS, 0)
}
