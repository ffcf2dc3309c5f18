// GET /metrics after known traffic through two workers adds up exactly: requests by route, code and
// source, histogram counts, bandwidth to the byte (counted by the client), connections, and the
// supervisor's reload counters. Counters survive a reload and keep counting in the same series.

import t from 'tap'
import { startUpstream } from '../../helpers/upstream.ts'
import { RawClient, call, gatewayFor, parseMetrics } from './admin-helpers.ts'
import { scrapeUntil } from '../../helpers/metrics-scrape.ts'

const ROUTE_A = 'service="api",route="ra"'
const ROUTE_B = 'service="api",route="rb"'
const RC_200 = 'kong_http_requests_total{service="api",route="rc",code="200",source="service",workspace="default",consumer=""}'

t.test('metrics after known traffic', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const config = (extraRoutes: Array<Record<string, unknown>> = []) => ({
    _format_version: '3.0',
    services: [{
      name: 'api',
      url: upstream.url,
      routes: [
        { name: 'ra', paths: ['/a'] },
        { name: 'rb', paths: ['/b'], plugins: [{ name: 'request-termination', config: { status_code: 403, message: 'no' } }] },
        ...extraRoutes,
      ],
    }],
  })
  const gateway = await gatewayFor(t, config(), { settings: { worker_processes: 2 } })
  const scrape = async (): Promise<Map<string, number>> => {
    const reply = await call(gateway.adminUrl, 'GET', '/metrics')
    t.equal(reply.status, 200)
    t.equal(reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
    return parseMetrics(reply.text)
  }

  const empty = await scrape()
  t.equal(empty.get('kong_datastore_reachable'), 1)
  t.notOk([...empty.keys()].some((k) => k.startsWith('kong_http_requests_total')), 'no series before any request')

  // one connection per route, so each route's bytes are exactly what its connection carried
  const a = await RawClient.open(gateway.proxyUrl)
  const b = await RawClient.open(gateway.proxyUrl)
  const none = await RawClient.open(gateway.proxyUrl)
  for (let i = 0; i < 5; i++) t.equal((await a.get(`/a/echo/${i}`)).status, 200)
  for (let i = 0; i < 3; i++) t.equal((await a.get('/a/status?code=503')).status, 503)
  t.equal((await a.get('/a/status?code=418')).status, 418)
  for (let i = 0; i < 2; i++) t.equal((await b.get('/b')).status, 403)
  for (let i = 0; i < 2; i++) t.equal((await none.get('/nowhere')).status, 404)
  for (const client of [a, b, none]) await client.close()

  const m = await scrape()
  const requests = (route: string, code: string, source: string): number | undefined =>
    m.get(`kong_http_requests_total{${route},code="${code}",source="${source}",workspace="default",consumer=""}`)
  t.equal(requests(ROUTE_A, '200', 'service'), 5)
  t.equal(requests(ROUTE_A, '503', 'service'), 3)
  t.equal(requests(ROUTE_A, '4xx', 'service'), 1, 'a code outside the exact table counts under its class')
  t.equal(requests(ROUTE_B, '403', 'kong'), 2, 'a plugin answer is the gateway\'s')
  const total = [...m].filter(([k]) => k.startsWith('kong_http_requests_total')).reduce((sum, [, v]) => sum + v, 0)
  t.equal(total, 11, 'requests without a route are not per-route (as Kong: no service, no series)')

  const histogram = (name: string, route: string): number | undefined => m.get(`${name}_count{${route},workspace="default"}`)
  t.equal(histogram('kong_kong_latency_ms', ROUTE_A), 9)
  t.equal(histogram('kong_upstream_latency_ms', ROUTE_A), 9)
  t.equal(histogram('kong_request_latency_ms', ROUTE_A), 9)
  t.equal(histogram('kong_kong_latency_ms', ROUTE_B), 2)
  t.equal(histogram('kong_request_latency_ms', ROUTE_B), 2)
  t.equal(histogram('kong_upstream_latency_ms', ROUTE_B), undefined, 'no upstream latency when no upstream was called')
  t.equal(m.get(`kong_kong_latency_ms_bucket{${ROUTE_A},workspace="default",le="+Inf"}`), 9)
  const buckets = [...m].filter(([k]) => k.startsWith(`kong_request_latency_ms_bucket{${ROUTE_A}`)).map(([, v]) => v)
  t.same(buckets, [...buckets].sort((x, y) => x - y), 'buckets are cumulative')
  t.ok(m.get(`kong_request_latency_ms_sum{${ROUTE_A},workspace="default"}`)! > 0)

  const bandwidth = (route: string, direction: string): number | undefined =>
    m.get(`kong_bandwidth_bytes{${route},direction="${direction}",workspace="default",consumer=""}`)
  t.equal(bandwidth(ROUTE_A, 'ingress'), a.sent, 'ingress: every byte the client sent')
  t.equal(bandwidth(ROUTE_A, 'egress'), a.received, 'egress: every byte the client received')
  t.equal(bandwidth(ROUTE_B, 'ingress'), b.sent)
  t.equal(bandwidth(ROUTE_B, 'egress'), b.received)

  const node = [...m.keys()].find((k) => k.startsWith('kong_node_info'))!
  const nodeId = /node_id="([^"]+)"/.exec(node)![1]
  t.equal(m.get(`kong_nginx_requests_total{node_id="${nodeId}",subsystem="http"}`), 13, 'every request, routed or not')
  t.equal(m.get(`kong_nginx_connections_total{node_id="${nodeId}",subsystem="http",state="accepted"}`), 3)
  t.equal(m.get(`kong_nginx_connections_total{node_id="${nodeId}",subsystem="http",state="total"}`), 13)
  t.equal(m.get('kong_nginx_metric_errors_total'), 0)
  t.equal(m.get('tollgate_worker_restarts_total'), 0)
  t.equal(m.get('tollgate_config_reloads_total{outcome="success"}'), 0)

  t.test('reload outcomes are counted, and series survive a reload', async (t) => {
    t.equal((await call(gateway.adminUrl, 'POST', '/config', { body: config([{ name: 'rc', paths: ['/c'] }]) })).status, 201)
    t.equal((await call(gateway.adminUrl, 'POST', '/config', { body: { _format_version: '3.0', services: [{ name: 'x' }] } })).status, 400)
    t.equal((await call(gateway.proxyUrl, 'GET', '/a/again')).status, 200)
    t.equal((await call(gateway.proxyUrl, 'GET', '/c')).status, 200)
    // a worker counts a request just after its response is written (Kong's log phase comes after the
    // response too), so a client that scrapes at once can be a moment early: wait until it is counted
    const a200 = `kong_http_requests_total{${ROUTE_A},code="200",source="service",workspace="default",consumer=""}`
    const counted = (m: Map<string, number>): boolean => m.get(RC_200) === 1 && m.get(a200) === 6
    const after = await scrapeUntil(scrape, counted)
    t.equal(after.get('tollgate_config_reloads_total{outcome="success"}'), 1)
    t.equal(after.get('tollgate_config_reloads_total{outcome="rejected"}'), 1)
    t.equal(after.get('tollgate_config_reloads_total{outcome="failure"}'), 0)
    t.equal(after.get(a200), 6, 'the same series went on')
    t.equal(after.get(RC_200), 1)
  })
})
