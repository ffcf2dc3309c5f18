// Consistent hashing over Kong's continuum (hash-ring.ts): the same value reaches the same peer on every
// worker built from the same peer list, and an unhealthy peer's values go to the next peer down the ring.
//
// A value of null is hashed as "" as Kong does (kong/runloop/balancer/init.lua: `get_value_to_hash(...) or
// ""`): requests without a value all go to one peer, not round-robin.
// A retry walks on from the value's position to the next peer that is not the previous attempt's (Kong's
// handle keeps the first position, so it retries the same address unless that one turned unhealthy).

import type { Balancer } from './balancer.ts'
import { buildHashRing } from './hash-ring.ts'
import type { HashRing } from './hash-ring.ts'
import { isEligible, NO_SLOT, pickHealthyByWeight } from './healthy-pick.ts'
import type { HealthView, Peer } from './types.ts'
import { xxhash32 } from './xxhash32.ts'

/** Ring entries walked before checking, in one pass over the peers, that any peer is left at all. */
const WALK_LIMIT = 64

export class ConsistentHashingBalancer implements Balancer {
  readonly #peers: readonly Peer[]
  readonly #health: HealthView
  readonly #ring: HashRing

  constructor (peers: readonly Peer[], slots: number, health: HealthView) {
    this.#peers = peers
    this.#health = health
    this.#ring = buildHashRing(peers, slots)
  }

  pick (hashValue: string | null, previous: Peer | null): Peer | null {
    const ring = this.#ring
    const owners = ring.owners
    const taken = owners.length
    if (taken === 0) return null
    const avoidSlot = previous === null ? NO_SLOT : previous.slot
    let at = ring.firstAtOrBelow[xxhash32(hashValue ?? '') % ring.points]
    for (let walked = 0; walked < taken; walked++) {
      const peer = this.#peers[owners[at]]
      if (isEligible(peer, this.#health, avoidSlot)) return peer
      // many unhealthy entries in a row: make sure the rest of the walk can end on a peer
      if (walked === WALK_LIMIT && !this.#anyEligible(avoidSlot)) return pickHealthyByWeight(this.#peers, this.#health, avoidSlot)
      at = at + 1 === taken ? 0 : at + 1
    }
    // every ring entry skipped: the previous peer is the only one left, if it is healthy
    return pickHealthyByWeight(this.#peers, this.#health, avoidSlot)
  }

  #anyEligible (avoidSlot: number): boolean {
    for (let i = 0; i < this.#peers.length; i++) {
      if (isEligible(this.#peers[i], this.#health, avoidSlot)) return true
    }
    return false
  }

  started (_peer: Peer): void {}

  ended (_peer: Peer, _elapsedMs: number): void {}
}
