// openid-connect's cluster cache (cluster_cache_strategy redis, item tokens) across gateway nodes: two
// gateway processes (two nodes), two workers each, one real redis-server (test/helpers/redis-server.ts) and
// one real IdP behind a token proxy that can hold answers back. Each route has its own cache_tokens_salt,
// so each starts cold. What must hold (worker/cluster-cache.ts):
//   - a token fetched on node A serves node B without an IdP call
//   - 100 cold requests spread over both nodes make one IdP call (Redis lock, losers wait for the value)
//   - nothing in Redis reveals a token, a client id or a secret (every key and value read back)
//   - Redis killed mid-load: no 5xx, both nodes serve from their own cache and the IdP; sharing resumes
//     once Redis is back
//   - a wrong Redis password: logged once per worker, never printed, and the flow works without Redis
//     (checked before the outage: Redis going away and coming back are state changes, logged again)

import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { send } from '../../helpers/gateway.ts'
import { assertSealedEntries, clusterCounters, spread, startNodes, statuses } from '../../helpers/cluster-nodes.ts'
import { startIdp } from '../../helpers/idp.ts'
import { clientBasic, howToConfig, oidcService, upstreamBearer } from '../../helpers/oidc-stack.ts'
import { startTokenProxy } from '../../helpers/oidc-token-proxy.ts'
import { startUpstream } from '../../helpers/upstream.ts'
import { redisOrSkip, startRedis } from '../../helpers/redis-server.ts'

const PASSWORD = 'redis-s3cret-for-oidc-tests'
const WRONG_PASSWORD = 'not-the-redis-password'
const ROUTES = ['shared', 'flight', 'outage', 'resume', 'wrong-password'] as const

