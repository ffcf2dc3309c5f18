// Active health checks against real servers on port 0 (lua-resty-healthcheck run_single_check semantics,
// checker_callback rounds): http probes with path, Host and headers, a server that fails and recovers, one
// that goes down and comes back on its port (timers at 0.1 s), timeouts, tcp probes, https with a
// self-signed certificate made here (verification on and off, SNI), the concurrency limit, and update/close.

import t from 'tap'
import { once } from 'node:events'
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import { ActiveChecker, type ActiveUpstream } from '../../../src/balancer/active-checker.ts'
import { HealthTable } from '../../../src/balancer/health-table.ts'
import { compileHealthRules, type HealthchecksRecord } from '../../../src/balancer/health-rules.ts'
import { DEFAULT_HEALTHCHECKS } from '../../helpers/healthchecks.ts'
import type { Peer } from '../../../src/balancer/types.ts'
import { makeLeaf, startTlsUpstream } from '../../helpers/tls-certs.ts'

type Active = HealthchecksRecord['active']

function rules (active: Partial<Omit<Active, 'healthy' | 'unhealthy'>> & { healthy?: Partial<Active['healthy']>, unhealthy?: Partial<Active['unhealthy']> }): ActiveUpstream['rules'] {
  const d = DEFAULT_HEALTHCHECKS.active
  return compileHealthRules({
    ...DEFAULT_HEALTHCHECKS,
    active: { ...d, ...active, healthy: { ...d.healthy, ...active.healthy }, unhealthy: { ...d.unhealthy, ...active.unhealthy } },
  })
}

function peer (slot: number, port: number, weight = 100): Peer {
  return { slot, address: '127.0.0.1', port, hostname: 'api.test', weight, targetId: `t${slot}` }
}

interface Probed { readonly url: string, readonly headers: IncomingHttpHeaders }

async function listen (server: Server | TcpServer, port = 0): Promise<number> {
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as { port: number }).port
}

async function closeServer (server: Server | TcpServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}

/** An http server answering `status.value`; records what probes sent. */
function statusServer (status: { value: number }, seen: Probed[]): Server {
  return createHttpServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    res.writeHead(status.value).end()
  })
}

