// Least-connections (kong/runloop/balancer/least_connections.lua; spec/01-unit/09-balancer/02-least_connections_spec.lua).

import t from 'tap'
import { createBalancer } from '../../../src/balancer/balancer.ts'
import { LeastConnectionsBalancer } from '../../../src/balancer/least-connections.ts'
import type { Peer } from '../../../src/balancer/types.ts'
import { makePeers, TestHealth } from './peer-fixture.ts'

function openMany (b: LeastConnectionsBalancer, n: number): Peer[] {
  const open: Peer[] = []
  for (let i = 0; i < n; i++) {
    const peer = b.pick(null, null)!
    b.started(peer)
    open.push(peer)
  }
  return open
}

t.test('open connections follow the weights ((connections + 1) / weight)', async (t) => {
  const peers = makePeers([30, 20, 10, 0])
  const b = new LeastConnectionsBalancer(peers, new TestHealth())
  t.equal(b.pick(null, null)?.slot, 0, 'with none open, the heaviest first')
  openMany(b, 600)
  t.same(peers.map((p) => b.connections(p)), [300, 200, 100, 0])
})

t.test('ended connections free their peer', async (t) => {
  const peers = makePeers([10, 10])
  const b = new LeastConnectionsBalancer(peers, new TestHealth())
  const open = openMany(b, 10)
  t.same(peers.map((p) => b.connections(p)), [5, 5])
  for (const peer of open.filter((p) => p.slot === 0)) b.ended(peer, 1)
  t.equal(b.connections(peers[0]), 0)
  t.same(openMany(b, 5).map((p) => p.slot), [0, 0, 0, 0, 0])
  b.ended(peers[0], 1)
  b.ended(makePeers([1], 99)[0], 1) // a peer of another list: ignored
  t.equal(b.connections(peers[0]), 4)
})

t.test('unhealthy peers are skipped and come back; all down gives null', async (t) => {
  const health = new TestHealth()
  const peers = makePeers([10, 10, 10])
  const b = new LeastConnectionsBalancer(peers, health)
  health.down.add(0)
  for (let i = 0; i < 30; i++) {
    const peer = b.pick(null, null)!
    t.not(peer.slot, 0)
    b.started(peer)
  }
  health.down.delete(0)
  const back = openMany(b, 30)
  t.ok(back.filter((p) => p.slot === 0).length >= 20, 'the revived idle peer takes the new requests')
  health.down.add(0).add(1).add(2)
  t.equal(b.pick(null, null), null)
  health.down.delete(2)
  t.equal(b.pick(null, null)?.slot, 2)
})

t.test('a retry goes to the best other peer; the only healthy one is retried', async (t) => {
  const health = new TestHealth()
  const b = createBalancer('least-connections', makePeers([10, 10, 10]), 0, health)
  const first = b.pick(null, null)!
  b.started(first)
  b.ended(first, 5)
  t.not(b.pick(null, first)?.slot, first.slot)
  health.down.add(1).add(2)
  t.equal(b.pick(null, first)?.slot, first.slot)
})

t.test('weight 0 only: no peer', async (t) => {
  t.equal(createBalancer('least-connections', makePeers([0, 0]), 0, new TestHealth()).pick(null, null), null)
})