t.test('the token cache shared by two nodes through Redis', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const redis = await startRedis(t, { password: PASSWORD })
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const tokens = await startTokenProxy(idp.url)
  t.teardown(() => tokens.close())
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const plugin = (route: string): Record<string, unknown> => ({
    ...howToConfig(idp),
    token_endpoint: tokens.tokenEndpoint,
    cache_tokens_salt: `salt-${route}`,
    cluster_cache_strategy: 'redis',
    cluster_cache_items: ['tokens'],
    cluster_cache_redis: { host: '127.0.0.1', port: redis.port, password: route === 'wrong-password' ? WRONG_PASSWORD : PASSWORD },
  })
  const config = { services: ROUTES.map((route) => oidcService(route, upstream.url, `/${route}`, plugin(route))) }
  const nodes = await startNodes(t, config)
  const authorization = clientBasic(idp.clients.secret)
  const [a, b] = nodes

  await t.test('a token fetched on node A serves node B without an IdP call', async (t) => {
    const before = idp.tokenRequests
    const first = await send(`${a.proxyUrl}/shared`, { headers: { authorization } })
    t.equal(first.status, 200)
    t.equal(idp.tokenRequests, before + 1, 'node A asked the IdP')
    // node A writes after answering: wait until the value is there
    const reader = new Redis({ port: redis.port, password: PASSWORD })
    t.teardown(() => reader.disconnect())
    for (let i = 0; i < 50 && (await reader.keys('tollgate:oidc:*')).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    const seconds = await Promise.all([0, 1, 2, 3].map(async () => await send(`${b.proxyUrl}/shared`, { headers: { authorization } })))
    t.same(statuses(seconds), [200])
    t.equal(idp.tokenRequests, before + 1, 'node B asked no one but Redis')
    t.same(new Set(seconds.map(upstreamBearer)), new Set([upstreamBearer(first)]), 'node B sent node A\'s token upstream')
  })

  await t.test('100 cold requests over 2 nodes x 2 workers: one IdP call', async (t) => {
    const before = idp.tokenRequests
    tokens.delayMs = 600
    const replies = await spread(nodes, '/flight', authorization, 100)
    tokens.delayMs = 0
    t.same(statuses(replies), [200], 'all 200')
    t.equal(idp.tokenRequests, before + 1, 'exactly one token request reached the IdP')
    t.equal(new Set(replies.map(upstreamBearer)).size, 1, 'every request carried the one token')
  })

  await t.test('encrypted at rest: no token, client id or secret in any Redis key or value', async (t) => {
    const reader = new Redis({ port: redis.port, password: PASSWORD })
    t.teardown(() => reader.disconnect())
    const keys = await reader.keys('*')
    t.ok(keys.length >= 2, `the shared tokens are there (${keys.length} keys)`)
    const issued = tokens.requests.map((request) => request.issued).filter((token) => token !== null)
    const secrets = [...issued, ...issued.map((token) => token.split('.')[1]), idp.clients.secret.client_id, idp.clients.secret.client_secret!, 'salt-shared', 'salt-flight']
    await assertSealedEntries(t, reader, keys, /^tollgate:oidc:v1:\{[A-Za-z0-9_-]{32}\}(:lock)?$/, secrets, 'token')
  })

  await t.test('a wrong Redis password: logged once per worker, never printed; the flow works without Redis', async (t) => {
    for (const node of nodes) {
      const line = await node.waitForLog((l) => l.event === 'redis_error' && JSON.stringify(l.error).includes('WRONGPASS'))
      t.equal(line.level, 'error')
      const replies = await Promise.all([0, 1, 2].map(async () => await send(`${node.proxyUrl}/wrong-password`, { headers: { authorization } })))
      t.same(statuses(replies), [200])
      const errors = node.logs.filter((l) => l.event === 'redis_error' && JSON.stringify(l.error).includes('WRONGPASS'))
      t.ok(errors.length <= 2, `one line per worker, not one per retry or request (${errors.length})`)
      t.notOk(node.output().includes(WRONG_PASSWORD), 'the password is never printed')
      t.notOk(node.output().includes(PASSWORD), 'nor the right one')
    }
  })

  await t.test('Redis killed mid-load: no 5xx; both nodes keep serving; sharing resumes after the restart', async (t) => {
    const marks = nodes.map((node) => node.mark())
    const load = spread(nodes, '/outage', authorization, 60)
    const warm = spread(nodes, '/shared', authorization, 20)
    await redis.kill()
    const during = [...await load, ...await warm]
    t.same(statuses(during), [200], 'not one 5xx while Redis went away')
    for (const [i, node] of nodes.entries()) await node.waitForLog((line) => line.event === 'redis_connection_lost', { after: marks[i] })
    const down = await spread(nodes, '/outage', authorization, 8)
    t.same(statuses(down), [200], 'Redis down: served from the first level and the IdP')
    await redis.restart()
    for (const [i, node] of nodes.entries()) {
      await node.waitForLog((line) => line.event === 'redis_reconnected' && line.worker === 0, { after: marks[i] })
      await node.waitForLog((line) => line.event === 'redis_reconnected' && line.worker === 1, { after: marks[i] })
    }
    const before = idp.tokenRequests
    const first = await send(`${a.proxyUrl}/resume`, { headers: { authorization } })
    t.equal(first.status, 200)
    const reader = new Redis({ port: redis.port, password: PASSWORD })
    t.teardown(() => reader.disconnect())
    for (let i = 0; i < 50 && (await reader.keys('tollgate:oidc:*')).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    const second = await send(`${b.proxyUrl}/resume`, { headers: { authorization } })
    t.equal(second.status, 200)
    t.equal(idp.tokenRequests, before + 1, 'node B used node A\'s token again')
    t.equal(upstreamBearer(second), upstreamBearer(first))
    // each node's GET /metrics counts its own workers
    const counted = await clusterCounters(nodes, 'tokens')
    t.ok(counted.hits >= 2, `GET /metrics counts the Redis hits (${counted.hits})`)
    t.ok(counted.writes >= 3, `the tokens written (${counted.writes})`)
    t.ok(counted.misses >= 3, `the fills Redis could not answer (${counted.misses})`)
    t.ok(counted.errors >= 1, `the fills that went on without Redis (${counted.errors})`)
    t.ok(counted.lock_waits >= 1, `the waits for another node's fetch (${counted.lock_waits})`)
  })
})
