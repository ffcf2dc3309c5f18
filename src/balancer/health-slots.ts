// Main thread: which health-table slot each peer uses. A peer's key is its upstream, target and address,
// so a config swap or a DNS refresh that keeps a key keeps its slot, and with it the health state and
// counters (Kong keeps a target's state in the healthchecker's shm across balancer rebuilds:
// lua-resty-healthcheck add_target ignores a target it already has). Keys that are gone free their slots;
// a freed slot is reset (next generation, healthy) only when it is handed out again, and freed slots are
// reused oldest first, after every never-used slot, so a worker still holding the previous peer list is
// unlikely to report into a slot that already belongs to someone else.

import { TollgateError } from '../core/errors.ts'
import type { HealthTable } from './health-table.ts'

/** The stable identity of a peer: upstream id, target (host:port as written) and resolved address:port. */
export function healthSlotKey (upstreamId: string, target: string, address: string, port: number): string {
  // '|' appears in none of a UUID, a host:port target or an IP address
  return `${upstreamId}|${target}|${address}:${port}`
}

export interface SlotRequest {
  readonly key: string
  /**
   * false when the peer's upstream has health checks off (Kong's is_upstream_using_healthcheck): its record
   * is kept healthy, as Kong's balancer without a healthchecker treats every address as available
   */
  readonly checked: boolean
}

export class HealthSlots {
  readonly #table: HealthTable
  #slots = new Map<string, number>()
  /** slots never handed out: [next, capacity) */
  #next = 0
  /** freed slots, oldest first */
  #freed: number[] = []

  constructor (table: HealthTable) {
    this.#table = table
  }

  get size (): number {
    return this.#slots.size
  }

  slotOf (key: string): number | undefined {
    return this.#slots.get(key)
  }

  /**
   * Makes `requests` the live set of keys and returns each key's slot. All or nothing: when the table
   * cannot hold them, it throws (CONFIG_INVALID) and the previous assignment stays.
   */
  sync (requests: Iterable<SlotRequest>): ReadonlyMap<string, number> {
    const wanted = new Map<string, boolean>()
    for (const request of requests) wanted.set(request.key, request.checked)
    let added = 0
    for (const key of wanted.keys()) if (!this.#slots.has(key)) added++
    const kept = wanted.size - added
    const available = this.#table.capacity - this.#next + this.#freed.length + (this.#slots.size - kept)
    if (added > available) {
      throw new TollgateError(`upstreams: ${wanted.size} target addresses exceed the health table's ${this.#table.capacity}`, 'CONFIG_INVALID', 400, { expose: true })
    }
    const slots = new Map<string, number>()
    for (const [key, slot] of this.#slots) {
      if (wanted.has(key)) slots.set(key, slot)
      else this.#freed.push(slot)
    }
    for (const [key, checked] of wanted) {
      let slot = slots.get(key)
      if (slot === undefined) {
        slot = this.#take()
        this.#table.reset(slot)
        slots.set(key, slot)
      } else if (!checked && !this.#table.isHealthy(slot)) {
        this.#table.reset(slot)
      }
    }
    this.#slots = slots
    return slots
  }

  #take (): number {
    if (this.#next < this.#table.capacity) return this.#next++
    return this.#freed.shift()!
  }
}
