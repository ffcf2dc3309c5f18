// The Admin listener's GET / and GET /status in Kong's shapes, with counters summed over both workers
// that add up after known traffic.

import t from 'tap'
import { Agent } from 'node:http'
import { echoConfig, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { VERSION } from '../../src/core/version.ts'

interface StatusBody {
  server: Record<string, number>
  memory: Record<string, unknown>
  configuration_hash: string
}

t.test('Admin / and /status', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const entities = {
    ...echoConfig(upstream.url),
    plugins: [{ name: 'request-termination', route: 'all', enabled: false, config: { status_code: 503 } }]
  }
  const gateway = await startGateway(entities, { settings: { worker_processes: 2 } })
  t.teardown(() => gateway.stop())
  const status = async (): Promise<StatusBody> => {
    const reply = await send(`${gateway.adminUrl}/status`)
    t.equal(reply.status, 200)
    return reply.json<StatusBody>()
  }

  t.test('GET / has Kong\'s keys', async (t) => {
    const reply = await send(`${gateway.adminUrl}/`)
    t.equal(reply.status, 200)
    t.equal(reply.headers['content-type'], 'application/json; charset=utf-8')
    const body = reply.json<Record<string, any>>()
    for (const key of ['tagline', 'version', 'edition', 'hostname', 'node_id', 'timers', 'plugins', 'configuration', 'pids']) {
      t.ok(key in body, `has ${key}`)
    }
    t.equal(body.version, VERSION)
    t.match(body.node_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    t.same(Object.keys(body.timers).sort(), ['pending', 'running'])
    t.same(body.plugins.available_on_server['request-termination'], { version: body.plugins.available_on_server['request-termination'].version, priority: 2 })
    t.same(body.plugins.enabled_in_cluster, [], 'a disabled plugin is not enabled in the cluster')
    t.equal(body.configuration.database, 'off')
    t.equal(body.configuration.worker_processes, 2)
    t.same(body.configuration.proxy_listen, ['127.0.0.1:0'], 'as configured')
    t.equal(body.pids.master, gateway.pid)
    t.equal(body.pids.workers.length, 2)
  })

  t.test('GET /status has Kong\'s keys', async (t) => {
    const body = await status()
    t.same(Object.keys(body.server).sort(), [
      'connections_accepted', 'connections_active', 'connections_handled', 'connections_reading',
      'connections_waiting', 'connections_writing', 'total_requests'
    ])
    for (const [key, value] of Object.entries(body.server)) t.ok(Number.isInteger(value) && value >= 0, `${key} is a count`)
    t.ok(Array.isArray(body.memory.workers_lua_vms), 'memory.workers_lua_vms')
    t.match(body.configuration_hash, /^[0-9a-f]{32}$/)
  })

  t.test('counters add up after known traffic on both workers', async (t) => {
    const before = await status()
    const fresh = 30
    for (let i = 0; i < fresh; i++) await send(`${gateway.proxyUrl}/${i % 3 === 0 ? 'missing' : 'ok'}/${i}`)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    t.teardown(() => agent.destroy())
    for (let i = 0; i < 10; i++) await send(`${gateway.proxyUrl}/kept/${i}`, { agent })
    const after = await status()
    t.equal(after.server.total_requests - before.server.total_requests, fresh + 10, 'every request counted once, 404s too')
    t.equal(after.server.connections_accepted - before.server.connections_accepted, fresh + 1, 'every connection counted once')
    t.equal(after.server.connections_handled, after.server.connections_accepted)
    t.ok(after.server.connections_active >= 1, 'the kept-alive connection is active')
    t.equal(after.server.connections_reading + after.server.connections_writing + after.server.connections_waiting,
      after.server.connections_active, 'active = reading + writing + waiting')
  })

  t.test('configuration_hash follows the config', async (t) => {
    const before = (await status()).configuration_hash
    await gateway.writeConfig({ ...entities, services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'all', paths: ['/v2'] }] }] })
    const reloaded = await gateway.reload()
    t.equal(reloaded.event, 'reloaded')
    const after = (await status()).configuration_hash
    t.not(after, before)
    t.equal(after, reloaded.configuration_hash, 'the hash the reload logged')
  })
})
