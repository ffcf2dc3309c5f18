// rate-limiting policy redis against a Sentinel setup (master, replica, one sentinel), through the real
// gateway: the record's sentinel_master / sentinel_role / sentinel_nodes (Kong's Enterprise redis record, a Tollgate extension
// of rate-limiting's OSS record) reach the right servers and exactly `limit` requests pass.

import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { send, type Reply } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'
import { redisOrSkip, startRedisSentinel } from '../../helpers/redis-server.ts'

async function burst (url: string, key: string, count: number): Promise<number[]> {
  const replies: Reply[] = await Promise.all(Array.from({ length: count }, async () => await send(url, { headers: { 'x-key': key } })))
  return replies.map((reply) => reply.status).sort()
}

function plugin (redis: Record<string, unknown>): Record<string, unknown> {
  return { name: 'rate-limiting', config: { day: 5, limit_by: 'header', header_name: 'X-Key', policy: 'redis', redis } }
}

t.test('Redis Sentinel', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const sentinel = await startRedisSentinel(t, 'tollgate')
  const { gateway } = await startBackendGateway(t, {
    routes: [{ name: 's', paths: ['/s'], plugins: [plugin({ sentinel_master: 'tollgate', sentinel_role: 'master', sentinel_nodes: [{ host: '127.0.0.1', port: sentinel.sentinelPort }] })] }]
  })
  const connected = await gateway.waitForLog((line) => line.event === 'redis_connected')
  t.equal(connected.mode, 'sentinel')
  const statuses = await burst(`${gateway.proxyUrl}/s`, 'via-sentinel', 8)
  t.strictSame(statuses, [200, 200, 200, 200, 200, 429, 429, 429], 'exactly the limit passed')
  const master = new Redis({ port: sentinel.masterPort })
  t.teardown(() => master.disconnect())
  const keys = await master.keys('ratelimit:*:via-sentinel:*')
  t.equal(keys.length, 1, 'counted on the master the Sentinel named')
  t.equal(await master.get(keys[0]), '8')
})
