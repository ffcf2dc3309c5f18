// The health of an upstream's targets and addresses as Kong reports it, computed from the health table
// and the peers the main thread resolved: the shared part of the Admin health endpoints (health-admin.ts)
// and the kong_upstream_target_health series (health-metrics.ts). Kong's sources:
// kong/runloop/balancer/balancers.lua getTargetStatus/getStatus/updateStatus,
// kong/runloop/balancer/healthcheckers.lua get_upstream_health/get_balancer_health,
// kong/db/dao/targets.lua page_for_upstream_with_health.

import type { HealthRules } from './health-rules.ts'
import type { Peer, HealthView } from './types.ts'

export type AddressHealth = 'HEALTHY' | 'UNHEALTHY' | 'HEALTHCHECKS_OFF'
export type TargetHealth = AddressHealth | 'DNS_ERROR'

/** A target entity as the Admin API shows it (id, target, weight, upstream, created_at, tags, ...). */
export type TargetEntity = Readonly<Record<string, unknown>> & {
  readonly id: string
  /** host:port, normalised (Kong's format_host: IPv6 in brackets, the port always present) */
  readonly target: string
  readonly weight: number
}

export interface TargetHealthInput {
  readonly entity: TargetEntity
  /** the addresses it resolved to; empty when resolution failed (then `dns` is the resolver's error) */
  readonly peers: readonly Peer[]
  /** Kong's `dns` source of the target: the record type ('A', 'AAAA', 'SRV'), or the resolution error */
  readonly dns: string
}

export interface UpstreamHealthInput {
  readonly id: string
  readonly name: string
  readonly rules: HealthRules
  /** in the order the Admin API lists them */
  readonly targets: readonly TargetHealthInput[]
}

export interface WeightTotals {
  readonly total: number
  readonly unavailable: number
  readonly available: number
}

export interface AddressStatus {
  readonly ip: string
  readonly port: number
  readonly weight: number
  readonly health: AddressHealth
}

/** Kong's getTargetStatus, with each address's health as get_upstream_health sets it. */
export interface TargetStatus {
  readonly host: string
  readonly port: number
  readonly dns: string
  readonly nodeWeight: number
  readonly weight: WeightTotals
  readonly addresses: readonly AddressStatus[]
}

export function targetStatus (health: HealthView, rules: HealthRules, target: TargetHealthInput): TargetStatus {
  const { host, port } = splitTarget(target.entity.target)
  // a target of weight 0 is not added to the healthchecker, so its addresses are never unavailable
  const checked = rules.enabled && target.entity.weight > 0
  let total = 0
  let unavailable = 0
  const addresses: AddressStatus[] = []
  for (const peer of target.peers) {
    const healthy = !checked || health.isHealthy(peer.slot)
    total += peer.weight
    if (!healthy) unavailable += peer.weight
    addresses.push({ ip: peer.address, port: peer.port, weight: peer.weight, health: checked ? (healthy ? 'HEALTHY' : 'UNHEALTHY') : 'HEALTHCHECKS_OFF' })
  }
  return {
    host,
    port,
    dns: target.dns,
    nodeWeight: target.entity.weight,
    weight: { total, unavailable, available: total - unavailable },
    addresses,
  }
}

/** page_for_upstream_with_health: DNS_ERROR without addresses, else HEALTHY if any address is. */
export function overallTargetHealth (status: TargetStatus): TargetHealth {
  if (status.addresses.length === 0) return 'DNS_ERROR'
  let health: TargetHealth = 'HEALTHCHECKS_OFF'
  for (const address of status.addresses) {
    if (address.health === 'HEALTHY') return 'HEALTHY'
    if (address.health === 'UNHEALTHY') health = 'UNHEALTHY'
  }
  return health
}

/** "host:port" (host possibly a bracketed IPv6 address) into Kong's target name and port. */
export function splitTarget (target: string): { readonly host: string, readonly port: number } {
  const colon = target.lastIndexOf(':')
  const bracket = target.lastIndexOf(']')
  if (colon === -1 || colon < bracket) return { host: target, port: DEFAULT_TARGET_PORT }
  return { host: target.slice(0, colon), port: Number(target.slice(colon + 1)) }
}

/** kong/db/dao/targets.lua DEFAULT_PORT */
export const DEFAULT_TARGET_PORT = 8000
