// The prometheus plugin's pure parts, after Kong's kong/plugins/prometheus/schema.lua (3.9.0),
// handler.lua (PrometheusHandler:log: which flag records which family) and exporter.lua (the families
// and their labels): the schema, the families a config exports and a request records, the gated
// increments, and per_consumer's series, bounded by maxSeries with the routes' own series first.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import type { LoadedConfig } from '../../../src/config/types.ts'
import { validate } from '../../../src/config/schema/engine.ts'
import {
  ALL_FAMILIES, FAMILY_BANDWIDTH, FAMILY_LATENCY, FAMILY_PER_CONSUMER, FAMILY_STATUS, configFamilies, familiesOf,
} from '../../../src/metrics/families.ts'
import { KONG_LATENCY, REQUESTS, BANDWIDTH_INGRESS, SLOT_FIELDS, SOURCE_SERVICE, slotBase } from '../../../src/metrics/layout.ts'
import { proxyMetricsSource } from '../../../src/metrics/proxy-source.ts'
import { RouteSeries } from '../../../src/metrics/route-series.ts'
import type { ValueSample } from '../../../src/metrics/types.ts'
import { WorkerMetrics, recordObservation } from '../../../src/metrics/worker-metrics.ts'
import { createPrometheus } from '../../../src/plugins/prometheus/handler.ts'
import { prometheusSchema } from '../../../src/plugins/prometheus/schema.ts'
import type { ProxyContext } from '../../../src/plugins/types.ts'

function load (plugins: unknown[], consumers: unknown[] = []): LoadedConfig {
  return loadConfigObject({
    _format_version: '3.0',
    services: [{ name: 'svc', host: 'svc.test', routes: [{ name: 'a', paths: ['/a'] }, { name: 'b', paths: ['/b'] }] }],
    consumers,
    plugins,
  }, '<test>', {})
}

t.test("schema: Kong 3.9's flags, all false by default", async (t) => {
  const { value, issues } = validate(prometheusSchema.configSchema, {}, 'config')
  t.same(issues, [])
  t.strictSame(value, {
    per_consumer: false,
    status_code_metrics: false,
    ai_metrics: false,
    latency_metrics: false,
    bandwidth_metrics: false,
    upstream_health_metrics: false,
  })
  const later = validate(prometheusSchema.configSchema, { wasm_metrics: true }, 'config')
  t.match(later.issues, [{ path: 'config.wasm_metrics', message: 'unknown field' }], 'a field after 3.9 is refused')
  const typed = validate(prometheusSchema.configSchema, { latency_metrics: 'yes' }, 'config')
  t.match(typed.issues, [{ path: 'config.latency_metrics' }])
  t.equal(prometheusSchema.noConsumer, false, 'any scope, consumers included')
})

t.test('the families a config exports and a request records by default', async (t) => {
  t.strictSame(configFamilies(load([])), { configured: false, exported: ALL_FAMILIES, requestDefault: ALL_FAMILIES },
    'no prometheus plugin: everything, as Tollgate always did (Kong: nothing)')
  t.strictSame(configFamilies(load([{ name: 'prometheus', enabled: false, config: { latency_metrics: true } }])).configured, false,
    'a disabled plugin does not count')
  const two = configFamilies(load([
    { name: 'prometheus', config: { status_code_metrics: true } },
    { name: 'prometheus', route: 'a', config: { bandwidth_metrics: true, per_consumer: true } },
  ]))
  t.strictSame(two, { configured: true, exported: FAMILY_STATUS | FAMILY_BANDWIDTH | FAMILY_PER_CONSUMER, requestDefault: 0 },
    'the union of the flags; a request no plugin applies to records nothing')
  t.equal(familiesOf({ latency_metrics: true, ai_metrics: true, upstream_health_metrics: true }), FAMILY_LATENCY,
    'ai and upstream health have no family here')
})

t.test('the log phase hands its flags to the request', async (t) => {
  const plugin = { id: 'p', name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true } }
  const instance = createPrometheus(plugin as never, 13)
  t.equal(instance.access, null)
  t.equal(instance.headerFilter, null)
  const ctx = { metricsFamilies: ALL_FAMILIES } as ProxyContext
  instance.log!(ctx)
  t.equal(ctx.metricsFamilies, FAMILY_STATUS | FAMILY_LATENCY)
})

