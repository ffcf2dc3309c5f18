// The consistent-hashing continuum as Kong builds it (kong/runloop/balancer/consistent_hashing.lua,
// afterHostUpdate and getPeer), plus two lookup tables so a pick is O(1) instead of walking empty positions.
//
// Kong: a ring of `points` positions (the upstream's slots, or 1000 outside [1000, 2^32]); peers sorted by
// (target host, target port, "ip:port") so every worker builds the same ring; each peer gets
// floor(weight / totalWeight * targetCount * 160) points (at least 1 when its weight is > 0), point i of a
// peer at xxhash32("<ip>::<port> <i>") % points, a taken position pushing that peer's points one further.
// A value goes to xxhash32(value) % points, and from there down the ring (wrapping) to the first taken
// position. Adding a peer only takes the positions its own points land on, so only about its share of the
// values moves; removing one gives its positions' values to the next points down.

import type { Peer } from './types.ts'
import { xxhash32 } from './xxhash32.ts'

const DEFAULT_POINTS = 1000
const MIN_POINTS = 1000
const MAX_POINTS = 2 ** 32
const SERVER_POINTS = 160

export interface HashRing {
  /** positions on the ring (Kong's continuum size) */
  readonly points: number
  /** peer index of each taken position, in walking order (descending position) */
  readonly owners: Int32Array
  /** for each position, the index in `owners` of the first taken position at or below it (wrapping) */
  readonly firstAtOrBelow: Int32Array
}

export function ringPoints (slots: number): number {
  return slots >= MIN_POINTS && slots <= MAX_POINTS ? slots : DEFAULT_POINTS
}

/** Kong's order: target host, then port, then "ip:port" (sort_hosts_and_addresses). */
function ringOrder (peers: readonly Peer[]): number[] {
  const key = (p: Peer): string => `${p.address}:${p.port}`
  return peers.map((_, i) => i).sort((a, b) => {
    const pa = peers[a]
    const pb = peers[b]
    if (pa.hostname !== pb.hostname) return pa.hostname < pb.hostname ? -1 : 1
    if (pa.port !== pb.port) return pa.port - pb.port
    const ka = key(pa)
    const kb = key(pb)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
}

/** Kong's continuum: peer index per position, -1 where empty. */
export function buildContinuum (peers: readonly Peer[], points: number): Int32Array {
  const continuum = new Int32Array(points).fill(-1)
  const targetCount = new Set(peers.map((p) => p.targetId)).size
  const totalWeight = peers.reduce((sum, p) => sum + Math.max(0, p.weight), 0)
  if (totalWeight === 0) return continuum
  for (const index of ringOrder(peers)) {
    const peer = peers[index]
    if (peer.weight <= 0) continue
    let entries = Math.floor(peer.weight / totalWeight * targetCount * SERVER_POINTS)
    if (entries === 0) entries = 1
    const prefix = `${peer.address}::${peer.port} `
    // i past `points`: the ring is full (Kong stops there too, with a CRIT log asking for more slots)
    for (let i = 1; i <= entries && i <= points; i++) {
      const position = xxhash32(prefix + i) % points
      if (continuum[position] === -1) continuum[position] = index
      else entries++ // Kong: "move the problem forward"
    }
  }
  return continuum
}

export function buildHashRing (peers: readonly Peer[], slots: number): HashRing {
  const points = ringPoints(slots)
  const continuum = buildContinuum(peers, points)
  let taken = 0
  for (let p = 0; p < points; p++) if (continuum[p] !== -1) taken++
  const owners = new Int32Array(taken)
  const firstAtOrBelow = new Int32Array(points)
  // owners[k] is the k-th taken position counting down from the top, so the walk is owners[k], owners[k+1]...
  let below = 0
  for (let p = 0; p < points; p++) {
    if (continuum[p] !== -1) {
      owners[taken - 1 - below] = continuum[p]
      below++
    }
    // below the lowest taken position the walk wraps to the highest (index 0)
    firstAtOrBelow[p] = below === 0 ? 0 : taken - below
  }
  return { points, owners, firstAtOrBelow }
}
