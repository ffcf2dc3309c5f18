// rate-limiting policy redis across gateway nodes: two gateway processes (two nodes), two workers each,
// one real redis-server (test/helpers/redis-server.ts). After Kong's spec/03-plugins/23-rate-limiting/
// (05-integration_spec.lua, the redis policy): with sync_rate -1 exactly `limit` requests pass whichever
// node and worker they reach, the counter is Kong's key and counts refused requests too
// (policies/init.lua usage); with sync_rate > 0 a node's counts reach Redis within the interval; Redis
// killed mid-load: fault_tolerant passes every request (no 5xx), fault_tolerant false answers 500, the loss
// is logged once per worker and limiting resumes when Redis is back; a wrong password is logged clearly.

import t, { type Test } from 'tap'
import { Agent } from 'node:http'
import { Redis } from 'ioredis'
import { send, startGateway, type Reply, type RunningGateway } from '../../helpers/gateway.ts'
import { startUpstream } from '../../helpers/upstream.ts'
import { redisOrSkip, startRedis } from '../../helpers/redis-server.ts'
import { awayFromDayEnd, spread, statusCounts } from '../../helpers/redis-gateway-nodes.ts'

const PASSWORD = 'redis-s3cret-for-tests'
const DAY_MS = 86_400_000

function limited (path: string, port: number, extra: Record<string, unknown>, password = PASSWORD): Record<string, unknown> {
  return {
    name: path.slice(1),
    paths: [path],
    plugins: [{
      name: 'rate-limiting',
      config: { day: 30, limit_by: 'header', header_name: 'X-Key', policy: 'redis', redis: { host: '127.0.0.1', port, password }, ...extra }
    }]
  }
}

/** `count` concurrent requests keyed `key`, spread over the nodes and the agents */
async function spreadKey (nodes: readonly RunningGateway[], agents: readonly Agent[], path: string, key: string, count: number): Promise<Reply[]> {
  return await spread(nodes, path, { 'x-key': key }, count, agents)
}

