// rate-limiting policy redis through a Redis Cluster failover: two gateway nodes on a cluster of three
// masters with one replica each (test/helpers/redis-failover.ts); the master owning the test keys' slot is
// killed (SIGKILL, as a crash). What must hold:
//   - while the cluster notices and the replica takes over, fault_tolerant passes every request (no 5xx)
//   - ioredis's Cluster client follows the new owner (the other masters answer MOVED, or CLUSTERDOWN until
//     the vote; it refreshes its slot map on either) with no restart and no reload
//   - counting resumes on the promoted replica, exact again: `limit` of a burst pass, all counted there.
// The identifiers carry a hash tag, `{failover}`: the counter keys (Kong's ratelimit:<route>:<service>:
// <identifier>:<window>:<period>) of every identifier here then live in one known slot, owned by the
// master this test kills.

import t, { type Test } from 'tap'
import { redisOrSkip, redisReply } from '../../helpers/redis-server.ts'
import { startClusterFailover } from '../../helpers/redis-failover.ts'
import { awayFromDayEnd, limitedRoute, spread, startGatewayNodes, startLoad, statusCounts, untilLimiting, upstreamFor } from '../../helpers/redis-gateway-nodes.ts'

const TAG = '{failover}'

t.test('Redis Cluster failover: no 5xx while the replica takes over, then exact counting on it', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const [cluster, upstream] = await Promise.all([startClusterFailover(t), upstreamFor(t)])
  const redis = { cluster_nodes: cluster.ports.map((port) => ({ ip: '127.0.0.1', port })) }
  const config = {
    services: [{
      name: 'backend',
      url: upstream.url,
      routes: [limitedRoute('load', redis, { day: 100_000 }), limitedRoute('exact', redis, { day: 5 })]
    }]
  }
  const nodes = await startGatewayNodes(t, 2, config)
  await awayFromDayEnd()
  const { master, replica } = await cluster.owner(cluster.ports[0], TAG)
  const survivor = cluster.ports.find((port) => port !== master && port !== replica)!

  const before = await spread(nodes, '/exact', { 'x-key': `${TAG}before` }, 8)
  t.strictSame(statusCounts(before), { 200: 5, 429: 3 }, 'before: exactly the limit passed')
  const counted = await redisReply(master, ['KEYS', `ratelimit:*:${TAG}before:*:day`]) as string[]
  t.equal(counted.length, 1, 'counted on the master owning the slot')

  const load = startLoad(t, nodes, [{ path: '/load', headers: { 'x-key': `${TAG}during` } }])
  await cluster.server(master).kill()
  await cluster.waitForOwner(survivor, TAG, replica)
  for (const node of nodes) await untilLimiting(node, '/load', { 'x-key': `${TAG}probe` })
  const during = await load.stop()
  t.ok(during.length > 0, `requests kept flowing during the failover (${during.length})`)
  t.equal(during.filter((reply) => reply.status >= 500).length, 0, 'not one 5xx while the replica took over')

  const after = await spread(nodes, '/exact', { 'x-key': `${TAG}after` }, 8)
  t.strictSame(statusCounts(after), { 200: 5, 429: 3 }, 'after: exactly the limit passed again')
  const remaining = after.filter((reply) => reply.status === 200).map((reply) => Number(reply.headers['x-ratelimit-remaining-day'])).sort()
  t.strictSame(remaining, [0, 1, 2, 3, 4], 'each passing request saw its own count across the nodes')
  const keys = await redisReply(replica, ['KEYS', `ratelimit:*:${TAG}after:*:day`]) as string[]
  t.equal(keys.length, 1, 'the new counter lives on the promoted replica')
  t.equal(String(await redisReply(replica, ['GET', keys[0]])), '8', 'every request counted there')
})
