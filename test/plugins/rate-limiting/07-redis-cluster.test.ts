// rate-limiting policy redis against a Redis Cluster (three masters, redis-cli --cluster create), through
// the real gateway: the record's cluster_nodes (Kong's Enterprise redis record, a Tollgate extension
// of rate-limiting's OSS record) reach the right servers and exactly `limit` requests pass.

import t, { type Test } from 'tap'
import { once } from 'node:events'
import { Cluster } from 'ioredis'
import { send, type Reply } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'
import { redisOrSkip, startRedisCluster } from '../../helpers/redis-server.ts'

async function burst (url: string, key: string, count: number): Promise<number[]> {
  const replies: Reply[] = await Promise.all(Array.from({ length: count }, async () => await send(url, { headers: { 'x-key': key } })))
  return replies.map((reply) => reply.status).sort()
}

function plugin (redis: Record<string, unknown>): Record<string, unknown> {
  return { name: 'rate-limiting', config: { day: 5, limit_by: 'header', header_name: 'X-Key', policy: 'redis', redis } }
}

t.test('Redis Cluster', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const cluster = await startRedisCluster(t)
  const { gateway } = await startBackendGateway(t, {
    routes: [{ name: 'c', paths: ['/c'], plugins: [plugin({ cluster_nodes: [{ ip: '127.0.0.1', port: cluster.ports[0] }] })] }]
  })
  await gateway.waitForLog((line) => line.event === 'redis_connected')
  const statuses = await burst(`${gateway.proxyUrl}/c`, 'in-cluster', 9)
  t.strictSame(statuses, [200, 200, 200, 200, 200, 429, 429, 429, 429], 'exactly the limit passed')
  const client = new Cluster([{ host: '127.0.0.1', port: cluster.ports[1] }])
  t.teardown(() => client.disconnect())
  await once(client, 'ready')
  const keys: string[] = []
  for (const node of client.nodes('master')) keys.push(...await node.keys('ratelimit:*:in-cluster:*'))
  t.equal(keys.length, 1, 'one counter, on the master owning its slot')
  t.equal(await client.get(keys[0]), '9')
})
