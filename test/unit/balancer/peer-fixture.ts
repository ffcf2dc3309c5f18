// Peers and a health view for the balancer tests: peer i is 10.0.0.<i+1>:80 in its own target, slot i.

import type { HealthView, Peer } from '../../../src/balancer/types.ts'

export function makePeers (weights: readonly number[], firstSlot = 0): Peer[] {
  return weights.map((weight, i) => ({
    slot: firstSlot + i,
    address: `10.0.0.${firstSlot + i + 1}`,
    port: 80,
    hostname: `10.0.0.${firstSlot + i + 1}`,
    weight,
    targetId: `target-${firstSlot + i}`
  }))
}

/** A health view tests flip: every slot healthy until marked down. */
export class TestHealth implements HealthView {
  readonly down = new Set<number>()
  isHealthy (slot: number): boolean {
    return !this.down.has(slot)
  }
}

/** How many of `n` picks each peer got, by slot. */
export function countPicks (n: number, pick: (i: number) => Peer | null): Map<number, number> {
  const counts = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const peer = pick(i)
    if (peer === null) throw new Error('no peer')
    counts.set(peer.slot, (counts.get(peer.slot) ?? 0) + 1)
  }
  return counts
}
