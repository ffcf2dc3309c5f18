// The cluster cache's Redis protocol (worker/cluster-cache.ts) against a real redis-server: the lock and
// its fencing token (only the owner releases it), a loser waiting for the winner's value or falling back
// when the lock goes without one, values that expire with their tokens, and Redis down or slow costing a
// fill no more than the record's timeouts.

import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { createHash } from 'node:crypto'
import { RedisClients } from '../../../src/redis/clients.ts'
import { redisRecord } from '../../../src/redis/record.ts'
import { RedisStats } from '../../../src/redis/stats.ts'
import type { Logger } from '../../../src/core/log.ts'
import { BUSY, ClusterCache, UNAVAILABLE } from '../../../src/plugins/openid-connect/worker/cluster-cache.ts'
import { CLUSTER_ERRORS, CLUSTER_HITS, CLUSTER_LOCK_WAITS, CLUSTER_MISSES, CLUSTER_WRITES, ClusterCacheStats } from '../../../src/plugins/openid-connect/shared/cluster-cache-stats.ts'
import { encodeTokenValue } from '../../../src/plugins/openid-connect/worker/token-value.ts'
import { TOKENS_ITEM } from '../../../src/plugins/openid-connect/worker/cluster-cache-items.ts'
import { freePort, redisOrSkip, startRedis } from '../../helpers/redis-server.ts'

const silent: Logger = { level: 'error', enabled: () => false, log () {}, child () { return silent } }
const digest = (name: string): Buffer => createHash('sha256').update(name).digest()

function token (expiresAt: number): Uint8Array {
  return encodeTokenValue({ accessToken: `token-${expiresAt}`, tokenType: 'Bearer', expiresAt })
}

