// Least-connections as Kong does it (kong/runloop/balancer/least_connections.lua): the peer with the lowest
// (connections + 1) / weight, from a binary min-heap keyed on that score ("+ 1" so that with no connections
// the heaviest peer goes first, not any idle one). Connections are this worker's requests in flight.
//
// Kong takes an address out of the heap when its health changes; health here is shared memory we only read,
// so a pick that finds the heap's top unhealthy parks it (score +Infinity: to the bottom) and each pick
// looks at one parked peer, in turn, to bring it back once healthy. A peer that stays down costs nothing
// after the first pick that sees it. Weight-0 peers are never in the heap.
// A retry takes the best peer other than the previous attempt's (Kong: other than every failed one; it
// forgets them all once none is left).

import type { Balancer } from './balancer.ts'
import { isEligible } from './healthy-pick.ts'
import type { HealthView, Peer } from './types.ts'

export class LeastConnectionsBalancer implements Balancer {
  readonly #peers: readonly Peer[]
  readonly #health: HealthView
  /** peer index by health slot, for started/ended */
  readonly #indexBySlot: Map<number, number>
  readonly #connections: Int32Array
  readonly #parked: Uint8Array
  /** heap of peer indices, ordered by #score */
  readonly #heap: Int32Array
  /** position of each peer in #heap, -1 when not in it (weight 0) */
  readonly #position: Int32Array
  #revisit: number

  constructor (peers: readonly Peer[], health: HealthView) {
    this.#peers = peers
    this.#health = health
    this.#indexBySlot = new Map(peers.map((p, i) => [p.slot, i]))
    this.#connections = new Int32Array(peers.length)
    this.#parked = new Uint8Array(peers.length)
    this.#position = new Int32Array(peers.length).fill(-1)
    const weighted = peers.flatMap((p, i) => p.weight > 0 ? [i] : [])
    this.#heap = Int32Array.from(weighted)
    for (let k = 0; k < weighted.length; k++) this.#position[weighted[k]] = k
    for (let k = (weighted.length >> 1) - 1; k >= 0; k--) this.#siftDown(k)
    this.#revisit = 0
  }

  pick (_hashValue: string | null, previous: Peer | null): Peer | null {
    const heap = this.#heap
    if (heap.length === 0) return null
    this.#revisitOneParked()
    // each turn either returns or parks one more peer: at most heap.length turns
    for (let turns = 0; turns <= heap.length; turns++) {
      const top = heap[0]
      if (this.#parked[top] === 1) return this.#rescue(previous)
      const peer = this.#peers[top]
      if (!this.#health.isHealthy(peer.slot)) {
        this.#setParked(top, 1)
        continue
      }
      if (previous !== null && peer.slot === previous.slot) return this.#bestOther(previous.slot) ?? peer
      return peer
    }
    return null
  }

  started (peer: Peer): void {
    const index = this.#indexBySlot.get(peer.slot)
    if (index === undefined) return
    this.#connections[index]++
    if (this.#position[index] !== -1) this.#siftDown(this.#position[index])
  }

  ended (peer: Peer, _elapsedMs: number): void {
    const index = this.#indexBySlot.get(peer.slot)
    if (index === undefined || this.#connections[index] === 0) return
    this.#connections[index]--
    if (this.#position[index] !== -1) this.#siftUp(this.#position[index])
  }

  /** Connections this balancer counts for `peer` (for tests and the Admin API). */
  connections (peer: Peer): number {
    const index = this.#indexBySlot.get(peer.slot)
    return index === undefined ? 0 : this.#connections[index]
  }

  #score (index: number): number {
    return this.#parked[index] === 1 ? Infinity : (this.#connections[index] + 1) / this.#peers[index].weight
  }

  #revisitOneParked (): void {
    const heap = this.#heap
    this.#revisit = this.#revisit + 1 >= heap.length ? 0 : this.#revisit + 1
    const index = heap[this.#revisit]
    if (this.#parked[index] === 1 && this.#health.isHealthy(this.#peers[index].slot)) this.#setParked(index, 0)
  }

  /** Every peer in the heap is parked: bring back any that are healthy again, then pick. */
  #rescue (previous: Peer | null): Peer | null {
    let any = false
    for (let k = 0; k < this.#heap.length; k++) {
      const index = this.#heap[k]
      if (this.#health.isHealthy(this.#peers[index].slot)) {
        this.#setParked(index, 0)
        any = true
      }
    }
    if (!any) return null
    const top = this.#peers[this.#heap[0]]
    return previous !== null && top.slot === previous.slot ? this.#bestOther(previous.slot) ?? top : top
  }

  /** Retries are rare: one pass for the best healthy peer that is not `avoidSlot`'s. */
  #bestOther (avoidSlot: number): Peer | null {
    let best = -1
    let bestScore = Infinity
    for (let k = 0; k < this.#heap.length; k++) {
      const index = this.#heap[k]
      const score = this.#score(index)
      if (score < bestScore && isEligible(this.#peers[index], this.#health, avoidSlot)) {
        best = index
        bestScore = score
      }
    }
    return best === -1 ? null : this.#peers[best]
  }

  #setParked (index: number, parked: 0 | 1): void {
    this.#parked[index] = parked
    if (parked === 1) this.#siftDown(this.#position[index])
    else this.#siftUp(this.#position[index])
  }

  #swap (a: number, b: number): void {
    const heap = this.#heap
    const ia = heap[a]
    const ib = heap[b]
    heap[a] = ib
    heap[b] = ia
    this.#position[ib] = a
    this.#position[ia] = b
  }

  #siftUp (k: number): void {
    while (k > 0) {
      const parent = (k - 1) >> 1
      if (this.#score(this.#heap[parent]) <= this.#score(this.#heap[k])) return
      this.#swap(parent, k)
      k = parent
    }
  }

  #siftDown (k: number): void {
    const n = this.#heap.length
    for (;;) {
      const left = 2 * k + 1
      if (left >= n) return
      const right = left + 1
      const child = right < n && this.#score(this.#heap[right]) < this.#score(this.#heap[left]) ? right : left
      if (this.#score(this.#heap[k]) <= this.#score(this.#heap[child])) return
      this.#swap(k, child)
      k = child
    }
  }
}
