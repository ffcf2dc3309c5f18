// Regression: upstream_keepalive_pool_size 0 still reused connections, and upstream_keepalive_max_requests
// N allowed N + 1 requests per connection: undici's maxRequestsPerClient counts from 0 (client-h1.js), and
// only pipelining 0 makes it close every connection after its response.

import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { Socket } from 'node:net'
import { UpstreamPools } from '../../src/proxy/upstream-pools.ts'
import { loadConfigObject } from '../../src/config/load.ts'

/** Sends `requests` sequential requests through a pool built from `settings`; the requests each upstream connection carried. */
async function requestsPerConnection (t: Test, settings: Record<string, unknown>, requests: number): Promise<number[]> {
  const perSocket = new Map<Socket, number>()
  const server = createServer((req, res) => {
    perSocket.set(req.socket, (perSocket.get(req.socket) ?? 0) + 1)
    res.end('ok')
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); return new Promise((resolve) => server.close(resolve)) })
  const config = loadConfigObject({ _format_version: '3.0', ...settings }, '<test>')
  const pools = new UpstreamPools(config.settings)
  t.teardown(() => pools.closeAll())
  const pool = pools.get({ origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, connectTimeout: 1000, tls: null })
  for (let i = 0; i < requests; i++) {
    const { body } = await pool.request({ path: '/', method: 'GET' })
    await body.text()
  }
  return [...perSocket.values()]
}

t.test('upstream_keepalive_pool_size 0: a connection per request', async (t) => {
  t.same(await requestsPerConnection(t, { upstream_keepalive_pool_size: 0 }, 6), [1, 1, 1, 1, 1, 1])
})

t.test('upstream_keepalive_max_requests 1: a connection per request', async (t) => {
  t.same(await requestsPerConnection(t, { upstream_keepalive_max_requests: 1 }, 6), [1, 1, 1, 1, 1, 1])
})

t.test('upstream_keepalive_max_requests 3: at most three requests per connection', async (t) => {
  // how undici's Pool spreads requests over its connections while one closes varies; the cap does not
  const counts = await requestsPerConnection(t, { upstream_keepalive_max_requests: 3 }, 9)
  t.ok(Math.max(...counts) === 3, `requests per connection: ${counts.join(', ')}`)
})
