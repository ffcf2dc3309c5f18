// The Admin health bodies (kong/api/routes/upstreams.lua GET /upstreams/{u}/health, ?balancer_health=1),
// the healthy/unhealthy overrides (set_target_health -> post_health) and kong_upstream_target_health
// (kong/plugins/prometheus/exporter.lua), with the shapes of
// spec/02-integration/04-admin_api/08-targets_routes_spec.lua; and the {address} parser on any input.

import t from 'tap'
import fc from 'fast-check'
import { HealthTable } from '../../../src/balancer/health-table.ts'
import { compileHealthRules, type HealthRules } from '../../../src/balancer/health-rules.ts'
import { DEFAULT_HEALTHCHECKS } from '../../helpers/healthchecks.ts'
import { balancerHealthBody, upstreamHealthBody } from '../../../src/balancer/health-admin.ts'
import { parseAddress, setTargetHealth } from '../../../src/balancer/health-override.ts'
import { upstreamTargetHealthFamily } from '../../../src/balancer/health-metrics.ts'
import type { TargetHealthInput, UpstreamHealthInput } from '../../../src/balancer/health-status.ts'
import type { Peer } from '../../../src/balancer/types.ts'
import { renderFamilies } from '../../../src/metrics/exposition.ts'

const ON = compileHealthRules({ ...DEFAULT_HEALTHCHECKS, passive: { ...DEFAULT_HEALTHCHECKS.passive, unhealthy: { ...DEFAULT_HEALTHCHECKS.passive.unhealthy, http_failures: 1 } } })
const OFF = compileHealthRules(DEFAULT_HEALTHCHECKS)
const NODE = 'b2c3d4e5-0000-4000-8000-000000000001'

function peer (slot: number, address: string, port: number, hostname: string, weight: number, targetId: string): Peer {
  return { slot, address, port, hostname, weight, targetId }
}

function target (id: string, name: string, weight: number, peers: Peer[], dns = 'A'): TargetHealthInput {
  return { entity: { id, target: name, weight, upstream: { id: 'u1' }, created_at: 1, tags: null }, peers, dns }
}

/** t1 (two addresses), t2 (weight 0), t3 (DNS failed), as an upstream with the given rules. */
function upstream (rules: HealthRules, threshold?: number): UpstreamHealthInput {
  return {
    id: 'u1',
    name: 'backend',
    rules: threshold === undefined ? rules : { ...rules, threshold },
    targets: [
      target('t1', 'api.test:8080', 100, [peer(0, '10.0.0.1', 8080, 'api.test', 100, 't1'), peer(1, '10.0.0.2', 8080, 'api.test', 100, 't1')]),
      target('t2', '10.0.0.9:80', 0, [peer(2, '10.0.0.9', 80, '10.0.0.9', 0, 't2')]),
      target('t3', 'gone.test:80', 50, [], 'dns server error: 3 name error'),
    ],
  }
}

t.test('GET /upstreams/{u}/health with health checks on', async (t) => {
  const table = HealthTable.create(8)
  table.setHealthy(1, false)
  const body = upstreamHealthBody(table, upstream(ON), NODE)
  t.equal(body.node_id, NODE)
  t.equal(body.next, null)
  t.same(body.data.map((d) => [d.id, d.target, d.health]), [['t1', 'api.test:8080', 'HEALTHY'], ['t2', '10.0.0.9:80', 'HEALTHCHECKS_OFF'], ['t3', 'gone.test:80', 'DNS_ERROR']])
  t.same(body.data[0].data, {
    host: 'api.test',
    port: 8080,
    dns: 'A',
    nodeWeight: 100,
    weight: { total: 200, unavailable: 100, available: 100 },
    addresses: [
      { ip: '10.0.0.1', port: 8080, weight: 100, health: 'HEALTHY' },
      { ip: '10.0.0.2', port: 8080, weight: 100, health: 'UNHEALTHY' },
    ],
  })
  t.same(body.data[2].data.addresses, [])
  t.equal(body.data[2].data.dns, 'dns server error: 3 name error')
  table.setHealthy(0, false)
  t.equal(upstreamHealthBody(table, upstream(ON), NODE).data[0].health, 'UNHEALTHY', 'UNHEALTHY when no address is healthy')
})

