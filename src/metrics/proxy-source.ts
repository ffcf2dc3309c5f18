// Kong's prometheus per-route families, summed over the workers' slots of every series (layout.ts):
// requests by status code and source, bandwidth, and the Kong, upstream and request latency histograms.
// Only series and codes that have counted something are written, as Kong's plugin does. With a prometheus
// plugin configured, only the families some plugin enables are written at all (families.ts); a
// per-consumer series holds only status and bandwidth counts, under its consumer label.

import {
  BANDWIDTH_EGRESS, BANDWIDTH_INGRESS, CODE_COUNT, CODE_LABELS, KONG_LATENCY, KONG_LATENCY_BOUNDS,
  REQUEST_LATENCY, REQUESTS, SLOT_FIELDS, SLOT_STRIDE, SOURCE_LABELS, UPSTREAM_LATENCY, UPSTREAM_LATENCY_BOUNDS, slotBase,
} from './layout.ts'
import { FAMILY_BANDWIDTH, FAMILY_LATENCY, FAMILY_STATUS } from './families.ts'
import type { RouteSeries } from './route-series.ts'
import type { HistogramSample, MetricFamily, MetricsSource, ValueSample } from './types.ts'

const WORKSPACE = 'default'

/** The slot of one series with every worker's fields added up. */
function summedSlot (counters: Float64Array, series: number, workers: number): Float64Array {
  const sum = new Float64Array(SLOT_FIELDS)
  for (let worker = 0; worker < workers; worker++) {
    const base = slotBase(series, workers, worker)
    for (let field = 0; field < SLOT_FIELDS; field++) sum[field] += counters[base + field]
  }
  return sum
}

function histogram (slot: Float64Array, at: number, bounds: readonly number[], labels: Record<string, string>): HistogramSample | null {
  const cumulative: number[] = []
  let running = 0
  for (let i = 0; i < bounds.length; i++) {
    running += slot[at + i]
    cumulative.push(running)
  }
  const count = running + slot[at + bounds.length]
  if (count === 0) return null
  return { labels, bounds, cumulative, count, sum: slot[at + bounds.length + 1] }
}

export function proxyMetricsSource (series: RouteSeries): MetricsSource {
  return {
    collect () {
      const { counters: buffer, workers } = series.shared
      const counters = new Float64Array(buffer, 0, Math.min(buffer.byteLength / 8, series.size * workers * SLOT_STRIDE))
      const requests: ValueSample[] = []
      const bandwidth: ValueSample[] = []
      const kong: HistogramSample[] = []
      const upstream: HistogramSample[] = []
      const total: HistogramSample[] = []
      for (let s = 0; s < series.size; s++) {
        const slot = summedSlot(counters, s, workers)
        const { service, route, consumer } = series.labels(s)
        for (let source = 0; source < SOURCE_LABELS.length; source++) {
          for (let column = 0; column < CODE_COUNT; column++) {
            const value = slot[REQUESTS + source * CODE_COUNT + column]
            if (value === 0) continue
            const labels = { service, route, code: CODE_LABELS[column], source: SOURCE_LABELS[source], workspace: WORKSPACE, consumer }
            requests.push({ labels, value })
          }
        }
        for (const [direction, field] of [['ingress', BANDWIDTH_INGRESS], ['egress', BANDWIDTH_EGRESS]] as const) {
          if (slot[field] !== 0) bandwidth.push({ labels: { service, route, direction, workspace: WORKSPACE, consumer }, value: slot[field] })
        }
        const labels = { service, route, workspace: WORKSPACE }
        const k = histogram(slot, KONG_LATENCY, KONG_LATENCY_BOUNDS, labels)
        const u = histogram(slot, UPSTREAM_LATENCY, UPSTREAM_LATENCY_BOUNDS, labels)
        const r = histogram(slot, REQUEST_LATENCY, UPSTREAM_LATENCY_BOUNDS, labels)
        if (k !== null) kong.push(k)
        if (u !== null) upstream.push(u)
        if (r !== null) total.push(r)
      }
      return families(series.families.exported, requests, bandwidth, kong, upstream, total)
    }
  }
}

function families (exported: number, requests: ValueSample[], bandwidth: ValueSample[], kong: HistogramSample[],
  upstream: HistogramSample[], total: HistogramSample[]): MetricFamily[] {
  const out: MetricFamily[] = []
  if ((exported & FAMILY_BANDWIDTH) !== 0) {
    out.push({ name: 'kong_bandwidth_bytes', help: 'Total bandwidth (ingress/egress) throughput in bytes', type: 'counter', samples: bandwidth })
  }
  if ((exported & FAMILY_STATUS) !== 0) {
    out.push({ name: 'kong_http_requests_total', help: 'HTTP status codes per consumer/service/route in Kong', type: 'counter', samples: requests })
  }
  if ((exported & FAMILY_LATENCY) !== 0) {
    out.push(
      { name: 'kong_kong_latency_ms', help: 'Latency added by Kong and enabled plugins for each service/route in Kong', type: 'histogram', samples: kong },
      { name: 'kong_request_latency_ms', help: 'Total latency incurred during requests for each service/route in Kong', type: 'histogram', samples: total },
      { name: 'kong_upstream_latency_ms', help: 'Latency added by upstream response for each service/route in Kong', type: 'histogram', samples: upstream })
  }
  return out
}
