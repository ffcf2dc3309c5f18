// kong_upstream_target_health as Kong's prometheus plugin exports it (kong/plugins/prometheus/exporter.lua:
// the upstream_target_health gauge and set_healthiness_metrics): for every address of every target, one
// series per state (healthchecks_off, healthy, unhealthy, dns_error), 1 for the current one and 0 for the
// others; a target without addresses gets the four series with address "" and dns_error set. Labels:
// upstream (its name), target (host:port), address (ip:port), state, subsystem. Kong exports the family
// only when a prometheus plugin has upstream_health_metrics on; that choice is the caller's.

import type { MetricFamily, ValueSample } from '../metrics/types.ts'
import type { HealthView } from './types.ts'
import { targetStatus, type UpstreamHealthInput } from './health-status.ts'

const STATES = ['healthchecks_off', 'healthy', 'unhealthy', 'dns_error'] as const
const SUBSYSTEM = 'http'

export const UPSTREAM_TARGET_HEALTH = 'kong_upstream_target_health'

export function upstreamTargetHealthFamily (health: HealthView, upstreams: readonly UpstreamHealthInput[]): MetricFamily {
  const samples: ValueSample[] = []
  for (const upstream of upstreams) {
    for (const target of upstream.targets) {
      const status = targetStatus(health, upstream.rules, target)
      if (status.addresses.length === 0) {
        pushStates(samples, upstream.name, target.entity.target, '', 'dns_error')
        continue
      }
      for (const address of status.addresses) {
        pushStates(samples, upstream.name, target.entity.target, `${address.ip}:${address.port}`, address.health.toLowerCase())
      }
    }
  }
  return {
    name: UPSTREAM_TARGET_HEALTH,
    help: 'Health status of targets of upstream. States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.',
    type: 'gauge',
    samples,
  }
}

function pushStates (samples: ValueSample[], upstream: string, target: string, address: string, current: string): void {
  for (const state of STATES) {
    samples.push({ labels: { upstream, target, address, state, subsystem: SUBSYSTEM }, value: state === current ? 1 : 0 })
  }
}
