// openid-connect's cluster cache on a Redis Cluster (three masters, redis-cli --cluster create), through
// two gateway nodes: the record's cluster_nodes reach the cluster, and the value and its lock, whose names
// share a hash tag (cluster-cache-seal.ts), land on the one master owning their slot, so the lock's
// single flight and the losers' MGET of value and lock work there as on one server.

import t, { type Test } from 'tap'
import { Cluster } from 'ioredis'
import { once } from 'node:events'
import { upstreamBearer } from '../../helpers/oidc-stack.ts'
import { redisOrSkip, startRedisCluster } from '../../helpers/redis-server.ts'
import { startTokenIdp } from '../../helpers/token-idp.ts'
import { spread, startGatewayNodes, statusCounts, upstreamFor } from '../../helpers/redis-gateway-nodes.ts'
import { send } from '../../helpers/gateway.ts'

t.test('the token cache shared through a Redis Cluster', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const [cluster, upstream, token] = await Promise.all([startRedisCluster(t), upstreamFor(t), startTokenIdp(t)])
  const record = { cluster_nodes: [{ ip: '127.0.0.1', port: cluster.ports[0] }] }
  const config = { services: [token.service('shared', upstream.url, record), token.service('cold', upstream.url, record)] }
  const [a, b] = await startGatewayNodes(t, 2, config)
  await token.discovered([a, b])

  await t.test('a token fetched on node A serves node B without an IdP call', async (t) => {
    const before = token.idp.tokenRequests
    const first = await send(`${a.proxyUrl}/shared`, { headers: { authorization: token.authorization } })
    t.equal(first.status, 200)
    t.equal(token.idp.tokenRequests, before + 1, 'node A asked the IdP')
    const second = await send(`${b.proxyUrl}/shared`, { headers: { authorization: token.authorization } })
    t.equal(second.status, 200)
    t.equal(token.idp.tokenRequests, before + 1, 'node B did not')
    t.equal(upstreamBearer(second), upstreamBearer(first), 'node B sent the token node A fetched')
  })

  await t.test('40 cold requests over both nodes: one IdP call', async (t) => {
    const before = token.idp.tokenRequests
    token.tokens.delayMs = 500
    const replies = await spread([a, b], '/cold', { authorization: token.authorization }, 40)
    token.tokens.delayMs = 0
    t.strictSame(statusCounts(replies), { 200: 40 })
    t.equal(token.idp.tokenRequests, before + 1, 'exactly one token request reached the IdP')
  })

  await t.test('the values are in the cluster under their hash tags, their locks released', async (t) => {
    const client = new Cluster([{ host: '127.0.0.1', port: cluster.ports[1] }])
    t.teardown(() => client.disconnect())
    await once(client, 'ready')
    const owners: number[] = []
    for (const node of client.nodes('master')) {
      const keys = await node.keys('tollgate:oidc:*')
      if (keys.length > 0) owners.push(keys.length)
      for (const key of keys) t.match(key, /^tollgate:oidc:v\d+:\{[^}]+\}$/, 'a value key with its hash tag (the lock is gone)')
    }
    t.equal(owners.reduce((n, k) => n + k, 0), 2, 'two shared tokens in the cluster (one per route)')
  })
})