t.test('GET /upstreams/{u}/health with health checks off: HEALTHCHECKS_OFF whatever the table says', async (t) => {
  const table = HealthTable.create(8)
  table.setHealthy(1, false)
  const body = upstreamHealthBody(table, upstream(OFF), NODE, { offset: '3', next: '/upstreams/backend/health?offset=3' })
  t.same(body.data.map((d) => d.health), ['HEALTHCHECKS_OFF', 'HEALTHCHECKS_OFF', 'DNS_ERROR'])
  t.same(body.data[0].data.weight, { total: 200, unavailable: 0, available: 200 })
  t.equal(body.offset, '3')
})

t.test('?balancer_health=1: healthy while the available weight share is above the threshold', async (t) => {
  const table = HealthTable.create(8)
  let body = balancerHealthBody(table, upstream(ON, 50), NODE)
  t.match(body, { data: { health: 'HEALTHY', balancer_health: 'HEALTHY', id: 'u1', details: { healthy: true, weight: { total: 200, unavailable: 0, available: 200 } } }, next: null, node_id: NODE })
  t.equal(body.data.details.hosts.length, 3)
  table.setHealthy(0, false)
  body = balancerHealthBody(table, upstream(ON, 50), NODE)
  t.match(body.data, { health: 'UNHEALTHY', balancer_health: 'UNHEALTHY', details: { healthy: false } }, '50% is not above 50')
  t.match(balancerHealthBody(table, upstream(ON, 49.9), NODE).data, { health: 'HEALTHY' })
  t.match(balancerHealthBody(table, upstream(OFF, 50), NODE).data, { health: 'HEALTHCHECKS_OFF', balancer_health: 'HEALTHY' })
  table.setHealthy(1, false)
  t.match(balancerHealthBody(table, upstream(ON), NODE).data, { balancer_health: 'UNHEALTHY' }, 'nothing available is unhealthy at threshold 0')
})

t.test('PUT .../targets/{t}/healthy|unhealthy and .../{address}/healthy|unhealthy', async (t) => {
  const table = HealthTable.create(8)
  const u = upstream(ON)
  const [t1, t2] = u.targets
  t.same(setTargetHealth(table, u, t1, null, false), { status: 204 })
  t.notOk(table.isHealthy(0))
  t.notOk(table.isHealthy(1), 'no address: every address of the target')
  t.same(setTargetHealth(table, u, t1, '10.0.0.2:8080', true), { status: 204 })
  t.ok(table.isHealthy(1), 'an IP address: that one')
  t.notOk(table.isHealthy(0))
  setTargetHealth(table, u, t1, '10.0.0.1', true)
  t.notOk(table.isHealthy(0), 'an address without a port means port 8000 (Kong DEFAULT_PORT): no such address')
  setTargetHealth(table, u, t1, 'api.test:8080', true)
  t.ok(table.isHealthy(0), 'a name: every address of the target on that port')
  t.same(setTargetHealth(table, u, t2, null, false), { status: 204 })
  t.ok(table.isHealthy(2), 'a weight-0 target is not in the healthchecker: no-op')
  t.same(setTargetHealth(table, upstream(OFF), t1, null, false), { status: 400, body: { message: 'no healthchecker found for backend' } })
  t.ok(table.isHealthy(0))
  t.equal(setTargetHealth(table, u, t1, 'not an address', false).status, 400)
})

