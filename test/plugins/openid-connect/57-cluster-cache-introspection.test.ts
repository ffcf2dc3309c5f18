// openid-connect's cluster cache with the item `introspection` (Kong's default cluster_cache_items): the
// introspection answers shared between gateway nodes through Redis. Two gateway processes (two nodes), two
// workers each, one real redis-server and one real IdP introspecting the opaque tokens it issued (its
// `introspect` client). Each route has its own cache_tokens_salt, so each starts cold. What must hold
// (worker/resource-flow.ts #answer, worker/cluster-cache.ts):
//   - a token introspected on node A serves node B without an introspection call
//   - 40 cold requests with one token spread over both nodes make one introspection call (Redis lock)
//   - an inactive answer is shared too: node B refuses the token without asking
//   - nothing in Redis reveals a token, a claim or the salt (every key and value read back)
//   - cluster_cache_items ["tokens"]: introspection answers are not shared, node B introspects itself

import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { send, type Reply } from '../../helpers/gateway.ts'
import { assertSealedEntries, clusterCounters, spread, startNodes, statuses } from '../../helpers/cluster-nodes.ts'
import { holdingProxy } from '../../helpers/holding-proxy.ts'
import { startIdp, type TestIdp } from '../../helpers/idp.ts'
import { assertKongUnauthorized, echoed, oidcService, upstreamBearer } from '../../helpers/oidc-stack.ts'
import { startUpstream } from '../../helpers/upstream.ts'
import { redisOrSkip, startRedis } from '../../helpers/redis-server.ts'

const PASSWORD = 'redis-s3cret-for-introspection-tests'
const HOLD_MS = 400
const INTROSPECTION_KEY = /^tollgate:oidc:v1:introspection:\{[A-Za-z0-9_-]{32}\}(:lock)?$/

function bearer (token: string): { headers: Record<string, string> } {
  return { headers: { authorization: `Bearer ${token}` } }
}

async function waitForKeys (reader: Redis, pattern: string, count: number): Promise<void> {
  for (let i = 0; i < 100 && (await reader.keys(pattern)).length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20))
}