t.test('policy redis over two nodes', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const redis = await startRedis(t, { password: PASSWORD })
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const config = {
    services: [{
      name: 'backend',
      url: upstream.url,
      routes: [
        limited('/sync', redis.port, {}),
        limited('/batched', redis.port, { day: 1000, sync_rate: 0.3 }),
        limited('/tolerant', redis.port, { day: 1000 }),
        limited('/strict', redis.port, { day: 1000, fault_tolerant: false }),
        limited('/wrong-password', redis.port, { day: 1000 }, 'not-the-password'),
        limited('/wrong-password-strict', redis.port, { day: 1000, fault_tolerant: false }, 'not-the-password'),
      ]
    }]
  }
  const options = { settings: { worker_processes: 2 } }
  const nodes = await Promise.all([startGateway(config, options), startGateway(config, options)])
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => await node.stop())) })
  const agents = nodes.map(() => new Agent({ keepAlive: true, maxSockets: 16 }))
  t.teardown(() => { for (const agent of agents) agent.destroy() })
  const client = new Redis({ port: redis.port, password: PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  for (const node of nodes) {
    // every worker of every node connected (3 distinct records: the right password, the wrong one ... per worker)
    await node.waitForLog((line) => line.event === 'redis_connected' && line.worker === 1)
    await node.waitForLog((line) => line.event === 'redis_connected' && line.worker === 0)
  }
  await awayFromDayEnd()

  t.test('sync_rate -1: of 120 concurrent requests over 2 nodes x 2 workers, exactly 30 pass', async (t) => {
    const before = upstream.requests.length
    const replies = await spreadKey(nodes, agents, '/sync', 'exact', 120)
    t.strictSame(statusCounts(replies), { 200: 30, 429: 90 })
    t.equal(upstream.requests.length - before, 30, 'only those reached the upstream')
    const remaining = replies.filter((r) => r.status === 200).map((r) => Number(r.headers['x-ratelimit-remaining-day'])).sort((a, b) => a - b)
    t.strictSame(remaining, Array.from({ length: 30 }, (_, i) => i), 'each passing request saw its own count across nodes')
    const refused = replies.find((r) => r.status === 429)!
    t.equal(refused.json().message, 'API rate limit exceeded')
    t.ok(Number(refused.headers['retry-after']) > 0)
    // Kong's key: ratelimit:<route id>:<service id>:<identifier>:<window start>:<period>, refused requests counted
    await client.connect()
    const keys = await client.keys('ratelimit:*:exact:*:day')
    t.equal(keys.length, 1, 'one counter')
    t.match(keys[0], /^ratelimit:[0-9a-f-]{36}:[0-9a-f-]{36}:exact:\d+:day$/, "Kong's key format")
    t.equal(Number(keys[0].split(':')[4]) % DAY_MS, 0, 'the window start, in ms')
    t.equal(await client.get(keys[0]), '120', 'every request counted, refused ones too (as Kong)')
    const ttl = await client.ttl(keys[0])
    t.ok(ttl > 0 && ttl <= 86_400, `the key expires with its period (ttl ${ttl})`)
  })

  t.test('sync_rate 0.3: counts are local between syncs and reach Redis within the interval', async (t) => {
    const first = await spreadKey([nodes[0]], [agents[0]], '/batched', 'batched', 12)
    t.strictSame(statusCounts(first), { 200: 12 })
    await new Promise((resolve) => setTimeout(resolve, 700))
    const keys = await client.keys('ratelimit:*:batched:*:day')
    t.equal(keys.length, 1)
    t.equal(await client.get(keys[0]), '12', 'node A\'s 12 requests are in Redis after one interval')
    const seen = await send(`${nodes[1].proxyUrl}/batched`, { headers: { 'x-key': 'batched' } })
    t.equal(seen.status, 200)
    t.equal(seen.headers['x-ratelimit-remaining-day'], String(1000 - 13), 'node B counts on top of them')
  })

  t.test('a wrong password: logged clearly, once per worker; requests follow fault_tolerant', async (t) => {
    for (const node of nodes) {
      const line = await node.waitForLog((l) => l.event === 'redis_error' && JSON.stringify(l.error).includes('WRONGPASS'))
      t.equal(line.level, 'error')
      t.notOk(node.output().includes('not-the-password'), 'the password is never printed')
      const errors = node.logs.filter((l) => l.event === 'redis_error' && JSON.stringify(l.error).includes('WRONGPASS'))
      t.ok(errors.length <= 2, `one line per worker, not one per retry (${errors.length})`)
    }
    const tolerant = await spreadKey(nodes, agents, '/wrong-password', 'pw', 6)
    t.strictSame(statusCounts(tolerant), { 200: 6 }, 'fault_tolerant: proxied, unlimited')
    t.equal(tolerant[0].headers['x-ratelimit-limit-day'], undefined, 'and without rate-limit headers')
    const strict = await spreadKey(nodes, agents, '/wrong-password-strict', 'pw', 4)
    t.strictSame(statusCounts(strict), { 500: 4 })
    t.equal(strict[0].json().message, 'An unexpected error occurred')
  })

  t.test('Redis killed mid-load: no 5xx with fault_tolerant, 500 without; limiting resumes when it is back', async (t) => {
    const marks = nodes.map((node) => node.mark())
    const load = spreadKey(nodes, agents, '/tolerant', 'load', 200)
    await redis.kill()
    const during = await load
    t.equal(during.filter((r) => r.status >= 500).length, 0, 'not one 5xx while Redis went away')
    for (const [i, node] of nodes.entries()) {
      await node.waitForLog((l) => l.event === 'redis_connection_lost', { after: marks[i] })
    }
    const down = await spreadKey(nodes, agents, '/tolerant', 'down', 8)
    t.strictSame(statusCounts(down), { 200: 8 }, 'Redis down: proxied')
    t.equal(down[0].headers['x-ratelimit-limit-day'], undefined)
    const strict = await spreadKey(nodes, agents, '/strict', 'down', 4)
    t.strictSame(statusCounts(strict), { 500: 4 }, 'fault_tolerant false: 500')
    for (const [i, node] of nodes.entries()) {
      const lost = node.logs.slice(marks[i]).filter((l) => l.event === 'redis_connection_lost')
      // one per worker and distinct record (the wrong-password records never connected)
      t.ok(lost.length >= 1 && lost.length <= 2, `the loss logged once per worker (${lost.length})`)
    }
    await redis.restart()
    for (const [i, node] of nodes.entries()) {
      await node.waitForLog((l) => l.event === 'redis_reconnected' && l.worker === 0, { after: marks[i] })
      await node.waitForLog((l) => l.event === 'redis_reconnected' && l.worker === 1, { after: marks[i] })
    }
    const back = await spreadKey(nodes, agents, '/strict', 'back', 8)
    t.strictSame(statusCounts(back), { 200: 8 }, 'limiting resumed')
    const remaining = back.map((r) => Number(r.headers['x-ratelimit-remaining-day'])).sort((a, b) => a - b)
    t.strictSame(remaining, Array.from({ length: 8 }, (_, i) => 999 - 7 + i), 'counted in the restarted Redis')
    const metrics = (await send(`${nodes[0].adminUrl}/metrics`)).text
    t.match(metrics, /tollgate_redis_connection_changes_total\{change="lost"\} 2\n/, 'GET /metrics: one loss per worker')
    t.match(metrics, /tollgate_redis_connection_changes_total\{change="restored"\} 2\n/)
    t.match(metrics, /tollgate_redis_clients\{state="ready"\} 2\n/, 'both workers connected again (the wrong-password clients are down)')
    t.match(metrics, /tollgate_redis_errors_total\{kind="command"\} [1-9]/)
  })
})
