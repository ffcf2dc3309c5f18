// The bodies of Kong's GET /upstreams/{upstream}/health (kong/api/routes/upstreams.lua), pure: the lead's
// Admin route finds the upstream (404 otherwise) and sends these with status 200.
//   plain:               { data: [target entity + health + data], next: null, node_id }
//                        (kong/db/dao/targets.lua page_for_upstream_with_health)
//   ?balancer_health=1:  { data: { health, balancer_health, id, details }, next: null, node_id }
//                        (kong/runloop/balancer/healthcheckers.lua get_balancer_health)
// Pagination is the caller's: it passes the page of targets and Kong's `next` and `offset` for it.

import type { HealthView } from './types.ts'
import {
  overallTargetHealth, targetStatus, type TargetEntity, type TargetHealth, type TargetStatus, type UpstreamHealthInput,
  type WeightTotals,
} from './health-status.ts'

export interface TargetWithHealth extends Readonly<Record<string, unknown>> {
  readonly health: TargetHealth
  readonly data: TargetStatus
}

export interface UpstreamHealthBody {
  readonly data: readonly TargetWithHealth[]
  readonly offset?: string
  readonly next: string | null
  readonly node_id: string
}

export interface BalancerHealth {
  /** HEALTHCHECKS_OFF when the upstream does not use health checks, else balancer_health */
  readonly health: 'HEALTHY' | 'UNHEALTHY' | 'HEALTHCHECKS_OFF'
  readonly balancer_health: 'HEALTHY' | 'UNHEALTHY'
  readonly id: string
  readonly details: {
    readonly healthy: boolean
    readonly weight: WeightTotals
    readonly hosts: readonly TargetStatus[]
  }
}

export interface BalancerHealthBody {
  readonly data: BalancerHealth
  readonly next: null
  readonly node_id: string
}

export interface Page {
  readonly offset?: string
  readonly next: string | null
}

const LAST_PAGE: Page = { next: null }

export function upstreamHealthBody (health: HealthView, upstream: UpstreamHealthInput, nodeId: string, page: Page = LAST_PAGE): UpstreamHealthBody {
  const data = upstream.targets.map((target): TargetWithHealth => {
    const status = targetStatus(health, upstream.rules, target)
    const entity: TargetEntity = target.entity
    return { ...entity, health: overallTargetHealth(status), data: status }
  })
  return page.offset === undefined ? { data, next: page.next, node_id: nodeId } : { data, offset: page.offset, next: page.next, node_id: nodeId }
}

export function balancerHealthBody (health: HealthView, upstream: UpstreamHealthInput, nodeId: string): BalancerHealthBody {
  return { data: balancerHealth(health, upstream), next: null, node_id: nodeId }
}

/**
 * balancers.lua updateStatus: healthy when the available share of the total weight is above
 * healthchecks.threshold percent (strictly; no weight at all is unhealthy).
 */
export function balancerHealth (health: HealthView, upstream: UpstreamHealthInput): BalancerHealth {
  const hosts = upstream.targets.map((target) => targetStatus(health, upstream.rules, target))
  let total = 0
  let unavailable = 0
  for (const host of hosts) {
    total += host.weight.total
    unavailable += host.weight.unavailable
  }
  const healthy = total !== 0 && (total - unavailable) / total * 100 > upstream.rules.threshold
  const balancerHealth = healthy ? 'HEALTHY' : 'UNHEALTHY'
  return {
    health: upstream.rules.enabled ? balancerHealth : 'HEALTHCHECKS_OFF',
    balancer_health: balancerHealth,
    id: upstream.id,
    details: { healthy, weight: { total, unavailable, available: total - unavailable }, hosts },
  }
}
