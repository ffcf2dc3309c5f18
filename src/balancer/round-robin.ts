// Weighted round-robin as Kong builds it (kong/runloop/balancer/round_robin.lua, afterHostUpdate and
// getPeer): a wheel where each peer appears weight / gcd(weights) times (weight 0: never), shuffled, and a
// pointer that moves one entry per pick. Over a turn of the wheel each peer gets exactly its weight's share.
//
// Kong shuffles each worker's wheel with math.random, so workers do not all send their first request to the
// same target; we shuffle too and also start the pointer at a random entry.
// Unlike Kong, a wheel whose size would pass MAX_WHEEL_ENTRIES (co-prime weights up to 65535 over many
// targets) is scaled down to about that size, each weighted peer keeping at least one entry: the shares
// stay within 1 / MAX_WHEEL_ENTRIES of the weights and memory stays bounded per upstream and worker.
// A retry skips the previous attempt's peer (Kong's round-robin only moves the pointer on, which can land on
// the same address again).

import type { Balancer } from './balancer.ts'
import { isEligible, NO_SLOT, pickHealthyByWeight } from './healthy-pick.ts'
import type { HealthView, Peer } from './types.ts'

export const MAX_WHEEL_ENTRIES = 1 << 16
/** Entries walked before the O(n) fallback: enough to step over a few unhealthy peers' entries. */
const WALK_LIMIT = 32

export class RoundRobinBalancer implements Balancer {
  readonly #peers: readonly Peer[]
  readonly #health: HealthView
  /** peer index per wheel entry */
  readonly #wheel: Int32Array
  #pointer: number

  constructor (peers: readonly Peer[], health: HealthView) {
    this.#peers = peers
    this.#health = health
    this.#wheel = shuffle(buildWheel(peers))
    this.#pointer = this.#wheel.length === 0 ? 0 : Math.floor(Math.random() * this.#wheel.length)
  }

  pick (_hashValue: string | null, previous: Peer | null): Peer | null {
    const wheel = this.#wheel
    const size = wheel.length
    if (size === 0) return null
    const avoidSlot = previous === null ? NO_SLOT : previous.slot
    const steps = size < WALK_LIMIT ? size : WALK_LIMIT
    let pointer = this.#pointer
    for (let i = 0; i < steps; i++) {
      pointer = pointer + 1 === size ? 0 : pointer + 1
      const peer = this.#peers[wheel[pointer]]
      if (isEligible(peer, this.#health, avoidSlot)) {
        this.#pointer = pointer
        return peer
      }
    }
    this.#pointer = pointer
    return pickHealthyByWeight(this.#peers, this.#health, avoidSlot)
  }

  started (_peer: Peer): void {}

  ended (_peer: Peer, _elapsedMs: number): void {}
}

function gcd (a: number, b: number): number {
  while (b !== 0) {
    const r = a % b
    a = b
    b = r
  }
  return a
}

/** Entries per peer: weight / gcd of the weights, scaled down when the wheel would be too large. */
export function wheelEntries (peers: readonly Peer[]): number[] {
  let divisor = 0
  let total = 0
  for (const peer of peers) {
    if (peer.weight <= 0) continue
    divisor = gcd(divisor, peer.weight)
    total += peer.weight
  }
  if (total === 0) return peers.map(() => 0)
  const scale = total / divisor > MAX_WHEEL_ENTRIES ? MAX_WHEEL_ENTRIES / total : 1 / divisor
  return peers.map((peer) => peer.weight <= 0 ? 0 : Math.max(1, Math.round(peer.weight * scale)))
}

function buildWheel (peers: readonly Peer[]): Int32Array {
  const entries = wheelEntries(peers)
  const wheel = new Int32Array(entries.reduce((sum, n) => sum + n, 0))
  let at = 0
  for (let i = 0; i < peers.length; i++) {
    wheel.fill(i, at, at + entries[i])
    at += entries[i]
  }
  return wheel
}

// Fisher-Yates, as Kong's wheel_shuffle
function shuffle (wheel: Int32Array): Int32Array {
  for (let i = wheel.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const entry = wheel[i]
    wheel[i] = wheel[j]
    wheel[j] = entry
  }
  return wheel
}
