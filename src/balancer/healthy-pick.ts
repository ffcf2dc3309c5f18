// The slow path every algorithm shares once its fast walk found nothing: one pass over the peers, so a pick
// stays O(n) even when most peers are down, instead of walking a whole wheel or ring of unhealthy entries.

import type { HealthView, Peer } from './types.ts'

/** No peer to avoid (a first attempt): slots are never negative. */
export const NO_SLOT = -1

/**
 * A healthy peer with weight > 0 other than `avoidSlot`'s, chosen at random in proportion to weight; the
 * avoided peer itself when it is the only one left healthy (a retry to it beats a 503); null when none is.
 */
export function pickHealthyByWeight (peers: readonly Peer[], health: HealthView, avoidSlot: number): Peer | null {
  let total = 0
  let avoided: Peer | null = null
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[i]
    if (peer.weight <= 0 || !health.isHealthy(peer.slot)) continue
    if (peer.slot === avoidSlot) avoided = peer
    else total += peer.weight
  }
  if (total === 0) return avoided
  let point = Math.random() * total
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[i]
    if (peer.weight <= 0 || peer.slot === avoidSlot || !health.isHealthy(peer.slot)) continue
    point -= peer.weight
    if (point < 0) return peer
  }
  return avoided // only reached through floating-point rounding on the last peer
}

/** Whether `peer` may serve this attempt: healthy, weighted, and not the one the previous attempt used. */
export function isEligible (peer: Peer, health: HealthView, avoidSlot: number): boolean {
  return peer.slot !== avoidSlot && peer.weight > 0 && health.isHealthy(peer.slot)
}
