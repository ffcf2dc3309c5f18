// Consistent hashing on Kong's continuum (kong/runloop/balancer/consistent_hashing.lua;
// spec/01-unit/09-balancer/03-consistent_hashing_spec.lua and 05-worker_consistency_spec.lua).

import t from 'tap'
import { createBalancer } from '../../../src/balancer/balancer.ts'
import { buildContinuum, buildHashRing, ringPoints } from '../../../src/balancer/hash-ring.ts'
import type { Peer } from '../../../src/balancer/types.ts'
import { countPicks, makePeers, TestHealth } from './peer-fixture.ts'

const KEYS = Array.from({ length: 10_000 }, (_, i) => `key-${i}`)

function mapping (peers: readonly Peer[], slots = 10000, health = new TestHealth()): string[] {
  const b = createBalancer('consistent-hashing', peers, slots, health)
  return KEYS.map((k) => b.pick(k, null)!.address)
}

function moved (a: readonly string[], b: readonly string[]): number {
  let n = 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++
  return n
}

function pointsPerPeer (peers: readonly Peer[], slots: number): Map<string, number> {
  const counts = new Map<string, number>()
  for (const index of buildContinuum(peers, ringPoints(slots))) {
    if (index !== -1) counts.set(peers[index].address, (counts.get(peers[index].address) ?? 0) + 1)
  }
  return counts
}

t.test("Kong's point counts: weight share × targets × 160, at least 1", async (t) => {
  // one target with two addresses of equal weight: 80 points each (03-consistent_hashing_spec)
  const oneTarget = makePeers([10, 10]).map((p) => ({ ...p, targetId: 'one' }))
  t.same(Object.fromEntries(pointsPerPeer(oneTarget, 1000)), { '10.0.0.1': 80, '10.0.0.2': 80 })
  // two targets 100/50: 213 and 106
  t.same(Object.fromEntries(pointsPerPeer(makePeers([100, 50]), 1000)), { '10.0.0.1': 213, '10.0.0.2': 106 })
  // a tiny weight still gets a point; weight 0 none
  const tiny = pointsPerPeer(makePeers([65535, 1, 0]), 10000)
  t.equal(tiny.get('10.0.0.2'), 1)
  t.equal(tiny.get('10.0.0.3'), undefined)
  t.equal(ringPoints(10), 1000)
  t.equal(ringPoints(65536), 65536)
})

t.test('same value, same peer; distribution follows weight', async (t) => {
  const b = createBalancer('consistent-hashing', makePeers([100, 50, 0]), 10000, new TestHealth())
  for (const k of KEYS.slice(0, 100)) t.equal(b.pick(k, null), b.pick(k, null))
  const counts = countPicks(KEYS.length, (i) => b.pick(KEYS[i], null))
  t.equal(counts.get(2), undefined)
  const share = counts.get(0)! / KEYS.length
  t.ok(share > 0.6 && share < 0.74, `share of the weight-100 peer: ${share}`)
})

t.test('two balancers from the same list, in any order, map every value alike (worker consistency)', async (t) => {
  const peers = makePeers([10, 20, 30, 40])
  t.same(mapping(peers), mapping([...peers].reverse()))
})

t.test('adding a peer moves only about its share; removing one moves only its values', async (t) => {
  const five = makePeers([100, 100, 100, 100, 100])
  const six = makePeers([100, 100, 100, 100, 100, 100])
  const before = mapping(five)
  const after = mapping(six)
  const share = moved(before, after) / KEYS.length
  t.ok(share > 0.1 && share < 0.25, `moved ${share} (its share: 1/6)`)
  let elsewhere = 0
  for (let i = 0; i < KEYS.length; i++) if (before[i] !== after[i] && after[i] !== '10.0.0.6') elsewhere++
  t.equal(elsewhere, 0, 'every moved value goes to the new peer')
  // removing: from six back to five, only the sixth peer's values move
  const removed = mapping(six.slice(0, 5))
  let disturbed = 0
  for (let i = 0; i < KEYS.length; i++) if (after[i] !== '10.0.0.6' && removed[i] !== after[i]) disturbed++
  t.equal(disturbed, 0, 'values of the remaining peers stay')
})

t.test('an unhealthy peer: its values go to the next peer, the others stay; all down gives null', async (t) => {
  const health = new TestHealth()
  const peers = makePeers([10, 10, 10])
  const b = createBalancer('consistent-hashing', peers, 10000, health)
  const before = KEYS.map((k) => b.pick(k, null)!.slot)
  health.down.add(1)
  let wrong = 0
  for (let i = 0; i < KEYS.length; i++) {
    const now = b.pick(KEYS[i], null)!.slot
    if (now === 1 || (before[i] !== 1 && now !== before[i])) wrong++
  }
  t.equal(wrong, 0, 'no value on the unhealthy peer, no other value moved')
  health.down.add(0).add(2)
  t.equal(b.pick('x', null), null)
})

t.test('a retry walks on to another peer, the same one for the same value', async (t) => {
  const health = new TestHealth()
  const b = createBalancer('consistent-hashing', makePeers([10, 10, 10]), 10000, health)
  for (const k of KEYS.slice(0, 500)) {
    const first = b.pick(k, null)!
    const retry = b.pick(k, first)!
    t.not(retry.slot, first.slot)
    t.equal(b.pick(k, first), retry)
  }
  health.down.add(0).add(1)
  const only = b.pick('k', null)!
  t.equal(b.pick('k', only), only, 'the only healthy peer is retried')
})

t.test('null hashes as "" (Kong: get_value_to_hash(...) or ""): one peer for all', async (t) => {
  const b = createBalancer('consistent-hashing', makePeers([10, 10, 10]), 10000, new TestHealth())
  t.equal(b.pick(null, null), b.pick('', null))
  t.equal(countPicks(100, () => b.pick(null, null)).size, 1)
})

t.test('the lookup tables agree with walking the continuum down as Kong does', async (t) => {
  const peers = makePeers([5, 7, 11])
  const points = ringPoints(1000)
  const continuum = buildContinuum(peers, points)
  const ring = buildHashRing(peers, 1000)
  let differ = 0
  for (let p = 0; p < points; p++) {
    let q = p
    while (continuum[q] === -1) q = q === 0 ? points - 1 : q - 1
    if (ring.owners[ring.firstAtOrBelow[p]] !== continuum[q]) differ++
  }
  t.equal(differ, 0)
})

t.test('an empty ring gives no peer', async (t) => {
  t.equal(createBalancer('consistent-hashing', [], 10000, new TestHealth()).pick('a', null), null)
  t.equal(createBalancer('consistent-hashing', makePeers([0]), 10000, new TestHealth()).pick('a', null), null)
})
