// Weighted round-robin (kong/runloop/balancer/round_robin.lua; spec/01-unit/09-balancer/04-round_robin_spec.lua):
// shares by weight, weight 0 never picked, unhealthy peers skipped, retries to another peer.

import t from 'tap'
import { createBalancer } from '../../../src/balancer/balancer.ts'
import { MAX_WHEEL_ENTRIES, wheelEntries } from '../../../src/balancer/round-robin.ts'
import { countPicks, makePeers, TestHealth } from './peer-fixture.ts'

t.test('100/50/0: two thirds, one third, nothing (exact over whole wheel turns)', async (t) => {
  const peers = makePeers([100, 50, 0])
  const b = createBalancer('round-robin', peers, 10000, new TestHealth())
  const counts = countPicks(15_000, () => b.pick(null, null))
  t.equal(counts.get(0), 10_000)
  t.equal(counts.get(1), 5_000)
  t.equal(counts.get(2), undefined)
})

t.test('blue/green 90/10 within 1% over 10,000 picks', async (t) => {
  const b = createBalancer('round-robin', makePeers([90, 10]), 10000, new TestHealth())
  const counts = countPicks(10_000, () => b.pick(null, null))
  t.equal(counts.get(0), 9_000)
  t.equal(counts.get(1), 1_000)
})

t.test('the wheel is reduced by the gcd; a huge co-prime wheel is scaled, keeping every weighted peer', async (t) => {
  t.same(wheelEntries(makePeers([100, 50, 0])), [2, 1, 0])
  const big = wheelEntries(makePeers([65535, 65534, 1, 0]))
  t.ok(big.reduce((a, b) => a + b, 0) <= MAX_WHEEL_ENTRIES + 3)
  t.ok(big[2] >= 1)
  t.equal(big[3], 0)
  t.ok(Math.abs(big[0] / big[1] - 65535 / 65534) < 0.001)
})

t.test('all weights 0: no peer', async (t) => {
  const b = createBalancer('round-robin', makePeers([0, 0]), 10000, new TestHealth())
  t.equal(b.pick(null, null), null)
})

t.test('unhealthy peers are skipped; all unhealthy gives null; back when healthy', async (t) => {
  const health = new TestHealth()
  const b = createBalancer('round-robin', makePeers([10, 10, 10]), 10000, health)
  health.down.add(1)
  const counts = countPicks(3_000, () => b.pick(null, null))
  t.equal(counts.get(1), undefined)
  t.equal(counts.get(0), 1_500)
  t.equal(counts.get(2), 1_500)
  health.down.add(0).add(2)
  t.equal(b.pick(null, null), null)
  health.down.delete(2)
  t.equal(b.pick(null, null)?.slot, 2)
})

t.test('a heavy unhealthy peer: the fallback keeps the shares of the healthy ones', async (t) => {
  const health = new TestHealth()
  const b = createBalancer('round-robin', makePeers([1000, 3, 1]), 10000, health)
  health.down.add(0)
  const counts = countPicks(8_000, () => b.pick(null, null))
  t.equal(counts.get(0), undefined)
  t.ok(Math.abs(counts.get(1)! / 8_000 - 0.75) < 0.03, `share ${counts.get(1)! / 8_000}`)
})

t.test('a retry goes to another peer; the only healthy peer is retried itself', async (t) => {
  const health = new TestHealth()
  const b = createBalancer('round-robin', makePeers([90, 10]), 10000, health)
  for (let i = 0; i < 200; i++) {
    const first = b.pick(null, null)!
    t.not(b.pick(null, first)?.slot, first.slot)
  }
  health.down.add(1)
  const only = b.pick(null, null)!
  t.equal(b.pick(null, only)?.slot, 0)
})

t.test('two balancers over the same list start at different places (shuffled, random start)', async (t) => {
  const peers = makePeers([1, 1, 1, 1, 1, 1, 1, 1])
  const firsts = new Set<number>()
  for (let i = 0; i < 50; i++) firsts.add(createBalancer('round-robin', peers, 10000, new TestHealth()).pick(null, null)!.slot)
  t.ok(firsts.size > 1)
})
