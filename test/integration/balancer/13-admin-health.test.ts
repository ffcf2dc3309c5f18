// The Admin health endpoints, /metrics and reloads on a real gateway (kong/api/routes/upstreams.lua;
// kong/db/dao/targets.lua page_for_upstream_with_health; kong/runloop/balancer/healthcheckers.lua
// get_balancer_health; kong/plugins/prometheus/exporter.lua upstream_target_health;
// spec/02-integration/04-admin_api/08-targets_routes_spec.lua): the bodies of GET /upstreams/{u}/health
// with and without ?balancer_health=1, the healthy/unhealthy overrides on a target (by host:port or id) and
// on one address, their 400 when the upstream has no health checks, the 404s and 405s, the
// kong_upstream_target_health series and the prometheus plugin's upstream_health_metrics switch, and
// health state across POST /config.

import t from 'tap'
import { send, startGateway } from '../../helpers/gateway.ts'
import { call } from '../admin/admin-helpers.ts'
import { healthOf, startHealthTarget, tally, type HealthTarget } from '../../helpers/health-targets.ts'

const started = await Promise.all(['a', 'b', 'c'].map(async (name) => await startHealthTarget(name)))
const [A, B, C] = started
t.teardown(async () => { await Promise.all(started.map(async (target) => await target.close())) })

function entities (checkedTargets: readonly HealthTarget[], plugins: ReadonlyArray<Record<string, unknown>> = []): Record<string, unknown> {
  return {
    _format_version: '3.0',
    upstreams: [
      { name: 'checked', healthchecks: { passive: { unhealthy: { http_failures: 1 } } }, targets: checkedTargets.map((x) => ({ target: x.target })) },
      { name: 'off', targets: [{ target: C.target, weight: 30 }] },
    ],
    services: [
      { name: 'checked', host: 'checked', port: 80, protocol: 'http', retries: 0, routes: [{ name: 'checked', paths: ['/checked'] }] },
      { name: 'off', host: 'off', port: 80, protocol: 'http', routes: [{ name: 'off', paths: ['/off'] }] },
    ],
    plugins
  }
}

const gw = await startGateway(entities([A, B]))
t.teardown(() => gw.stop())
const admin = async (method: string, path: string, body?: object) => await call(gw.adminUrl, method, path, { body })
const put = async (path: string) => await admin('PUT', path)

interface Row extends Record<string, unknown> { target: string, health: string, id: string }

t.test('GET /upstreams/{u}/health: each target with its health and addresses', async (t) => {
  const reply = await admin('GET', '/upstreams/checked/health')
  t.equal(reply.status, 200)
  const body = reply.json<{ data: Row[], next: unknown, node_id: unknown }>()
  t.equal(body.next, null)
  t.type(body.node_id, 'string')
  const row = body.data.find((r) => r.target === A.target)!
  t.match(row, {
    id: String,
    target: A.target,
    weight: 100,
    upstream: { id: String },
    health: 'HEALTHY',
    data: {
      host: '127.0.0.1',
      port: A.port,
      dns: 'A',
      nodeWeight: 100,
      weight: { total: 100, available: 100, unavailable: 0 },
      addresses: [{ ip: '127.0.0.1', port: A.port, weight: 100, health: 'HEALTHY' }]
    }
  })
  const off = await healthOf(gw.adminUrl, 'off')
  t.match(off[C.target], { health: 'HEALTHCHECKS_OFF', data: { addresses: [{ weight: 30, health: 'HEALTHCHECKS_OFF' }] } })
  const id = (await admin('GET', '/upstreams/checked')).json().id as string
  t.equal((await admin('GET', `/upstreams/${id}/health`)).status, 200, 'by id too')
})

t.test('?balancer_health=1: the upstream as a whole', async (t) => {
  const checked = (await admin('GET', '/upstreams/checked/health?balancer_health=1')).json()
  t.match(checked, { data: { health: 'HEALTHY', balancer_health: 'HEALTHY', id: String, details: { healthy: true, weight: { total: 200, available: 200, unavailable: 0 } } }, next: null })
  const off = (await admin('GET', '/upstreams/off/health?balancer_health=1')).json()
  t.match(off, { data: { health: 'HEALTHCHECKS_OFF', balancer_health: 'HEALTHY' } })
})

