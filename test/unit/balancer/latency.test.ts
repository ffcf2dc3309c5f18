// Latency / EWMA (kong/runloop/balancer/latency.lua; spec/01-unit/09-balancer/06-latency_spec.lua).

import t from 'tap'
import { createBalancer } from '../../../src/balancer/balancer.ts'
import type { Balancer } from '../../../src/balancer/balancer.ts'
import { LatencyBalancer } from '../../../src/balancer/latency.ts'
import type { Peer } from '../../../src/balancer/types.ts'
import { makePeers, TestHealth } from './peer-fixture.ts'

/** A clock the tests move: requests 100 ms apart, so each sample weighs 1 - exp(-0.01) as in Kong. */
class TestClock {
  time = 0
  now (): number {
    return this.time
  }
}

/** Runs n requests, 100 ms apart, each taking its peer's latency from `latencies` (ms, by slot). */
function drive (b: Balancer, n: number, latencies: readonly number[], clock = new TestClock()): Map<number, number> {
  const counts = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const peer = b.pick(null, null)!
    b.started(peer)
    clock.time += 100
    b.ended(peer, latencies[peer.slot])
    counts.set(peer.slot, (counts.get(peer.slot) ?? 0) + 1)
  }
  return counts
}

t.test('the fast peer gets most requests', async (t) => {
  const clock = new TestClock()
  const b = new LatencyBalancer(makePeers([10, 10, 10]), new TestHealth(), clock)
  const counts = drive(b, 3_000, [5, 50, 200], clock)
  t.ok(counts.get(0)! > 2_500, `fast: ${counts.get(0)}, medium: ${counts.get(1)}, slow: ${counts.get(2)}`)
  t.ok((counts.get(2) ?? 0) < (counts.get(1) ?? 0) + 10)
})

t.test('equal peers at the start share the requests (no history: every score is 0)', async (t) => {
  const b = createBalancer('latency', makePeers([10, 10, 10]), 0, new TestHealth())
  const firsts = new Set<number>()
  for (let i = 0; i < 3; i++) firsts.add(b.pick(null, null)!.slot)
  t.equal(firsts.size, 3)
})

t.test('weight divides the score; weight 0 is never picked', async (t) => {
  const b = createBalancer('latency', makePeers([100, 1, 0]), 0, new TestHealth())
  const counts = drive(b, 1_000, [20, 20, 1])
  t.equal(counts.get(2), undefined)
  t.ok(counts.get(0)! > 900)
})

t.test('unhealthy skipped; back from unhealthy at the average EWMA, not at 0', async (t) => {
  const health = new TestHealth()
  const clock = new TestClock()
  const b = new LatencyBalancer(makePeers([10, 10]), health, clock)
  health.down.add(1)
  const counts = drive(b, 100, [30, 1], clock)
  t.equal(counts.get(1), undefined)
  health.down.delete(1)
  // the returning peer starts at the other's EWMA (about 19 by now), not at 0: the requests that start
  // before any of them ends are shared, not all sent to the newcomer
  const picked = new Set<number>()
  for (let i = 0; i < 4; i++) picked.add(b.pick(null, null)!.slot)
  t.same([...picked].sort(), [0, 1])
  health.down.add(0).add(1)
  t.equal(b.pick(null, null), null)
})

t.test('a retry goes to another peer; the only healthy one is retried', async (t) => {
  const health = new TestHealth()
  const peers: Peer[] = makePeers([10, 10])
  const b = createBalancer('latency', peers, 0, health)
  drive(b, 10, [1, 100])
  const first = b.pick(null, null)!
  t.equal(first.slot, 0)
  t.equal(b.pick(null, first)?.slot, 1)
  health.down.add(1)
  t.equal(b.pick(null, first)?.slot, 0)
})
