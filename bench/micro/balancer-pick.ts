// Micro benchmark: Balancer#pick per algorithm over 3 and 30 peers, all healthy and with one peer down,
// plus started/ended where the algorithm counts (least-connections, latency). Prints ns per pick (median of
// several timed rounds). Consistent hashing hashes a 36-character value (a uuid) on every pick.
// Run: node bench/micro/balancer-pick.ts [picks per round, default 500000]

import { createBalancer } from '../../src/balancer/balancer.ts'
import type { Algorithm } from '../../src/balancer/balancer.ts'
import type { HealthView, Peer } from '../../src/balancer/types.ts'

const ITERATIONS = Number(process.argv[2] ?? 500_000)
const ROUNDS = 7
const ALGORITHMS: readonly Algorithm[] = ['round-robin', 'consistent-hashing', 'least-connections', 'latency']
const KEY = '6f9619ff-8b86-d011-b42d-00c04fc964ff'

class Health implements HealthView {
  readonly down: Uint8Array
  constructor (size: number) {
    this.down = new Uint8Array(size)
  }

  isHealthy (slot: number): boolean {
    return this.down[slot] === 0
  }
}

function peers (n: number): Peer[] {
  return Array.from({ length: n }, (_, i) => ({
    slot: i, address: `10.0.${i >> 8}.${i & 255}`, port: 8080, hostname: `backend-${i}`, weight: 100, targetId: `t${i}`
  }))
}

function nsPerPick (algorithm: Algorithm, list: Peer[], health: Health): number {
  const b = createBalancer(algorithm, list, 10000, health)
  const counted = algorithm === 'least-connections' || algorithm === 'latency'
  let sink = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) {
    const peer = b.pick(KEY, null)
    if (peer === null) continue
    sink += peer.port
    if (counted) {
      b.started(peer)
      b.ended(peer, 3)
    }
  }
  const elapsed = Number(process.hrtime.bigint() - start)
  if (sink < 0) console.log(sink) // keeps the loop observable
  return elapsed / ITERATIONS
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const rows = []
for (const n of [3, 30]) {
  for (const oneDown of [false, true]) {
    const health = new Health(n)
    if (oneDown) health.down[0] = 1
    const list = peers(n)
    const row: Record<string, string | number> = { peers: n, health: oneDown ? 'one down' : 'all up' }
    for (const algorithm of ALGORITHMS) {
      nsPerPick(algorithm, list, health) // warm-up
      row[algorithm] = Number(median(Array.from({ length: ROUNDS }, () => nsPerPick(algorithm, list, health))).toFixed(1))
    }
    rows.push(row)
  }
}

console.log(`Balancer#pick, ns per pick (least-connections and latency: + started + ended), ${ITERATIONS} × ${ROUNDS} rounds, node ${process.version}`)
console.table(rows)
