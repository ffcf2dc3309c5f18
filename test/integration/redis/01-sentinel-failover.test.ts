// A Redis Sentinel failover under two gateway nodes (test/helpers/redis-failover.ts: a master, its replica,
// three Sentinels with quorum 2), both plugins that use Redis on the same Sentinel record: rate-limiting
// policy redis (fault_tolerant) and openid-connect's cluster cache. The master is killed (SIGKILL, as a
// crash). What must hold:
//   - while the Sentinels agree it is down and promote the replica, no request gets a 5xx
//   - ioredis's Sentinel client follows: it reconnects with backoff and asks the Sentinels again for the
//     master, which is the promoted replica once they have switched (no restart, no reload)
//   - counting resumes on the promoted replica, exact again: `limit` of a burst pass, all counted there
//   - a token shared before the failover (replicated to the replica) still serves the other node, and a
//     token fetched after it on node A serves node B without an IdP call.

import t, { type Test } from 'tap'
import { send } from '../../helpers/gateway.ts'
import { upstreamBearer, until } from '../../helpers/oidc-stack.ts'
import { redisOrSkip, redisReply } from '../../helpers/redis-server.ts'
import { startSentinelFailover } from '../../helpers/redis-failover.ts'
import { startTokenIdp } from '../../helpers/token-idp.ts'
import { awayFromDayEnd, limitedRoute, spread, startGatewayNodes, startLoad, statusCounts, untilLimiting, upstreamFor } from '../../helpers/redis-gateway-nodes.ts'

/** the openid-connect cluster cache's values (not its locks) on the server at `port` */
async function tokenKeys (port: number): Promise<string[]> {
  return (await redisReply(port, ['KEYS', 'tollgate:oidc:*']) as string[]).filter((key) => !key.endsWith(':lock'))
}

t.test('Redis Sentinel failover: no 5xx while the replica is promoted, then counting and sharing on it', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const [redis, upstream, token] = await Promise.all([startSentinelFailover(t, 'tollgate'), upstreamFor(t), startTokenIdp(t)])
  const record = {
    sentinel_master: redis.masterName,
    sentinel_role: 'master',
    sentinel_nodes: redis.sentinelPorts.map((port) => ({ host: '127.0.0.1', port }))
  }
  const config = {
    services: [
      { name: 'backend', url: upstream.url, routes: [limitedRoute('load', record, { day: 100_000 }), limitedRoute('exact', record, { day: 5 })] },
      token.service('before', upstream.url, record),
      token.service('during', upstream.url, record),
      token.service('after', upstream.url, record)
    ]
  }
  const nodes = await startGatewayNodes(t, 2, config)
  await token.discovered(nodes)
  const [a, b] = nodes
  await awayFromDayEnd()
  const authorization = { authorization: token.authorization }

  const before = await spread(nodes, '/exact', { 'x-key': 'before' }, 8)
  t.strictSame(statusCounts(before), { 200: 5, 429: 3 }, 'before: exactly the limit passed')
  const shared = await send(`${a.proxyUrl}/before`, { headers: authorization })
  t.equal(shared.status, 200, 'node A fetched a token and shares it')
  // node A writes after answering; the replica has it once replication caught up
  await until('the token on the replica', async () => (await tokenKeys(redis.replica.port)).length === 1)

  const load = startLoad(t, nodes, [{ path: '/load', headers: { 'x-key': 'during' } }, { path: '/during', headers: authorization }])
  await redis.master.kill()
  await redis.waitForMaster(redis.replica.port)
  for (const node of nodes) await untilLimiting(node, '/load', { 'x-key': 'probe' })
  const during = await load.stop()
  for (const node of nodes) {
    const back = await node.waitForLog((line) => line.event === 'redis_reconnected')
    t.equal(back.mode, 'sentinel', 'the gateway logged the switch: lost, then reconnected (to the new master)')
  }
  t.ok(during.length > 0, `requests kept flowing during the failover (${during.length})`)
  t.strictSame(during.filter((reply) => reply.status >= 500 || reply.status === 0).map((reply) => reply.status), [], 'not one 5xx while the replica was promoted')
  t.equal(during.filter((reply) => reply.status !== 200).length, 0, 'every request served')

  const after = await spread(nodes, '/exact', { 'x-key': 'after' }, 8)
  t.strictSame(statusCounts(after), { 200: 5, 429: 3 }, 'after: exactly the limit passed again')
  const remaining = after.filter((reply) => reply.status === 200).map((reply) => Number(reply.headers['x-ratelimit-remaining-day'])).sort()
  t.strictSame(remaining, [0, 1, 2, 3, 4], 'each passing request saw its own count across the nodes')
  const keys = await redisReply(redis.replica.port, ['KEYS', 'ratelimit:*:after:*:day']) as string[]
  t.equal(keys.length, 1, 'the new counter lives on the promoted replica')
  t.equal(String(await redisReply(redis.replica.port, ['GET', keys[0]])), '8', 'every request counted there')

  const calls = token.idp.tokenRequests
  const again = await send(`${b.proxyUrl}/before`, { headers: authorization })
  t.equal(again.status, 200, 'node B, after the failover')
  t.equal(token.idp.tokenRequests, calls, 'node B took the token node A shared before the failover (replicated)')
  t.equal(upstreamBearer(again), upstreamBearer(shared), 'the same token upstream')

  const known = (await tokenKeys(redis.replica.port)).length
  const first = await send(`${a.proxyUrl}/after`, { headers: authorization })
  t.equal(first.status, 200, 'node A, a new credential\'s route after the failover')
  t.equal(token.idp.tokenRequests, calls + 1, 'node A asked the IdP')
  await until('the new token on the promoted replica', async () => (await tokenKeys(redis.replica.port)).length > known)
  const second = await send(`${b.proxyUrl}/after`, { headers: authorization })
  t.equal(second.status, 200, 'node B')
  t.equal(token.idp.tokenRequests, calls + 1, 'node B asked no one but Redis')
  t.equal(upstreamBearer(second), upstreamBearer(first), 'node B sent node A\'s token upstream')
})
