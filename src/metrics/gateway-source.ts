// Node-wide families: Kong's connection, request, datastore and node-info gauges (from the workers'
// stats buffer), and Tollgate's own supervisor counters (worker restarts, config reloads by outcome).

import type { StatsTotals } from '../workers/worker-stats.ts'
import type { MetricFamily, MetricsSource } from './types.ts'

export interface ReloadOutcomes {
  /** the new config is live on every worker */
  readonly success: number
  /** a worker could not build it (or did not answer); the old config stayed live */
  readonly failure: number
  /** invalid before reaching the workers (POST /config answered 400) */
  readonly rejected: number
}

export interface GatewayMetricsView {
  readonly nodeId: string
  readonly version: string
  stats (): StatsTotals
  workerRestarts (): number
  reloads (): ReloadOutcomes
  /** scrape errors so far (the registry's) */
  metricErrors (): number
}

const SUBSYSTEM = 'http'

export function gatewayMetricsSource (view: GatewayMetricsView): MetricsSource {
  return {
    collect (): MetricFamily[] {
      const s = view.stats()
      const node = { node_id: view.nodeId, subsystem: SUBSYSTEM }
      // Kong reads these from nginx; Tollgate has no separate reading state (headers are parsed at once)
      const states: Array<[string, number]> = [
        ['accepted', s.connectionsAccepted], ['handled', s.connectionsHandled], ['total', s.requestsTotal],
        ['active', s.connectionsActive], ['reading', 0], ['writing', s.requestsInFlight],
        ['waiting', Math.max(0, s.connectionsActive - s.requestsInFlight)],
      ]
      const reloads = view.reloads()
      return [
        { name: 'kong_datastore_reachable', help: 'Datastore reachable from Kong, 0 is unreachable', type: 'gauge', samples: [{ value: 1 }] },
        { name: 'kong_nginx_connections_total', help: 'Number of connections by subsystem', type: 'gauge', samples: states.map(([state, value]) => ({ labels: { ...node, state }, value })) },
        { name: 'kong_nginx_metric_errors_total', help: 'Number of errors while collecting metrics', type: 'counter', samples: [{ value: view.metricErrors() }] },
        { name: 'kong_nginx_requests_total', help: 'Number of requests total', type: 'gauge', samples: [{ labels: node, value: s.requestsTotal }] },
        { name: 'kong_node_info', help: 'Kong Node metadata information', type: 'gauge', samples: [{ labels: { node_id: view.nodeId, version: view.version }, value: 1 }] },
        {
          name: 'tollgate_config_reloads_total',
          help: 'Config reloads by outcome: success (live on every worker), failure (a worker could not build it), rejected (invalid)',
          type: 'counter',
          samples: (['success', 'failure', 'rejected'] as const).map((outcome) => ({ labels: { outcome }, value: reloads[outcome] })),
        },
        { name: 'tollgate_worker_restarts_total', help: 'Proxy worker threads restarted after they exited', type: 'counter', samples: [{ value: view.workerRestarts() }] },
      ]
    }
  }
}
