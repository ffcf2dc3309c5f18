// GET /metrics: kong_upstream_target_health for the running config's upstreams (health-metrics.ts). As for
// the per-request families (src/metrics/families.ts), a config without a prometheus plugin exports it, and
// one with enabled prometheus plugins exports it when one of them has upstream_health_metrics on (Kong's
// exporter.lua writes it only then).

import type { LoadedConfig } from '../config/types.ts'
import { PROMETHEUS_PLUGIN } from '../metrics/families.ts'
import type { MetricsSource } from '../metrics/types.ts'
import { upstreamTargetHealthFamily } from './health-metrics.ts'
import type { UpstreamRegistry } from './upstream-registry.ts'

export function upstreamHealthMetricsSource (registry: UpstreamRegistry, config: () => LoadedConfig): MetricsSource {
  return {
    collect: () => {
      const upstreams = registry.upstreamsHealth()
      if (upstreams.length === 0 || !exported(config())) return []
      return [upstreamTargetHealthFamily(registry.table, upstreams)]
    }
  }
}

function exported (config: LoadedConfig): boolean {
  let configured = false
  for (const plugin of config.entities.plugins) {
    if (plugin.name !== PROMETHEUS_PLUGIN || !plugin.enabled) continue
    if (plugin.config.upstream_health_metrics === true) return true
    configured = true
  }
  return !configured
}
