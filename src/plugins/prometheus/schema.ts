// Kong's prometheus plugin (kong/plugins/prometheus/schema.lua at 3.9.0): the fields and defaults are
// Kong's. wasm_metrics came after 3.9 and is refused as an unknown field, as Kong 3.9 would. Kong's
// custom_validator (the `prometheus_metrics` shared dict exists) has no counterpart: Tollgate's metrics
// memory always exists. No no_consumer: Kong accepts it on any scope, consumers included.

import type { PluginSchema } from '../types.ts'

const flag = { type: 'boolean', required: true, default: false } as const

export const prometheusSchema: PluginSchema = {
  name: 'prometheus',
  noConsumer: false,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      /** the consumer label of kong_http_requests_total and kong_bandwidth_bytes */
      per_consumer: flag,
      /** kong_http_requests_total */
      status_code_metrics: flag,
      /** Kong's AI families; Tollgate ships no AI plugin, so accepted and without effect */
      ai_metrics: flag,
      /** kong_kong_latency_ms, kong_upstream_latency_ms, kong_request_latency_ms */
      latency_metrics: flag,
      /** kong_bandwidth_bytes */
      bandwidth_metrics: flag,
      /** Kong's kong_upstream_target_health; Tollgate has no upstreams/targets, so accepted and without effect */
      upstream_health_metrics: flag,
    },
  },
}
