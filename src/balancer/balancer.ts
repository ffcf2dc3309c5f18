// The load balancer a proxy worker picks peers with, one per upstream and peer list: built when the config
// loads or DNS changes an upstream's addresses, then used per request with no allocation. Which file is what:
//   balancer.ts            the interface and createBalancer (this file)
//   round-robin.ts         weighted wheel (kong/runloop/balancer/round_robin.lua)
//   consistent-hashing.ts  hash ring lookups; hash-ring.ts builds Kong's continuum, xxhash32.ts its hash
//   least-connections.ts   min-heap of (connections + 1) / weight
//   latency.ts             EWMA of response times
//   healthy-pick.ts        the O(n) fallback all of them share when the fast path finds no healthy peer
//   hash-value.ts          the value consistent hashing hashes (Kong's get_value_to_hash), with
//                          cookie-value.ts and query-arg.ts reading attacker input
// Kong's dispatch: kong/runloop/balancer/balancers.lua (create_balancer_exclusive, algorithm_types).

import { ConsistentHashingBalancer } from './consistent-hashing.ts'
import { LatencyBalancer } from './latency.ts'
import { LeastConnectionsBalancer } from './least-connections.ts'
import { RoundRobinBalancer } from './round-robin.ts'
import type { HealthView, Peer } from './types.ts'

export type Algorithm = 'round-robin' | 'consistent-hashing' | 'least-connections' | 'latency'

export interface Balancer {
  /**
   * The peer for an attempt. hashValue: consistent-hashing's key (ignored by the others; null when the
   * request has none, hashed as "" as Kong does). previous: the peer the previous attempt of this request
   * used, null on the first attempt; a retry goes to another peer when a healthy one is left.
   * null when no healthy peer with weight > 0 is left: the caller answers Kong's 503
   * "failure to get a peer from the ring-balancer".
   */
  pick (hashValue: string | null, previous: Peer | null): Peer | null
  /** a request to peer started / ended after elapsedMs (least-connections counts, latency's EWMA; no-ops for the others) */
  started (peer: Peer): void
  ended (peer: Peer, elapsedMs: number): void
}

/** slots: the upstream's `slots` (consistent-hashing's ring size; the others ignore it). */
export function createBalancer (algorithm: Algorithm, peers: readonly Peer[], slots: number, health: HealthView): Balancer {
  switch (algorithm) {
    case 'round-robin': return new RoundRobinBalancer(peers, health)
    case 'consistent-hashing': return new ConsistentHashingBalancer(peers, slots, health)
    case 'least-connections': return new LeastConnectionsBalancer(peers, health)
    case 'latency': return new LatencyBalancer(peers, health)
  }
}