t.test('introspection answers shared by two nodes through Redis', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const redis = await startRedis(t, { password: PASSWORD })
  const idp: TestIdp = await startIdp()
  t.teardown(() => idp.close())
  const held = await holdingProxy(t, idp.url, HOLD_MS)
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const introspect = idp.clients.introspect
  const plugin = (route: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    issuer: idp.issuer,
    auth_methods: ['introspection'],
    client_id: [introspect.client_id],
    client_secret: [introspect.client_secret],
    upstream_headers_claims: ['client_id'],
    upstream_headers_names: ['x-client'],
    cache_tokens_salt: `salt-${route}`,
    cluster_cache_strategy: 'redis',
    // cluster_cache_items left at Kong's default, ["introspection"]
    cluster_cache_redis: { host: '127.0.0.1', port: redis.port, password: PASSWORD },
    ...extra
  })
  const config = {
    services: [
      oidcService('shared', upstream.url, '/shared', plugin('shared')),
      oidcService('flight', upstream.url, '/flight', plugin('flight', { introspection_endpoint: held })),
      oidcService('inactive', upstream.url, '/inactive', plugin('inactive')),
      oidcService('tokens-only', upstream.url, '/tokens-only', plugin('tokens-only', { cluster_cache_items: ['tokens'] }))
    ]
  }
  const nodes = await startNodes(t, config)
  const [a, b] = nodes
  const reader = new Redis({ port: redis.port, password: PASSWORD })
  t.teardown(() => reader.disconnect())
  const client = idp.clients.secret
  const issued: string[] = []
  const issue = async (): Promise<string> => {
    const token = await idp.issueToken(client)
    issued.push(token)
    return token
  }

  await t.test('a token introspected on node A serves node B without an introspection call', async (t) => {
    const token = await issue()
    const before = idp.introspectionRequests
    const first = await send(`${a.proxyUrl}/shared`, bearer(token))
    t.equal(first.status, 200)
    t.equal(idp.introspectionRequests, before + 1, 'node A introspected')
    // node A writes after answering: wait until the value is there
    await waitForKeys(reader, 'tollgate:oidc:v1:introspection:*', 1)
    const seconds = await Promise.all([0, 1, 2, 3].map(async () => await send(`${b.proxyUrl}/shared`, bearer(token))))
    t.same(statuses(seconds), [200])
    t.equal(idp.introspectionRequests, before + 1, 'node B asked no one but Redis')
    t.same(new Set(seconds.map(upstreamBearer)), new Set([token]), 'node B forwarded the token')
    t.same(new Set(seconds.map((reply: Reply) => echoed(reply).headers['x-client'])), new Set([client.client_id]),
      'node B\'s grant reads the shared answer\'s claims')
  })

  await t.test('40 cold requests with one token over 2 nodes x 2 workers: one introspection', async (t) => {
    const token = await issue()
    const before = idp.introspectionRequests
    const replies = await spread(nodes, '/flight', `Bearer ${token}`, 40)
    t.same(statuses(replies), [200], 'all 200')
    t.equal(idp.introspectionRequests, before + 1, 'exactly one introspection reached the IdP')
    t.same(new Set(replies.map(upstreamBearer)), new Set([token]), 'every request carried the token')
  })

  await t.test('an inactive answer is shared: node B refuses without asking', async (t) => {
    const token = `garbage-${randomBytes(16).toString('base64url')}`
    issued.push(token)
    const before = idp.introspectionRequests
    assertKongUnauthorized(t, await send(`${a.proxyUrl}/inactive`, bearer(token)), 'node A: inactive')
    t.equal(idp.introspectionRequests, before + 1, 'node A introspected')
    await waitForKeys(reader, 'tollgate:oidc:v1:introspection:*', 3)
    for (let i = 0; i < 3; i++) assertKongUnauthorized(t, await send(`${b.proxyUrl}/inactive`, bearer(token)), `node B ${i}`)
    t.equal(idp.introspectionRequests, before + 1, 'node B took the inactive answer from Redis')
  })

  await t.test('cluster_cache_items ["tokens"]: node B introspects itself', async (t) => {
    const token = await issue()
    const keys = (await reader.keys('*')).length
    const before = idp.introspectionRequests
    t.equal((await send(`${a.proxyUrl}/tokens-only`, bearer(token))).status, 200)
    t.equal((await send(`${b.proxyUrl}/tokens-only`, bearer(token))).status, 200)
    t.equal(idp.introspectionRequests, before + 2, 'one introspection per node')
    t.equal((await reader.keys('*')).length, keys, 'nothing written to Redis')
  })

  await t.test('encrypted at rest: no token, claim or salt in any Redis key or value', async (t) => {
    const keys = await reader.keys('*')
    t.ok(keys.length >= 3, `the shared answers are there (${keys.length} keys)`)
    const secrets = [...issued, client.client_id, introspect.client_id, introspect.client_secret!, 'salt-shared', 'salt-flight', 'salt-inactive', '"active"']
    await assertSealedEntries(t, reader, keys, INTROSPECTION_KEY, secrets, 'answer')
  })

  await t.test('GET /metrics counts the introspection item apart', async (t) => {
    const introspection = await clusterCounters(nodes, 'introspection')
    t.ok(introspection.hits >= 2, `hits (${introspection.hits})`)
    t.ok(introspection.writes >= 3, `writes (${introspection.writes})`)
    t.ok(introspection.lock_waits >= 1, `lock waits (${introspection.lock_waits})`)
    t.equal(introspection.errors, 0, 'no Redis errors')
    const tokens = await clusterCounters(nodes, 'tokens')
    t.same(tokens, { hits: 0, misses: 0, writes: 0, errors: 0, lock_waits: 0 }, 'no client credentials tokens here')
  })
})