/** Resolves once `check` holds, polling the shared table (timers drive the probes), or fails after `ms`. */
async function until (check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

t.test('http probes: path, Host, headers; a failing then recovering server (timers at 0.1 s)', async (t) => {
  const status = { value: 200 }
  const seen: Probed[] = []
  const server = statusServer(status, seen)
  const port = await listen(server)
  t.teardown(() => closeServer(server))
  const table = HealthTable.create(4)
  const checker = new ActiveChecker(table)
  t.teardown(() => checker.close())
  const upstreamRules = rules({
    http_path: '/status',
    headers: { 'x-probe': ['yes'] },
    healthy: { interval: 0.1, successes: 2 },
    unhealthy: { interval: 0.1, http_failures: 2, tcp_failures: 1 },
  })
  checker.update([{ id: 'u1', rules: upstreamRules, hostHeader: null, clientCertificate: null, peers: [peer(0, port)] }])
  t.ok(await until(() => seen.length > 0), 'probed by the timer')
  t.match(seen[0], { url: '/status', headers: { host: 'api.test', connection: 'close', 'x-probe': 'yes' } })
  t.ok(table.isHealthy(0))

  status.value = 500
  t.ok(await until(() => !table.isHealthy(0)), '2 x 500 -> unhealthy')
  status.value = 200
  t.ok(await until(() => table.state(0) === 'healthy'), '2 x 200 -> healthy again')

  await closeServer(server)
  t.ok(await until(() => !table.isHealthy(0)), 'server down: a tcp failure -> unhealthy')
  const revived = statusServer(status, seen)
  await listen(revived, port)
  t.teardown(() => closeServer(revived))
  t.ok(await until(() => table.state(0) === 'healthy'), 'server back: healthy')
})

t.test('host_header is the probes\' Host; checkNow runs a round; unlisted statuses are ignored', async (t) => {
  const status = { value: 418 }
  const seen: Probed[] = []
  const server = statusServer(status, seen)
  const port = await listen(server)
  t.teardown(() => closeServer(server))
  const table = HealthTable.create(2)
  const checker = new ActiveChecker(table)
  t.teardown(() => checker.close())
  checker.update([{ id: 'u1', rules: rules({ healthy: { interval: 60 }, unhealthy: { http_failures: 1 } }), hostHeader: 'virtual.test', clientCertificate: null, peers: [peer(0, port)] }])
  await checker.checkNow('u1', 'healthy')
  t.equal(seen.length, 1)
  t.equal(seen[0].headers.host, 'virtual.test')
  t.equal(table.state(0), 'healthy', '418 is in neither list')
  status.value = 404
  await checker.checkNow('u1', 'healthy')
  t.equal(table.state(0), 'unhealthy', '404 is in the default active unhealthy list')
  await checker.checkNow('u1', 'healthy')
  t.equal(seen.length, 2, 'the healthy round skips unhealthy peers')
})

t.test('a server that never answers is a timeout', async (t) => {
  const sockets = new Set<Socket>()
  const server = createTcpServer((socket) => { sockets.add(socket) })
  const port = await listen(server)
  t.teardown(async () => { for (const s of sockets) s.destroy(); await closeServer(server) })
  const table = HealthTable.create(1)
  const checker = new ActiveChecker(table)
  t.teardown(() => checker.close())
  checker.update([{ id: 'u1', rules: rules({ timeout: 0.2, healthy: { interval: 60 }, unhealthy: { timeouts: 1, tcp_failures: 5 } }), hostHeader: null, clientCertificate: null, peers: [peer(0, port)] }])
  const started = Date.now()
  await checker.checkNow('u1', 'healthy')
  t.equal(table.counters(0).timeouts, 1, 'one timeout counted')
  t.equal(table.state(0), 'unhealthy')
  t.ok(Date.now() - started >= 150, 'after the timeout')
})

t.test('tcp probes: connect is a success, refused is a tcp failure', async (t) => {
  const server = createTcpServer((socket) => socket.destroy())
  const port = await listen(server)
  const table = HealthTable.create(1)
  const checker = new ActiveChecker(table)
  t.teardown(() => checker.close())
  checker.update([{ id: 'u1', rules: rules({ type: 'tcp', healthy: { interval: 60, successes: 1 }, unhealthy: { interval: 60, tcp_failures: 1 } }), hostHeader: null, clientCertificate: null, peers: [peer(0, port)] }])
  await checker.checkNow('u1', 'healthy')
  t.equal(table.state(0), 'healthy')
  await closeServer(server)
  await checker.checkNow('u1', 'healthy')
  t.equal(table.state(0), 'unhealthy', 'refused')
  await checker.checkNow('u1', 'healthy')
  t.same(table.counters(0).tcpFailures, 1, 'not probed by the healthy round while unhealthy')
  const revived = createTcpServer((socket) => socket.destroy())
  await listen(revived, port)
  t.teardown(() => closeServer(revived))
  await checker.checkNow('u1', 'unhealthy')
  t.equal(table.state(0), 'healthy', 'the unhealthy round brings it back')
})

t.test('https probes with a self-signed certificate: verification on fails, off succeeds; SNI', async (t) => {
  const upstream = await startTlsUpstream(await makeLeaf(null, ['localhost']))
  t.teardown(() => upstream.close())
  const table = HealthTable.create(2)
  const checker = new ActiveChecker(table)
  t.teardown(() => checker.close())
  const base = { type: 'https' as const, https_sni: 'probe.test', healthy: { interval: 60, successes: 1 }, unhealthy: { interval: 60, tcp_failures: 1 } }
  checker.update([
    { id: 'verify', rules: rules({ ...base, https_verify_certificate: true }), hostHeader: null, clientCertificate: null, peers: [peer(0, upstream.port)] },
    { id: 'noverify', rules: rules({ ...base, https_verify_certificate: false }), hostHeader: null, clientCertificate: null, peers: [peer(1, upstream.port)] },
  ])
  await checker.checkNow('verify', 'healthy')
  t.equal(table.state(0), 'unhealthy', 'a failed verification is a tcp failure')
  t.equal(upstream.requests.length, 0)
  await checker.checkNow('noverify', 'healthy')
  table.setHealthy(1, false)
  await checker.checkNow('noverify', 'unhealthy')
  t.equal(table.state(1), 'healthy')
  t.match(upstream.requests[0], { url: '/', host: 'api.test', servername: 'probe.test' })
})

t.test('at most `concurrency` probes at once; weight-0 peers are not probed', async (t) => {
  let inFlight = 0
  let most = 0
  let probed = 0
  const server = createHttpServer((_req, res) => {
    probed++
    most = Math.max(most, ++inFlight)
    setTimeout(() => { inFlight--; res.writeHead(200).end() }, 30)
  })
  const port = await listen(server)
  t.teardown(() => closeServer(server))
  const table = HealthTable.create(8)
  const checker = new ActiveChecker(table)
  t.teardown(() => checker.close())
  const peers = [0, 1, 2, 3, 4, 5].map((slot) => peer(slot, port))
  checker.update([{ id: 'u1', rules: rules({ concurrency: 2, healthy: { interval: 60 } }), hostHeader: null, clientCertificate: null, peers: [...peers, peer(6, port, 0)] }])
  await checker.checkNow('u1', 'healthy')
  t.equal(probed, 6)
  t.equal(most, 2)
})

t.test('update keeps an upstream whose timing is unchanged, drops one without active checks; close ends probes', async (t) => {
  const sockets = new Set<Socket>()
  const server = createTcpServer((socket) => { sockets.add(socket) })
  const port = await listen(server)
  t.teardown(async () => { for (const s of sockets) s.destroy(); await closeServer(server) })
  const table = HealthTable.create(2)
  const checker = new ActiveChecker(table)
  const active = rules({ timeout: 30, healthy: { interval: 60 }, unhealthy: { timeouts: 1 } })
  checker.update([{ id: 'u1', rules: active, hostHeader: null, clientCertificate: null, peers: [peer(0, port)] }])
  checker.update([{ id: 'u1', rules: active, hostHeader: null, clientCertificate: null, peers: [peer(1, port)] }])
  const round = checker.checkNow('u1', 'healthy')
  t.ok(await until(() => sockets.size === 1), 'the new peer list is probed')
  t.equal(checker.checkNow('u1', 'healthy'), round, 'a running round is not started twice')
  const started = Date.now()
  await checker.close()
  await round
  t.ok(Date.now() - started < 5000, 'close does not wait for the 30 s timeout')
  t.equal(table.state(1), 'healthy', 'a cancelled probe reports nothing')
  t.throws(() => checker.update([]))
  const other = new ActiveChecker(table)
  other.update([{ id: 'u1', rules: active, hostHeader: null, clientCertificate: null, peers: [peer(0, port)] }])
  other.update([{ id: 'u1', rules: rules({}), hostHeader: null, clientCertificate: null, peers: [peer(0, port)] }])
  await other.checkNow('u1', 'healthy')
  t.equal(sockets.size, 1, 'no active checks any more: nothing probed')
  await other.close()
})
