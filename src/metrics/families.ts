// Which of Kong's per-request prometheus families a request records, as bit flags: the flags of the
// prometheus plugin in force on the request (kong/plugins/prometheus/handler.lua PrometheusHandler:log:
// status_code_metrics -> kong_http_requests_total, latency_metrics -> kong_kong_latency_ms,
// kong_upstream_latency_ms, kong_request_latency_ms, bandwidth_metrics -> kong_bandwidth_bytes,
// per_consumer -> the consumer label of kong_http_requests_total and kong_bandwidth_bytes).
//
// Kong records nothing, and GET /metrics writes none of these families, while no prometheus plugin is
// configured (kong/plugins/prometheus/exporter.lua: the log phase never runs, and metric_data passes
// local_only = not IS_PROMETHEUS_ENABLED). Tollgate keeps exporting them then: a config without the plugin
// records and exports every family (without consumers), as it always has. Once the config has an
// enabled prometheus plugin, a request records what its own plugin's flags ask for (none when no
// prometheus plugin applies to it), and GET /metrics writes only the families some plugin enables.

import type { LoadedConfig } from '../config/types.ts'

export const FAMILY_STATUS = 1
export const FAMILY_LATENCY = 2
export const FAMILY_BANDWIDTH = 4
/** not a family: the consumer label on the status and bandwidth families */
export const FAMILY_PER_CONSUMER = 8
/** what a config without a prometheus plugin records and exports */
export const ALL_FAMILIES = FAMILY_STATUS | FAMILY_LATENCY | FAMILY_BANDWIDTH

export const PROMETHEUS_PLUGIN = 'prometheus'

/** The flags of one prometheus plugin config (its schema's fields, defaults applied). */
export function familiesOf (config: Readonly<Record<string, unknown>>): number {
  return (config.status_code_metrics === true ? FAMILY_STATUS : 0) |
    (config.latency_metrics === true ? FAMILY_LATENCY : 0) |
    (config.bandwidth_metrics === true ? FAMILY_BANDWIDTH : 0) |
    (config.per_consumer === true ? FAMILY_PER_CONSUMER : 0)
}

export interface ConfigFamilies {
  /** some enabled prometheus plugin is configured (Kong's IS_PROMETHEUS_ENABLED) */
  readonly configured: boolean
  /** the union of their flags; ALL_FAMILIES when none is configured */
  readonly exported: number
  /** what a request records before (or without) a prometheus plugin's log phase */
  readonly requestDefault: number
}

/** Decided once per config load, on the main thread (export) and in each worker (request default). */
export function configFamilies (config: LoadedConfig): ConfigFamilies {
  let configured = false
  let exported = 0
  for (const plugin of config.entities.plugins) {
    if (plugin.name !== PROMETHEUS_PLUGIN || !plugin.enabled) continue
    configured = true
    exported |= familiesOf(plugin.config)
  }
  return configured
    ? { configured, exported, requestDefault: 0 }
    : { configured, exported: ALL_FAMILIES, requestDefault: ALL_FAMILIES }
}
