// The worker's Redis clients (src/redis/clients.ts) against a real redis-server: one client per distinct
// record, shared and refcounted (a reload that keeps the record keeps the connection; the last release
// closes it), state changes logged once and counted in the shared stats, commands failing at once while
// the server is down (no offline queue), and reconnecting with backoff when it is back.

import t from 'tap'
import { RedisClients } from '../../../src/redis/clients.ts'
import { redisRecord } from '../../../src/redis/record.ts'
import { CLIENTS_OPEN, CLIENTS_READY, CONNECTIONS_LOST, CONNECTIONS_RESTORED, RedisStats } from '../../../src/redis/stats.ts'
import { createLogger } from '../../../src/core/log.ts'
import { redisOrSkip, startRedis } from '../../helpers/redis-server.ts'

function capture (): { logger: ReturnType<typeof createLogger>, events: () => string[] } {
  const lines: string[] = []
  const sink = { write: (line: string) => lines.push(line) }
  return { logger: createLogger('notice', sink, sink), events: () => lines.map((line) => JSON.parse(line).event as string) }
}

async function until (check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('shared per record, refcounted, logged once per state change', async (t) => {
  if (!redisOrSkip(t)) return
  const redis = await startRedis(t)
  const stats = new RedisStats()
  const { logger, events } = capture()
  const clients = new RedisClients(stats, logger)
  t.teardown(async () => await clients.close())
  const record = redisRecord({ host: '127.0.0.1', port: redis.port, timeout: 500 })

  const a = clients.acquire(record)
  const b = clients.acquire(redisRecord({ host: '127.0.0.1', port: redis.port, timeout: 500 }))
  t.equal(a, b, 'the same record (built twice, as a reload does): the same client')
  t.equal(clients.size, 1)
  const other = clients.acquire(redisRecord({ host: '127.0.0.1', port: redis.port, timeout: 500, database: 1 }))
  t.not(other, a, 'another database: another client')
  await until(() => a.ready && other.ready, 'ready')
  t.equal(stats.read(CLIENTS_OPEN), 2)
  t.equal(stats.read(CLIENTS_READY), 2)
  t.equal(await a.client.ping(), 'PONG')
  clients.release(other)
  t.equal(clients.size, 1, 'the last release closes it')
  t.equal(stats.read(CLIENTS_OPEN), 1)

  await redis.kill()
  await until(() => !a.ready, 'lost')
  const started = Date.now()
  await t.rejects(a.client.get('x'), 'a command while down fails')
  t.ok(Date.now() - started < 100, 'at once, not after a timeout or a queue')
  t.equal(stats.read(CONNECTIONS_LOST), 1)
  await redis.restart()
  await until(() => a.ready, 'reconnected')
  t.equal(stats.read(CONNECTIONS_RESTORED), 1)
  const seen = events().filter((event) => event.startsWith('redis_'))
  t.equal(seen.filter((event) => event === 'redis_connected').length, 2, 'connected: once per client')
  t.equal(seen.filter((event) => event === 'redis_connection_lost').length, 1, 'lost: once')
  t.equal(seen.filter((event) => event === 'redis_reconnected').length, 1, 'back: once')
  t.ok(seen.filter((event) => event === 'redis_error').length <= 1, 'the refused reconnects: one line at most')

  clients.release(a)
  t.equal(clients.size, 1, 'b still holds it')
  clients.release(b)
  t.equal(clients.size, 0)
  t.equal(stats.read(CLIENTS_OPEN), 0)
  t.equal(stats.read(CLIENTS_READY), 0)
})
