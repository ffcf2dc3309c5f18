// The peers every upstream balances over, as the main thread resolved its targets (upstream-registry.ts):
// sent to workers at start, with each config they prepare, and again when DNS changes an address list.

import type { Peer } from './types.ts'

/** upstream id → its peers (structured-cloneable) */
export type PeerSnapshot = Readonly<Record<string, readonly Peer[]>>

/** What a proxy worker gets at start (WorkerData.balancing). */
export interface BalancingData {
  /** the health table's memory (health-table.ts), shared by the main thread and every worker */
  readonly health: SharedArrayBuffer
  readonly peers: PeerSnapshot
}

/** Two peer lists balance the same: same addresses, ports, weights and slots, in the same order. */
export function samePeers (a: readonly Peer[], b: readonly Peer[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x.slot !== y.slot || x.address !== y.address || x.port !== y.port || x.weight !== y.weight ||
      x.hostname !== y.hostname || x.targetId !== y.targetId) return false
  }
  return true
}
