// Kong's Redis record (OSS and Enterprise) → one normalised record (src/redis/record.ts) → ioredis options
// (src/redis/options.ts): which mode, the timeouts, credentials, TLS, and what keeps an outage from making
// a request wait (no offline queue, no retries per command, bounded command time, reconnect with backoff).

import t from 'tap'
import type { RedisOptions } from 'ioredis'
import { backoff, BACKOFF_MAX_MS, clientPlan as planOf } from '../../../src/redis/options.ts'
import { describeRecord, recordKey, redisRecord, type RedisRecord } from '../../../src/redis/record.ts'

/** A standalone or Sentinel plan's options (the Cluster case is checked on its own). */
function clientPlan (record: RedisRecord): { mode: string, options: RedisOptions } {
  const plan = planOf(record)
  return plan.mode === 'cluster' ? { mode: plan.mode, options: {} } : plan
}

t.test('the OSS record: one host, its timeout for all three', async (t) => {
  const record = redisRecord({ host: 'redis.internal', port: 6380, timeout: 1500, database: 3, password: 'pw', username: null, ssl: false, ssl_verify: false, server_name: null })
  t.equal(record.connect_timeout, 1500)
  t.equal(record.read_timeout, 1500)
  t.equal(record.send_timeout, 1500)
  const plan = clientPlan(record)
  t.equal(plan.mode, 'standalone')
  t.match(plan.options, { host: 'redis.internal', port: 6380, db: 3, password: 'pw', connectTimeout: 1500, commandTimeout: 1500, enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false })
  t.notOk('username' in plan.options, 'no username: AUTH with the password only')
  t.notOk('tls' in plan.options)
})

t.test('the Enterprise timeouts win over timeout; an empty password sends no AUTH (Kong is_present)', async (t) => {
  const record = redisRecord({ host: 'h', timeout: 2000, connect_timeout: 100, read_timeout: 300, send_timeout: 200, password: '' })
  t.match(clientPlan(record).options, { connectTimeout: 100, commandTimeout: 300 })
  t.notOk('password' in clientPlan(record).options)
})

t.test('ssl, ssl_verify and server_name become the TLS options', async (t) => {
  const plan = clientPlan(redisRecord({ host: 'h', ssl: true, ssl_verify: true, server_name: 'redis.example' }))
  t.strictSame(plan.options.tls, { rejectUnauthorized: true, servername: 'redis.example' })
  t.strictSame(clientPlan(redisRecord({ host: 'h', ssl: true })).options.tls, { rejectUnauthorized: false }, "ssl_verify false: Kong's OSS default")
})

t.test('Sentinel: master name, role, nodes and the Sentinel credentials', async (t) => {
  const base = { sentinel_master: 'mymaster', sentinel_nodes: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }], sentinel_username: 'su', sentinel_password: 'sp', password: 'p' }
  const plan = clientPlan(redisRecord({ ...base, sentinel_role: 'master' }))
  t.equal(plan.mode, 'sentinel')
  t.match(plan.options, { name: 'mymaster', role: 'master', sentinelUsername: 'su', sentinelPassword: 'sp', password: 'p', enableOfflineQueue: false })
  t.strictSame(plan.options.sentinels, [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }])
  t.notOk('host' in plan.options, 'the Sentinels name the master')
  t.equal(clientPlan(redisRecord({ ...base, sentinel_role: 'slave' })).options.role, 'slave')
  t.equal(clientPlan(redisRecord({ ...base, sentinel_role: 'any' })).options.role, 'master', "'any': the master serves")
})

t.test('Cluster: nodes from {ip, port}, max redirections; connection_is_proxied talks to host:port instead', async (t) => {
  const cluster = { cluster_nodes: [{ ip: '10.0.0.1', port: 7000 }, { ip: '10.0.0.2', port: 7001 }], cluster_max_redirections: 7, password: 'p', read_timeout: 250 }
  const plan = planOf(redisRecord(cluster))
  if (plan.mode !== 'cluster') throw new Error('expected cluster')
  t.strictSame(plan.nodes, [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }])
  t.match(plan.options, { maxRedirections: 7, enableOfflineQueue: false, redisOptions: { password: 'p', commandTimeout: 250, maxRetriesPerRequest: 0 } })
  const proxied = clientPlan(redisRecord({ ...cluster, host: 'envoy', port: 6000, connection_is_proxied: true }))
  t.equal(proxied.mode, 'standalone')
  t.match(proxied.options, { host: 'envoy', port: 6000 })
})

t.test('backoff: exponential from 50 ms, capped at 1 s', async (t) => {
  t.strictSame([1, 2, 3, 4, 5, 6, 7, 50].map(backoff), [50, 100, 200, 400, 800, 1000, 1000, BACKOFF_MAX_MS])
})

t.test('recordKey: same record same key, any change another; it and describeRecord hold no secret', async (t) => {
  const a = redisRecord({ host: 'h', port: 6379, password: 'top-secret' })
  t.equal(recordKey(a), recordKey(redisRecord({ host: 'h', port: 6379, password: 'top-secret' })))
  t.not(recordKey(a), recordKey(redisRecord({ host: 'h', port: 6379, password: 'other' })), 'a new password: a new connection')
  t.not(recordKey(a), recordKey(redisRecord({ host: 'h', port: 6379, password: 'top-secret', database: 1 })))
  t.notMatch(recordKey(a), /top-secret/)
  t.equal(describeRecord(a), 'h:6379/0')
  t.equal(describeRecord(redisRecord({ sentinel_master: 'm', sentinel_nodes: [{ host: 's', port: 1 }], sentinel_password: 'x' })), 'sentinel m@s:1')
  t.equal(describeRecord(redisRecord({ cluster_nodes: [{ ip: 'c', port: 2 }] })), 'cluster c:2')
})
