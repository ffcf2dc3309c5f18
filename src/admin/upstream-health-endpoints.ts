// Kong's upstream health endpoints (kong/api/routes/upstreams.lua), answered from the upstream registry
// (src/balancer/upstream-registry.ts), which holds the health table and the peers targets resolved to:
//   GET /upstreams/{u}/health                       every target with its health (?balancer_health=1: the
//                                                   upstream's as a whole)
//   PUT /upstreams/{u}/targets/{t}/healthy|unhealthy            set every address of the target
//   PUT /upstreams/{u}/targets/{t}/{address}/healthy|unhealthy  set one address
// The rest of /upstreams is upstream-endpoints.ts's. Kong allows the PUTs in DB-less mode too: they change
// health state, not configuration.

import type { UpstreamRegistry } from '../balancer/upstream-registry.ts'
import { balancerHealthBody, upstreamHealthBody } from '../balancer/health-admin.ts'
import { setTargetHealth } from '../balancer/health-override.ts'
import type { TargetHealthInput, UpstreamHealthInput } from '../balancer/health-status.ts'
import { normalizeTarget } from '../config/schema/target.ts'
import { isUuid } from '../config/schema/typedefs.ts'
import { segments } from './entity-endpoints.ts'
import { METHOD_NOT_ALLOWED, NOT_FOUND } from './kong-errors.ts'
import type { AdminHandler, AdminRequest, AdminResult } from './types.ts'

export function upstreamHealthHandler (registry: UpstreamRegistry, nodeId: string): AdminHandler {
  return (req) => {
    if (req.pathname.split('/')[1] !== 'upstreams') return null
    const parts = segments(req.pathname)
    if (parts === null || parts.length < 3) return null
    if (parts.length === 3 && parts[2] === 'health') return health(req, registry, parts[1], nodeId)
    const last = parts[parts.length - 1]
    if (parts[2] !== 'targets' || (parts.length !== 5 && parts.length !== 6) || (last !== 'healthy' && last !== 'unhealthy')) return null
    if (req.method !== 'PUT') return METHOD_NOT_ALLOWED
    const upstream = registry.upstreamHealth(parts[1])
    if (upstream === null) return NOT_FOUND
    const target = findTarget(upstream, parts[3])
    if (target === null) return NOT_FOUND
    const result = setTargetHealth(registry.table, upstream, target, parts.length === 6 ? parts[4] : null, last === 'healthy')
    return result.status === 204 ? { status: 204 } : result
  }
}

function health (req: AdminRequest, registry: UpstreamRegistry, key: string, nodeId: string): AdminResult {
  if (req.method !== 'GET' && req.method !== 'HEAD') return METHOD_NOT_ALLOWED
  const upstream = registry.upstreamHealth(key)
  if (upstream === null) return NOT_FOUND
  if (req.query.get('balancer_health') === '1') return { status: 200, body: balancerHealthBody(registry.table, upstream, nodeId) }
  return { status: 200, body: upstreamHealthBody(registry.table, upstream, nodeId) }
}

/** upstreams.lua target_endpoint: a UUID is the target's id, anything else its host:port (normalised here). */
function findTarget (upstream: UpstreamHealthInput, key: string): TargetHealthInput | null {
  if (isUuid(key)) return upstream.targets.find((target) => target.entity.id === key) ?? null
  const wanted = normalizeTarget(key) ?? key
  return upstream.targets.find((target) => target.entity.target === wanted) ?? null
}
