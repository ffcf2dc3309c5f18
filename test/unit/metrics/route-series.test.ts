// The proxy metrics memory end to end within one thread: the main thread's series directory, a worker's
// slot lookup and increments, and the scrape that sums the workers. Series are stable across configs,
// survive growth of the buffers, and a restarted worker keeps counting in its slots.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import type { LoadedConfig, Route, Service } from '../../../src/config/types.ts'
import { SLOT_BYTES, SOURCE_KONG, SOURCE_SERVICE, slotBase } from '../../../src/metrics/layout.ts'
import { proxyMetricsSource } from '../../../src/metrics/proxy-source.ts'
import { RouteSeries } from '../../../src/metrics/route-series.ts'
import type { HistogramSample, MetricFamily, ValueSample } from '../../../src/metrics/types.ts'
import { WorkerMetrics, recordObservation } from '../../../src/metrics/worker-metrics.ts'

/** Routes of service "one", or (nameless: true) of a service without a name, nested under it. */
function config (routes: Array<{ name: string, nameless?: boolean }>): LoadedConfig {
  const route = (r: { name: string }) => ({ name: r.name, paths: [`/${r.name}`] })
  return loadConfigObject({
    _format_version: '3.0',
    services: [
      { name: 'one', host: 'one.test', routes: routes.filter((r) => r.nameless !== true).map(route) },
      { host: 'two.test', routes: routes.filter((r) => r.nameless === true).map(route) },
    ],
  }, '<test>', {})
}

function target (loaded: LoadedConfig, name: string): [Route, Service] {
  const route = loaded.entities.routes.find((r) => r.name === name)!
  return [route, loaded.entities.services.find((s) => s.id === route.service!.id)!]
}

function counters (series: RouteSeries): Float64Array {
  return new Float64Array(series.shared.counters, 0, series.shared.counters.byteLength / 8)
}

function family (families: readonly MetricFamily[], name: string): readonly (ValueSample | HistogramSample)[] {
  return families.find((f) => f.name === name)!.samples
}

t.test('series per label pair, stable across configs and growth', async (t) => {
  const series = new RouteSeries(2)
  const first = config([{ name: 'a' }, { name: 'b' }])
  t.equal(series.assign(first), 0)
  t.equal(series.size, 2)
  t.same(series.labels(0), { service: 'one', route: 'a', consumer: '' })

  const worker = new WorkerMetrics(series.shared, 1)
  t.equal(worker.slotOf(...target(first, 'b')), slotBase(1, 2, 1), 'worker 1 finds route b in series 1')
  recordObservation(counters(series), worker.slotOf(...target(first, 'b')), 200, SOURCE_SERVICE, 0.5, 3, 4, 100, 200)

  const many = Array.from({ length: 200 }, (_, i) => ({ name: `r${i}` }))
  const second = config([{ name: 'b' }, { name: 'c', nameless: true }, ...many])
  series.assign(second)
  t.equal(series.size, 203, 'new label pairs appended, none reused')
  t.ok(series.shared.counters.byteLength >= 203 * 2 * SLOT_BYTES, 'the buffer grew')
  t.same(series.labels(202), { service: 'two.test', route: 'c', consumer: '' }, 'a nameless service is labelled by its host')
  t.equal(worker.slotOf(...target(second, 'b')), slotBase(1, 2, 1), 'b keeps its series in the new config')
  t.equal(worker.slotOf(...target(second, 'r199')), slotBase(201, 2, 1), 'routes past the first growth resolve')
  const b = family(await proxyMetricsSource(series).collect(), 'kong_http_requests_total')
  t.same(b, [{ labels: { service: 'one', route: 'b', code: '200', source: 'service', workspace: 'default', consumer: '' }, value: 1 }], 'counts kept through growth')

  t.equal(worker.slotOf(target(first, 'a')[0], null), -1, 'a route without a service is not counted')
  const unknown = config([{ name: 'never-assigned' }])
  t.equal(worker.slotOf(...target(unknown, 'never-assigned')), -1, 'a route the main thread never saw is not counted')
})

t.test('the scrape sums the workers; a restarted worker continues its slots', async (t) => {
  const series = new RouteSeries(2)
  const loaded = config([{ name: 'a' }, { name: 'quiet' }])
  series.assign(loaded)
  const [route, service] = target(loaded, 'a')
  const worker0 = new WorkerMetrics(series.shared, 0)
  recordObservation(counters(series), worker0.slotOf(route, service), 200, SOURCE_SERVICE, 0.4, 30, 31, 10, 20)
  recordObservation(counters(series), worker0.slotOf(route, service), 418, SOURCE_SERVICE, 2, 60, 63, 10, 20)
  const worker1 = new WorkerMetrics(series.shared, 1)
  recordObservation(counters(series), worker1.slotOf(route, service), 200, SOURCE_SERVICE, 8000, 1, 8001, 5, 7)
  recordObservation(counters(series), worker1.slotOf(route, service), 401, SOURCE_KONG, 1, -1, 1, 5, 0)
  const restarted = new WorkerMetrics(series.shared, 1) // the worker restarted: same slots, counts continue
  recordObservation(counters(series), restarted.slotOf(route, service), 200, SOURCE_SERVICE, 1, 1, 2, 0, 3)

  const families = await proxyMetricsSource(series).collect()
  const labels = { service: 'one', route: 'a' }
  const requests = family(families, 'kong_http_requests_total') as ValueSample[]
  t.same(requests.map((s) => [s.labels!.code, s.labels!.source, s.value]), [['200', 'service', 3], ['4xx', 'service', 1], ['401', 'kong', 1]])
  t.same(family(families, 'kong_bandwidth_bytes'), [
    { labels: { ...labels, direction: 'ingress', workspace: 'default', consumer: '' }, value: 30 },
    { labels: { ...labels, direction: 'egress', workspace: 'default', consumer: '' }, value: 50 },
  ])
  const [kong] = family(families, 'kong_kong_latency_ms') as HistogramSample[]
  t.equal(kong.count, 5)
  t.equal(kong.sum, 8004.4)
  t.same(kong.cumulative.slice(0, 3), [3, 4, 4], '<=1: 0.4, 1, 1; <=2: 2')
  t.equal(kong.cumulative[kong.cumulative.length - 1], 4, '8000 ms is past the last bound: only +Inf')
  const [upstream] = family(families, 'kong_upstream_latency_ms') as HistogramSample[]
  t.equal(upstream.count, 4, 'a negative (no upstream) latency is not observed')
  t.same(upstream.cumulative.slice(0, 3), [2, 3, 4], '<=25: 1, 1; <=50: 30; <=80: 60')
  t.equal((family(families, 'kong_request_latency_ms') as HistogramSample[])[0].count, 5)
  t.notOk(requests.some((s) => s.labels!.route === 'quiet'), 'a series that counted nothing is not written')
})

t.test('series beyond the maximum are dropped, not wrapped', async (t) => {
  const series = new RouteSeries(1, 2)
  const loaded = config([{ name: 'a' }, { name: 'b' }, { name: 'c' }])
  t.equal(series.assign(loaded), 1)
  t.equal(series.dropped, 1)
  const worker = new WorkerMetrics(series.shared, 0)
  t.equal(worker.slotOf(...target(loaded, 'c')), -1)
  t.equal(worker.slotOf(...target(loaded, 'b')), slotBase(1, 1, 0))
  t.equal(series.assign(loaded), 1, 'still no room on the next reload')
})