t.test('recordObservation records only the families asked for, status and bandwidth at the consumer slot', async (t) => {
  const m = new Float64Array(SLOT_FIELDS * 2)
  recordObservation(m, 0, 200, SOURCE_SERVICE, 3, 10, 13, 100, 200, FAMILY_LATENCY)
  t.equal(m[REQUESTS], 0, 'no status count')
  t.equal(m[BANDWIDTH_INGRESS], 0, 'no bandwidth')
  t.ok(m.subarray(KONG_LATENCY, KONG_LATENCY + 19).some((v) => v > 0), 'latency observed')
  recordObservation(m, 0, 200, SOURCE_SERVICE, 3, 10, 13, 100, 200, FAMILY_STATUS | FAMILY_BANDWIDTH, SLOT_FIELDS)
  t.equal(m[REQUESTS], 0, 'not in the route slot')
  t.equal(m[SLOT_FIELDS + REQUESTS], 1, 'status in the consumer slot')
  t.equal(m[SLOT_FIELDS + BANDWIDTH_INGRESS], 100, 'bandwidth in the consumer slot')
  t.equal(m.subarray(SLOT_FIELDS + KONG_LATENCY).reduce((a, b) => a + b, 0), 0, 'no latency in the consumer slot')
  recordObservation(m, 0, 200, SOURCE_SERVICE, 3, 10, 13, 100, 200, 0)
  t.equal(m[SLOT_FIELDS + REQUESTS], 1, 'nothing at all with no family')
})

t.test('per_consumer: a series per route and consumer, under the bound, and the scrape', async (t) => {
  const config = load(
    [{ name: 'prometheus', config: { status_code_metrics: true, per_consumer: true } }],
    [{ username: 'alice' }, { username: 'bob' }, { custom_id: 'nameless' }])
  const series = new RouteSeries(1)
  t.equal(series.assign(config), 0)
  t.equal(series.size, 6, '2 routes, then 2 routes x 2 consumers with a username')
  t.same([0, 1, 2, 3].map((s) => series.labels(s).consumer), ['', '', 'alice', 'bob'], 'routes first')
  const [route] = config.entities.routes
  const service = config.entities.services[0]
  const worker = new WorkerMetrics(series.shared, 0)
  const slot = worker.slotOf(route, service)
  const alice = worker.slotOf(route, service, 'alice')
  t.equal(alice, slotBase(2, 1, 0))
  t.equal(worker.slotOf(route, service, 'carol'), -1, 'an unknown consumer has no series')
  worker.record(slot, 200, true, 1, 2, 3, 10, 20, FAMILY_STATUS | FAMILY_PER_CONSUMER, alice)
  worker.record(slot, 401, false, 1, -1, 1, 10, 20, FAMILY_STATUS | FAMILY_PER_CONSUMER, slot)
  const families = await proxyMetricsSource(series).collect()
  t.same(families.map((f) => f.name), ['kong_http_requests_total'], 'only the enabled family is written')
  const requests = families[0].samples as ValueSample[]
  t.same(requests.map((s) => [s.labels!.route, s.labels!.code, s.labels!.consumer, s.value]),
    [['a', '401', '', 1], ['a', '200', 'alice', 1]])

  const small = new RouteSeries(1, 3)
  t.equal(small.assign(config), 3, 'over the bound: the pairs are dropped, never the routes')
  t.same([0, 1, 2].map((s) => small.labels(s).consumer), ['', '', 'alice'])
})

t.test('without a prometheus plugin the scrape writes every family, as before', async (t) => {
  const series = new RouteSeries(1)
  series.assign(load([]))
  const names = (await proxyMetricsSource(series).collect()).map((f) => f.name)
  t.same(names, ['kong_bandwidth_bytes', 'kong_http_requests_total', 'kong_kong_latency_ms', 'kong_request_latency_ms', 'kong_upstream_latency_ms'])
  series.assign(load([{ name: 'prometheus', config: { latency_metrics: true } }]))
  t.same((await proxyMetricsSource(series).collect()).map((f) => f.name),
    ['kong_kong_latency_ms', 'kong_request_latency_ms', 'kong_upstream_latency_ms'], 'a reload changes what is written')
})