t.test('IPv6 addresses match in any spelling', async (t) => {
  const table = HealthTable.create(2)
  const u: UpstreamHealthInput = { id: 'u6', name: 'v6', rules: ON, targets: [target('t6', '[::1]:8192', 10, [peer(0, '::1', 8192, '[::1]', 10, 't6')], 'AAAA')] }
  setTargetHealth(table, u, u.targets[0], '[0000:0000:0000:0000:0000:0000:0000:0001]:8192', false)
  t.notOk(table.isHealthy(0))
  t.equal(upstreamHealthBody(table, u, NODE).data[0].data.port, 8192)
})

t.test('kong_upstream_target_health: four series per address, 1 on the current state', async (t) => {
  const table = HealthTable.create(8)
  table.setHealthy(1, false)
  const family = upstreamTargetHealthFamily(table, [upstream(ON)])
  t.equal(family.name, 'kong_upstream_target_health')
  t.equal(family.type, 'gauge')
  t.equal(family.samples.length, 4 * 4, 'two addresses of t1, one of t2, t3 without addresses')
  const text = renderFamilies([family])
  t.match(text, 'kong_upstream_target_health{upstream="backend",target="api.test:8080",address="10.0.0.1:8080",state="healthy",subsystem="http"} 1\n')
  t.match(text, 'kong_upstream_target_health{upstream="backend",target="api.test:8080",address="10.0.0.1:8080",state="unhealthy",subsystem="http"} 0\n')
  t.match(text, 'kong_upstream_target_health{upstream="backend",target="api.test:8080",address="10.0.0.2:8080",state="unhealthy",subsystem="http"} 1\n')
  t.match(text, 'kong_upstream_target_health{upstream="backend",target="10.0.0.9:80",address="10.0.0.9:80",state="healthchecks_off",subsystem="http"} 1\n')
  t.match(text, 'kong_upstream_target_health{upstream="backend",target="gone.test:80",address="",state="dns_error",subsystem="http"} 1\n')
  t.equal(family.samples.reduce((sum, s) => sum + ('value' in s ? s.value : 0), 0), 4, 'one state per address')
})

t.test('parseAddress: the forms Kong accepts', async (t) => {
  t.same(parseAddress('10.0.0.1'), { host: '10.0.0.1', port: null, ip: true })
  t.same(parseAddress('10.0.0.1:80'), { host: '10.0.0.1', port: 80, ip: true })
  t.same(parseAddress('[::1]:80'), { host: '::1', port: 80, ip: true })
  t.same(parseAddress('::1'), { host: '::1', port: null, ip: true })
  t.same(parseAddress('api.test:8080'), { host: 'api.test', port: 8080, ip: false })
  for (const bad of ['', ':80', 'a:b', 'a:65536', '[::1', '[x]:1', '[::1]x', 'a b', 'a:80:90', '10.0.0.1:-1', 'a..b']) {
    t.equal(parseAddress(bad), null, JSON.stringify(bad))
  }
})

t.test('property: parseAddress never throws, and what it accepts round-trips', async (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
    const parsed = parseAddress(text)
    if (parsed === null) return true
    return parsed.port === null || (Number.isInteger(parsed.port) && parsed.port >= 0 && parsed.port <= 65535)
  }), { numRuns: 2000 })
  const v4 = fc.ipV4()
  const port = fc.integer({ min: 0, max: 65535 })
  fc.assert(fc.property(v4, port, (ip, p) => {
    const parsed = parseAddress(`${ip}:${p}`)
    return parsed !== null && parsed.host === ip && parsed.port === p && parsed.ip
  }))
  fc.assert(fc.property(fc.ipV6(), port, (ip, p) => {
    const parsed = parseAddress(`[${ip}]:${p}`)
    return parsed !== null && parsed.host === ip && parsed.port === p && parsed.ip
  }))
  fc.assert(fc.property(fc.domain(), port, (name, p) => {
    const parsed = parseAddress(`${name}:${p}`)
    return parsed !== null && parsed.host === name && parsed.port === p && !parsed.ip
  }))
  t.pass()
})