t.test('PUT unhealthy/healthy on a target, by host:port or id, and on one address', async (t) => {
  t.equal((await put(`/upstreams/checked/targets/${A.target}/unhealthy`)).status, 204)
  t.equal((await healthOf(gw.adminUrl, 'checked'))[A.target].health, 'UNHEALTHY')
  t.same(await tally(`${gw.proxyUrl}/checked`, 6), { b: 6 }, 'no traffic to it')
  t.match((await admin('GET', '/upstreams/checked/health?balancer_health=1')).json(), {
    data: { health: 'HEALTHY', details: { weight: { total: 200, available: 100, unavailable: 100 } } }
  })

  const bId = (await healthOf(gw.adminUrl, 'checked'))[B.target].id
  t.equal((await put(`/upstreams/checked/targets/${bId}/unhealthy`)).status, 204)
  t.match((await admin('GET', '/upstreams/checked/health?balancer_health=1')).json(), { data: { health: 'UNHEALTHY', balancer_health: 'UNHEALTHY' } })
  const none = await send(`${gw.proxyUrl}/checked`)
  t.equal(none.status, 503)
  t.match(none.json(), { message: 'failure to get a peer from the ring-balancer' })

  t.equal((await put(`/upstreams/checked/targets/${A.target}/127.0.0.1:${A.port}/healthy`)).status, 204, 'one address')
  t.equal((await put(`/upstreams/checked/targets/${B.target}/127.0.0.1:${B.port}/healthy`)).status, 204)
  const health = await healthOf(gw.adminUrl, 'checked')
  t.equal(health[A.target].health, 'HEALTHY')
  t.equal(health[B.target].health, 'HEALTHY')
  t.equal((await put(`/upstreams/checked/targets/${A.target}/127.0.0.1:1/unhealthy`)).status, 204, 'an address the target does not have: nothing happens')
  t.equal((await healthOf(gw.adminUrl, 'checked'))[A.target].health, 'HEALTHY')
})

t.test('errors: no health checks, unknown upstream or target, other methods', async (t) => {
  const off = await put(`/upstreams/off/targets/${C.target}/unhealthy`)
  t.equal(off.status, 400)
  t.same(off.json(), { message: 'no healthchecker found for off' })
  t.equal((await admin('GET', '/upstreams/nope/health')).status, 404)
  t.same((await put('/upstreams/nope/targets/127.0.0.1:1/healthy')).json(), { message: 'Not found' })
  t.equal((await put('/upstreams/checked/targets/127.0.0.9:1/healthy')).status, 404)
  t.equal((await admin('GET', `/upstreams/checked/targets/${A.target}/healthy`)).status, 405)
  t.equal((await admin('POST', '/upstreams/checked/health')).status, 405)
})

function healthSeries (text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('kong_upstream_target_health{'))
}

t.test('GET /metrics: kong_upstream_target_health, and upstream_health_metrics of a prometheus plugin', async (t) => {
  const text = (await admin('GET', '/metrics')).text
  t.match(text, /# TYPE kong_upstream_target_health gauge/)
  const series = healthSeries(text)
  t.equal(series.length, 3 * 4, 'four states for each of three addresses')
  t.ok(series.includes(`kong_upstream_target_health{upstream="checked",target="${A.target}",address="127.0.0.1:${A.port}",state="healthy",subsystem="http"} 1`), 'A healthy')
  t.ok(series.includes(`kong_upstream_target_health{upstream="checked",target="${A.target}",address="127.0.0.1:${A.port}",state="unhealthy",subsystem="http"} 0`))
  t.ok(series.includes(`kong_upstream_target_health{upstream="off",target="${C.target}",address="127.0.0.1:${C.port}",state="healthchecks_off",subsystem="http"} 1`))

  t.equal((await admin('POST', '/config', entities([A, B], [{ name: 'prometheus', config: { upstream_health_metrics: false } }]))).status, 201)
  t.same(healthSeries((await admin('GET', '/metrics')).text), [], 'a prometheus plugin without upstream_health_metrics: none')
  t.equal((await admin('POST', '/config', entities([A, B], [{ name: 'prometheus', config: { upstream_health_metrics: true } }]))).status, 201)
  t.equal(healthSeries((await admin('GET', '/metrics')).text).length, 12, 'with it: all of them')
})

t.test('POST /config keeps the state of targets that stay, and drops that of targets removed', async (t) => {
  t.equal((await put(`/upstreams/checked/targets/${A.target}/unhealthy`)).status, 204)
  t.equal((await put(`/upstreams/checked/targets/${B.target}/unhealthy`)).status, 204)
  t.equal((await admin('POST', '/config', entities([A]))).status, 201, 'B removed')
  let health = await healthOf(gw.adminUrl, 'checked')
  t.equal(health[A.target].health, 'UNHEALTHY', 'A is still unhealthy')
  t.equal(health[B.target], undefined)
  t.equal((await send(`${gw.proxyUrl}/checked`)).status, 503, 'and still gets no traffic')
  t.equal((await admin('POST', '/config', entities([A, B]))).status, 201, 'B back')
  health = await healthOf(gw.adminUrl, 'checked')
  t.equal(health[A.target].health, 'UNHEALTHY')
  t.equal(health[B.target].health, 'HEALTHY', 'B starts over, healthy')
  t.same(await tally(`${gw.proxyUrl}/checked`, 4), { b: 4 })
})
