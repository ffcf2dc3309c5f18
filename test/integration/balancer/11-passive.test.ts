// Passive health checks through the real gateway, after Kong's
// spec/02-integration/05-proxy/10-balancer/01-healthchecks_spec.lua ("perform passive health checks"):
// each failure kind counted per target from the proxied attempts (an HTTP status in
// unhealthy.http_statuses, a refused connection, a read timeout), the target out of rotation after its
// threshold and kept out (passive checks alone never bring it back) until PUT .../healthy, and Kong's 503
// when no target is left. One gateway with two workers and one upstream per case (routed by path): every
// threshold below holds across both workers, which share the health table.

import t from 'tap'
import { startGateway, send } from '../../helpers/gateway.ts'
import { healthOf, hit, startHealthTarget, tally, type HealthTarget } from '../../helpers/health-targets.ts'

const names = ['bad', 'good1', 'odd', 'good2', 'dead', 'good3', 'dead2', 'good4', 'slow', 'good5', 'only', 'bad6', 'good6']
const started = await Promise.all(names.map(async (name) => await startHealthTarget(name)))
const T: Record<string, HealthTarget> = Object.fromEntries(started.map((target) => [target.name, target]))
t.teardown(async () => { await Promise.all(started.map(async (target) => await target.close())) })

T.bad.status = 500
T.odd.status = 502
T.only.status = 500
T.bad6.status = 500
T.slow.hang = true
await T.dead.down()
await T.dead2.down()

interface Case { readonly unhealthy: Record<string, unknown>, readonly targets: readonly HealthTarget[], readonly service?: Record<string, unknown> }

const CASES: Record<string, Case> = {
  http: { unhealthy: { http_failures: 3 }, targets: [T.bad, T.good1], service: { retries: 0 } },
  status: { unhealthy: { http_failures: 1, http_statuses: [500] }, targets: [T.odd, T.good2], service: { retries: 0 } },
  tcp: { unhealthy: { tcp_failures: 2 }, targets: [T.dead, T.good3] },
  tcpbelow: { unhealthy: { tcp_failures: 100 }, targets: [T.dead2, T.good4] },
  timeout: { unhealthy: { timeouts: 1 }, targets: [T.slow, T.good5], service: { retries: 0, read_timeout: 200 } },
  only: { unhealthy: { http_failures: 1 }, targets: [T.only], service: { retries: 0 } },
  workers: { unhealthy: { http_failures: 4 }, targets: [T.bad6, T.good6], service: { retries: 0 } },
}

const config = {
  upstreams: Object.entries(CASES).map(([name, c]) => ({
    name,
    healthchecks: { passive: { unhealthy: c.unhealthy } },
    targets: c.targets.map((target) => ({ target: target.target }))
  })),
  services: Object.entries(CASES).map(([name, c]) => ({
    name, host: name, port: 80, protocol: 'http', ...c.service, routes: [{ name, paths: [`/${name}`] }]
  }))
}
const gw = await startGateway(config, { settings: { worker_processes: 2 } })
t.teardown(() => gw.stop())
const url = (name: string): string => `${gw.proxyUrl}/${name}`

t.test('http_failures: a target answering 500 is out after exactly that many, then stays out', async (t) => {
  const seen = await tally(url('http'), 20)
  t.equal(T.bad.hits, 3, 'the failing target got exactly http_failures requests')
  t.equal(seen.bad, 3, 'and its 500s reached the client (an HTTP status is not retried)')
  t.equal(seen.good1, 17)
  let health = await healthOf(gw.adminUrl, 'http')
  t.equal(health[T.bad.target].health, 'UNHEALTHY')
  t.equal(health[T.good1.target].health, 'HEALTHY')

  // it recovered, but nothing probes it: passive checks alone keep it out
  T.bad.status = 200
  await tally(url('http'), 10)
  t.equal(T.bad.hits, 3, 'no traffic while unhealthy')
  const put = await send(`${gw.adminUrl}/upstreams/http/targets/${T.bad.target}/healthy`, { method: 'PUT' })
  t.equal(put.status, 204)
  health = await healthOf(gw.adminUrl, 'http')
  t.equal(health[T.bad.target].health, 'HEALTHY')
  const after = await tally(url('http'), 10)
  t.ok((after.bad ?? 0) > 0, 'back in rotation after PUT healthy')
})

t.test('statuses not in unhealthy.http_statuses do not count', async (t) => {
  const seen = await tally(url('status'), 10)
  t.ok((seen.odd ?? 0) >= 3, '502 is not a failure here')
  t.equal((await healthOf(gw.adminUrl, 'status'))[T.odd.target].health, 'HEALTHY')
})

t.test('tcp_failures: a port that refuses is out after that many attempts; retries hide it from clients', async (t) => {
  const statuses = new Set<number>()
  for (let i = 0; i < 10; i++) statuses.add((await hit(url('tcp'))).status)
  t.strictSame([...statuses], [200], 'every request retried on the live target')
  const health = await healthOf(gw.adminUrl, 'tcp')
  t.equal(health[T.dead.target].health, 'UNHEALTHY')
  t.equal(health[T.good3.target].health, 'HEALTHY')
})

t.test('tcp_failures below the threshold leave the target in', async (t) => {
  await tally(url('tcpbelow'), 6)
  t.equal((await healthOf(gw.adminUrl, 'tcpbelow'))[T.dead2.target].health, 'HEALTHY')
})

t.test('timeouts: a target that hangs past read_timeout is out after one', async (t) => {
  // each worker's round-robin starts on its own: a few requests reach the hanging target at least once
  const statuses: number[] = []
  while (T.slow.hits === 0 && statuses.length < 8) statuses.push((await hit(url('timeout'))).status)
  t.equal(statuses.filter((status) => status === 504).length, 1, `one timed out (504): ${statuses.join(', ')}`)
  const seen = await tally(url('timeout'), 6)
  t.equal(seen.good5, 6, 'the hanging target gets nothing more')
  t.equal(T.slow.hits, 1)
  t.equal((await healthOf(gw.adminUrl, 'timeout'))[T.slow.target].health, 'UNHEALTHY')
})

t.test("every target unhealthy: Kong's 503", async (t) => {
  t.equal((await hit(url('only'))).status, 500)
  const reply = await send(url('only'))
  t.equal(reply.status, 503)
  t.match(reply.json(), { message: 'failure to get a peer from the ring-balancer' })
  t.equal(T.only.hits, 1)
})

t.test('two workers share the count: down after exactly http_failures in total', async (t) => {
  // one request at a time on fresh connections: the kernel spreads them over both workers' listeners, and
  // each worker's round-robin sends about half of its own to `bad6`; counted per worker, it would get up to 8
  await tally(url('workers'), 40)
  t.equal(T.bad6.hits, 4)
  t.equal(T.good6.hits, 36)
})
