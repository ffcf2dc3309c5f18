// Targets and service hosts that are DNS names, resolved through dns_resolver pointed at a stub server
// (test/helpers/dns-stub.ts) that alone knows these names, on a real gateway with two workers:
// - an A answer with two addresses: a peer each, both served, one address set unhealthy on its own;
// - an SRV answer: its ports and weights (kong/runloop/balancer/targets.lua update_dns_result);
// - a name that does not resolve: the target is DNS_ERROR in /health and an upstream with only that target
//   answers Kong's 503 "failure to get a peer from the ring-balancer" (kong/runloop/balancer/init.lua
//   execute: the balancer has no peers);
// - an A answer that changes when its TTL runs out: traffic moves to the new address without a reload;
// - a refresh that fails (SERVFAIL) keeps the last answer (served stale, dns_stale_ttl);
// - a plain service (no upstream) whose host only the stub knows is proxied, and one whose host does not
//   resolve is Kong's 503 "name resolution failed" (init.lua execute, toip).

import t from 'tap'
import { startGateway, send } from '../../helpers/gateway.ts'
import { a, srv, startDnsStub } from '../../helpers/dns-stub.ts'
import { healthOf, startHealthTarget, tally, until, type HealthTarget } from '../../helpers/health-targets.ts'

const stub = await startDnsStub()
t.teardown(() => stub.close())

const targets: HealthTarget[] = []
async function target (name: string, host = '127.0.0.1', port = 0): Promise<HealthTarget> {
  const started = await startHealthTarget(name, host, port)
  targets.push(started)
  return started
}
t.teardown(async () => { await Promise.all(targets.map(async (x) => await x.close())) })

// one port on two loopback addresses: what a name with two A records points at
const one = await target('one')
const two = await target('two', '127.0.0.2', one.port)
const s1 = await target('s1')
const s2 = await target('s2')
const m1 = await target('m1')
const m2 = await target('m2', '127.0.0.2', m1.port)

stub.set('pair.test', 'A', { answers: [a('pair.test', '127.0.0.1', 60), a('pair.test', '127.0.0.2', 60)] })
stub.set('weighted.test', 'SRV', { answers: [srv('weighted.test', 's1.test', s1.port, 30, 10, 60), srv('weighted.test', 's2.test', s2.port, 10, 10, 60)] })
stub.set('s1.test', 'A', { answers: [a('s1.test', '127.0.0.1', 60)] })
stub.set('s2.test', 'A', { answers: [a('s2.test', '127.0.0.1', 60)] })
stub.set('moving.test', 'A', { answers: [a('moving.test', '127.0.0.1', 1)] })
stub.set('flaky.test', 'A', { answers: [a('flaky.test', '127.0.0.1', 1)] })
stub.set('plain.test', 'A', { answers: [a('plain.test', '127.0.0.1', 60)] })

const CHECKED = { passive: { unhealthy: { http_failures: 100 } } }
const balanced = (name: string, target: string): Record<string, unknown> => ({ name, healthchecks: CHECKED, targets: [{ target }] })
const service = (name: string, host: string, port = 80): Record<string, unknown> => ({
  name, host, port, protocol: 'http', retries: 0, routes: [{ name, paths: [`/${name}`] }]
})

const gw = await startGateway({
  upstreams: [
    balanced('pair', `pair.test:${one.port}`),
    balanced('weighted', 'weighted.test'),
    balanced('nowhere', 'nowhere.test:80'),
    balanced('moving', `moving.test:${m1.port}`),
    balanced('flaky', `flaky.test:${s1.port}`),
  ],
  services: [
    service('pair', 'pair'), service('weighted', 'weighted'), service('nowhere', 'nowhere'), service('moving', 'moving'), service('flaky', 'flaky'),
    service('plain', 'plain.test', one.port), service('gone', 'gone.test', one.port),
  ]
}, { settings: { worker_processes: 2, dns_resolver: [`127.0.0.1:${stub.port}`] } })
t.teardown(() => gw.stop())

