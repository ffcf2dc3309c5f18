// Keep-alive: upstream connections are pooled per worker and reused, so many requests need few upstream
// sockets; a downstream keep-alive connection serves many requests; upstream_keepalive_pool_size 0 opts out.

import t from 'tap'
import { Agent } from 'node:http'
import { echoConfig, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

const REQUESTS = 40

t.test('sequential requests reuse pooled upstream connections', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { worker_processes: 2 } })
  t.teardown(() => gateway.stop())

  const ports = new Set<number>()
  for (let i = 0; i < REQUESTS; i++) {
    // a fresh downstream connection each time, so both workers take part
    const reply = await send(`${gateway.proxyUrl}/fresh/${i}`)
    t.equal(reply.status, 200)
  }
  for (const r of upstream.requests) ports.add(r.remotePort)
  t.equal(upstream.requests.length, REQUESTS)
  t.ok(upstream.sockets.size <= 2, `${REQUESTS} requests over ${upstream.sockets.size} upstream connection(s): at most one per worker`)
  t.equal(ports.size, upstream.sockets.size)

  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const downstream = new Set<string>()
  for (let i = 0; i < REQUESTS; i++) {
    const reply = await send(`${gateway.proxyUrl}/kept/${i}`, { agent })
    t.equal(reply.status, 200)
    t.not(reply.headers.connection, 'close')
    downstream.add(reply.headers['x-kong-request-id'] as string)
  }
  t.equal(downstream.size, REQUESTS)
  t.ok(upstream.sockets.size <= 2, 'still no new upstream connections')
})

t.test('upstream_keepalive_pool_size 0 opens a connection per request', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { upstream_keepalive_pool_size: 0 } })
  t.teardown(() => gateway.stop())
  for (let i = 0; i < 10; i++) t.equal((await send(`${gateway.proxyUrl}/${i}`)).status, 200)
  t.equal(upstream.sockets.size, 10)
})

t.test('upstream_keepalive_max_requests bounds the requests per upstream connection', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { upstream_keepalive_max_requests: 3 } })
  t.teardown(() => gateway.stop())
  for (let i = 0; i < 9; i++) t.equal((await send(`${gateway.proxyUrl}/${i}`)).status, 200)
  const perConnection = new Map<number, number>()
  for (const r of upstream.requests) perConnection.set(r.remotePort, (perConnection.get(r.remotePort) ?? 0) + 1)
  // how undici's Pool spreads requests while a connection closes varies; the cap does not
  t.equal(Math.max(...perConnection.values()), 3, `requests per connection: ${[...perConnection.values()].join(', ')}`)
})
