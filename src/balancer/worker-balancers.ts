// A proxy worker's side of balancing: the health table it shares with the main thread, the peers in
// force, and the UpstreamBalancers of every compiled Runtime still alive (the running one, and one being
// prepared for a reload), so new peers from DNS reach them all.

import type { Upstream } from '../config/types.ts'
import { HealthTable } from './health-table.ts'
import type { BalancingData, PeerSnapshot } from './peer-snapshot.ts'
import { UpstreamBalancer } from './upstream-balancer.ts'

const NO_PEERS: readonly never[] = Object.freeze([])

export class WorkerBalancers {
  readonly health: HealthTable
  #peers: PeerSnapshot
  readonly #live = new Set<UpstreamBalancer>()

  constructor (data: BalancingData) {
    this.health = new HealthTable(data.health)
    this.#peers = data.peers
  }

  /** Balancers of their own, with no peers: for compiling a config outside a gateway (tests, micro benches). */
  static detached (): WorkerBalancers {
    return new WorkerBalancers({ health: HealthTable.create(16).buffer, peers: {} })
  }

  /** The balancers of one compile, by upstream name (a service's host names its upstream). */
  build (upstreams: readonly Upstream[]): ReadonlyMap<string, UpstreamBalancer> {
    const byName = new Map<string, UpstreamBalancer>()
    for (const upstream of upstreams) {
      const balancer = new UpstreamBalancer(upstream, this.#peers[upstream.id] ?? NO_PEERS, this.health)
      byName.set(upstream.name, balancer)
      this.#live.add(balancer)
    }
    return byName
  }

  /** A Runtime was closed: its balancers no longer take updates. */
  release (balancers: Iterable<UpstreamBalancer>): void {
    for (const balancer of balancers) this.#live.delete(balancer)
  }

  /**
   * Peers for the next compile (a reload's prepare carries them) and for every live balancer. An upstream
   * the snapshot does not name (the running config's, gone from the one being prepared) keeps its peers.
   */
  update (peers: PeerSnapshot): void {
    this.#peers = peers
    for (const balancer of this.#live) {
      const next = peers[balancer.upstream.id]
      if (next !== undefined) balancer.setPeers(next)
    }
  }
}
