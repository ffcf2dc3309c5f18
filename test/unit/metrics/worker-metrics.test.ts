// A worker's metrics writer as compile and the proxy meet it: it reaches a Runtime only through compile's
// dependencies (two writers in one thread give two Runtimes their own slots), and record() turns the
// proxy's numbers into Kong's series (source from fromService, 499 counted exactly).

import t from 'tap'
import { compileRuntime } from '../../../src/config/compile-runtime.ts'
import { loadConfigObject } from '../../../src/config/load.ts'
import { slotBase } from '../../../src/metrics/layout.ts'
import { proxyMetricsSource } from '../../../src/metrics/proxy-source.ts'
import { RouteSeries } from '../../../src/metrics/route-series.ts'
import type { ValueSample } from '../../../src/metrics/types.ts'
import { NO_REQUEST_METRICS, WorkerMetrics, type RequestMetricsWriter } from '../../../src/metrics/worker-metrics.ts'
import { loadPluginModules } from '../../../src/plugins/handlers.ts'
import type { PluginServices } from '../../../src/plugins/types.ts'
import { UpstreamPools } from '../../../src/proxy/upstream-pools.ts'
import { WorkerBalancers } from '../../../src/balancer/worker-balancers.ts'

const loaded = loadConfigObject({
  _format_version: '3.0',
  services: [{ name: 'one', host: 'one.test', routes: [{ name: 'a', paths: ['/a'] }, { name: 'b', paths: ['/b'] }] }],
}, '<test>', {})

const plugins = await loadPluginModules()

function slotOfB (metrics: RequestMetricsWriter): { slot: number, writer: RequestMetricsWriter } {
  const settings = loaded.settings
  const services: PluginServices = { settings, byPlugin: new Map(), onMessage () {}, redis: null }
  const runtime = compileRuntime(loaded, { pools: new UpstreamPools(settings), plugins, services, metrics, balancers: WorkerBalancers.detached() })
  const match = runtime.router.find('GET', 'gateway.test', '/b', {})
  return { slot: match!.value.metricsSlot, writer: runtime.metrics }
}

t.test('compile takes each route\'s slot, and the Runtime its writer, from its dependencies', async (t) => {
  const series = new RouteSeries(3)
  series.assign(loaded)
  const worker2 = new WorkerMetrics(series.shared, 2)
  const worker0 = new WorkerMetrics(series.shared, 0)
  t.same(slotOfB(worker2), { slot: slotBase(1, 3, 2), writer: worker2 })
  t.same(slotOfB(worker0), { slot: slotBase(1, 3, 0), writer: worker0 }, 'no state shared between writers')
  t.equal(slotOfB(NO_REQUEST_METRICS).slot, -1, 'a Runtime without metrics counts nothing')
})

t.test('record(): fromService picks the source label; 499 has its own code', async (t) => {
  const series = new RouteSeries(1)
  series.assign(loaded)
  const worker = new WorkerMetrics(series.shared, 0)
  const slot = worker.slotOf(loaded.entities.routes[0], loaded.entities.services[0])
  worker.record(slot, 200, true, 1, 20, 21, 10, 30)
  worker.record(slot, 499, false, 2, -1, 2, 5, 0)
  worker.record(slot, 401, false, 1, -1, 1, 5, 40)
  const families = await proxyMetricsSource(series).collect()
  const requests = families.find((f) => f.name === 'kong_http_requests_total')!.samples as ValueSample[]
  t.same(requests.map((s) => [s.labels!.route, s.labels!.code, s.labels!.source, s.value]),
    [['a', '200', 'service', 1], ['a', '401', 'kong', 1], ['a', '499', 'kong', 1]])
  const bandwidth = families.find((f) => f.name === 'kong_bandwidth_bytes')!.samples as ValueSample[]
  t.same(bandwidth.map((s) => s.value), [20, 70])
})