t.test('an A answer with two addresses: a peer each', async (t) => {
  const row = (await healthOf(gw.adminUrl, 'pair'))[`pair.test:${one.port}`]
  t.match(row, { health: 'HEALTHY', data: { host: 'pair.test', port: one.port, dns: 'A', weight: { total: 200 } } })
  t.same(row.data.addresses.map((x) => x.ip).sort(), ['127.0.0.1', '127.0.0.2'])
  const seen = await tally(`${gw.proxyUrl}/pair`, 20)
  t.ok(seen.one >= 5 && seen.two >= 5, `both addresses served: ${JSON.stringify(seen)}`)
  t.equal(two.hits > 0 && two.hits === seen.two, true)

  const put = await send(`${gw.adminUrl}/upstreams/pair/targets/pair.test:${one.port}/127.0.0.2:${one.port}/unhealthy`, { method: 'PUT' })
  t.equal(put.status, 204)
  const after = (await healthOf(gw.adminUrl, 'pair'))[`pair.test:${one.port}`]
  t.equal(after.health, 'HEALTHY', 'one healthy address keeps the target healthy')
  t.match(after.data.addresses.find((x) => x.ip === '127.0.0.2'), { health: 'UNHEALTHY' })
  t.same(await tally(`${gw.proxyUrl}/pair`, 6), { one: 6 })
})

t.test('an SRV answer gives the ports and weights', async (t) => {
  const row = (await healthOf(gw.adminUrl, 'weighted'))['weighted.test:8000']
  t.match(row, { health: 'HEALTHY', data: { host: 'weighted.test', dns: 'SRV', weight: { total: 40 } } })
  t.same(row.data.addresses.map((x) => [x.port, x.weight]).sort(), [[s1.port, 30], [s2.port, 10]].sort())
  const seen = await tally(`${gw.proxyUrl}/weighted`, 40)
  t.ok(seen.s1 >= 24 && seen.s2 >= 4, `about 3:1: ${JSON.stringify(seen)}`)
})

t.test("a name that does not resolve: DNS_ERROR, and Kong's 503 with no other target", async (t) => {
  const row = (await healthOf(gw.adminUrl, 'nowhere'))['nowhere.test:80']
  t.match(row, { health: 'DNS_ERROR', data: { addresses: [] } })
  const reply = await send(`${gw.proxyUrl}/nowhere`)
  t.equal(reply.status, 503)
  t.match(reply.json(), { message: 'failure to get a peer from the ring-balancer' })
  const metrics = (await send(`${gw.adminUrl}/metrics`)).text
  t.match(metrics, 'kong_upstream_target_health{upstream="nowhere",target="nowhere.test:80",address="",state="dns_error",subsystem="http"} 1')
})

t.test('a new answer after the TTL moves traffic to the new address, without a reload', async (t) => {
  t.same(await tally(`${gw.proxyUrl}/moving`, 4), { m1: 4 })
  stub.set('moving.test', 'A', { answers: [a('moving.test', '127.0.0.2', 1)] })
  t.ok(await until(async () => (await tally(`${gw.proxyUrl}/moving`, 1)).m2 === 1, 6000), 'served by the new address')
  const hits = m2.hits
  t.same(await tally(`${gw.proxyUrl}/moving`, 6), { m2: 6 }, 'by both workers')
  t.equal(m2.hits, hits + 6)
  const row = (await healthOf(gw.adminUrl, 'moving'))[`moving.test:${m1.port}`]
  t.same(row.data.addresses.map((x) => x.ip), ['127.0.0.2'])
})

t.test('a failed refresh keeps the last answer', async (t) => {
  t.same(await tally(`${gw.proxyUrl}/flaky`, 2), { s1: 2 })
  const asked = stub.count('flaky.test', 'A')
  stub.set('flaky.test', 'A', { rcode: 'SERVFAIL' })
  // more questions since the server started failing: the 1 s TTL ran out and the refresh failed
  t.ok(await until(() => stub.count('flaky.test', 'A') >= asked + 2, 6000), 'refreshed and failed')
  t.same(await tally(`${gw.proxyUrl}/flaky`, 4), { s1: 4 }, 'still served from the last answer')
  t.match((await healthOf(gw.adminUrl, 'flaky'))[`flaky.test:${s1.port}`], { health: 'HEALTHY', data: { addresses: [{ ip: '127.0.0.1' }] } })
})

t.test('a plain service host only the stub knows', async (t) => {
  const before = one.hits
  const reply = await send(`${gw.proxyUrl}/plain`)
  t.equal(reply.status, 200)
  t.equal(one.hits, before + 1)
  const gone = await send(`${gw.proxyUrl}/gone`)
  t.equal(gone.status, 503)
  t.match(gone.json(), { message: 'name resolution failed' })
})