async function until (check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

function cacheOn (t: Test, port: number, readTimeout = 2000): { cache: ClusterCache, stats: ClusterCacheStats } {
  const clients = new RedisClients(new RedisStats(), silent)
  t.teardown(async () => { await clients.close() })
  const shared = clients.acquire(redisRecord({ host: '127.0.0.1', port, read_timeout: readTimeout, connect_timeout: 500 }))
  const stats = new ClusterCacheStats()
  return { cache: new ClusterCache(shared, stats, { item: TOKENS_ITEM, salt: 'salt', timeoutMs: 1000 }), stats }
}

t.test('against a real Redis', async (t) => {
  if (!redisOrSkip(t)) return
  const redis = await startRedis(t)
  const admin = new Redis({ port: redis.port })
  t.teardown(() => admin.disconnect())
  const node1 = cacheOn(t, redis.port)
  const node2 = cacheOn(t, redis.port)
  await until(() => node1.cache.redis.ready && node2.cache.redis.ready)

  await t.test('the lock: one winner with a fencing token; only the owner releases it', async (t) => {
    const keys = node1.cache.keysFor(digest('lock'))
    const fencing = await node1.cache.lock(keys)
    t.match(fencing, /^[A-Za-z0-9_-]{22}$/)
    t.equal(await node2.cache.lock(keys), BUSY)
    const pttl = await admin.pttl(keys.lockKey)
    t.ok(pttl > 0 && pttl <= 1000, `it lapses after the plugin timeout (${pttl} ms)`)
    node2.cache.unlock(keys, 'someone-elses-token')
    await new Promise((resolve) => setTimeout(resolve, 50))
    t.equal(await admin.get(keys.lockKey), fencing, 'another fencing token does not release it')
    node1.cache.unlock(keys, fencing)
    for (let i = 0; i < 50 && await admin.exists(keys.lockKey) === 1; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    t.equal(await admin.exists(keys.lockKey), 0, 'the owner released it')
  })

  await t.test('write, then read on another node; expiry and freshness', async (t) => {
    const keys = node1.cache.keysFor(digest('value'))
    const expiresAt = Date.now() + 60_000
    const fencing = await node1.cache.lock(keys)
    node1.cache.write(keys, token(expiresAt), expiresAt, fencing)
    await until(() => node1.stats.read(CLUSTER_WRITES) === 1)
    t.equal(node1.stats.read(CLUSTER_WRITES), 1)
    for (let i = 0; i < 50 && await admin.exists(keys.lockKey) === 1; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    t.equal(await admin.exists(keys.lockKey), 0, 'the lock released after the write')
    const pttl = await admin.pttl(keys.valueKey)
    t.ok(pttl > 59_000 && pttl <= 60_000, `the value expires with the token (${pttl} ms)`)
    const read = await node2.cache.read(node2.cache.keysFor(digest('value')), 0)
    t.same(read, Buffer.from(token(expiresAt)), 'node 2 reads node 1\'s token')
    t.equal(node2.stats.read(CLUSTER_HITS), 1)
    t.equal(await node2.cache.read(keys, expiresAt), null, 'not newer than the one being renewed: a miss')
    t.equal(await node2.cache.read(node2.cache.keysFor(digest('absent')), 0), null)
    t.equal(node2.stats.read(CLUSTER_MISSES), 2)
    await admin.set(keys.valueKey, 'garbage written by someone else')
    t.equal(await node2.cache.read(keys, 0), null, 'a value this key did not seal is a miss')
  })

  await t.test('a loser waits for the winner\'s value; falls back when the lock goes without one', async (t) => {
    const keys = node1.cache.keysFor(digest('wait'))
    const fencing = await node1.cache.lock(keys)
    const expiresAt = Date.now() + 60_000
    setTimeout(() => node1.cache.write(keys, token(expiresAt), expiresAt, fencing), 150)
    const waited = await node2.cache.waitFor(keys, 0, Date.now() + 2000)
    t.same(waited, Buffer.from(token(expiresAt)), 'the winner\'s token')
    t.equal(node2.stats.read(CLUSTER_LOCK_WAITS), 1)

    const failing = node1.cache.keysFor(digest('winner fails'))
    const lost = await node1.cache.lock(failing)
    setTimeout(() => node1.cache.unlock(failing, lost), 100)
    let started = Date.now()
    t.equal(await node2.cache.waitFor(failing, 0, Date.now() + 5000), null, 'no value, no lock: ask the IdP')
    t.ok(Date.now() - started < 1000, `at once, not at the deadline (${Date.now() - started} ms)`)

    const held = node1.cache.keysFor(digest('winner hangs'))
    t.type(await node1.cache.lock(held), 'string')
    started = Date.now()
    t.equal(await node2.cache.waitFor(held, 0, Date.now() + 300), null, 'the deadline: ask the IdP')
    t.ok(Date.now() - started < 600, `bounded by the deadline (${Date.now() - started} ms)`)
  })

  await t.test('Redis slow: a command costs at most read_timeout', async (t) => {
    const slow = cacheOn(t, redis.port, 150)
    await until(() => slow.cache.redis.ready)
    await admin.call('CLIENT', 'PAUSE', '700', 'ALL')
    const started = Date.now()
    t.equal(await slow.cache.read(slow.cache.keysFor(digest('value')), 0), null)
    const took = Date.now() - started
    t.ok(took < 600, `the read gave up after read_timeout (${took} ms)`)
    t.equal(slow.stats.read(CLUSTER_ERRORS), 1, 'counted')
    await new Promise((resolve) => setTimeout(resolve, 700))
  })
})

t.test('Redis down: no wait at all', async (t) => {
  const port = await freePort()
  const { cache, stats } = cacheOn(t, port)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const keys = cache.keysFor(digest('down'))
  const started = Date.now()
  t.equal(await cache.read(keys, 0), null)
  t.equal(await cache.lock(keys), UNAVAILABLE)
  cache.write(keys, token(Date.now() + 1000), Date.now() + 1000, null)
  t.ok(Date.now() - started < 50, `skipped at once (${Date.now() - started} ms)`)
  t.equal(stats.read(CLUSTER_ERRORS), 2)
})
