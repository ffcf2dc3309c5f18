// DB-less Kong's upstream and target endpoints (kong/api/routes/upstreams.lua): GET /upstreams and
// /upstreams/{id or name}, /upstreams/{u}/targets (newest first, as targets.lua page_for_upstream sorts),
// /upstreams/{u}/targets/all (as stored), /upstreams/{u}/targets/{id or host:port}; writes answer Kong's
// DB-less 405. /targets is not Kong's (kong/api/routes/targets.lua disables it: 404). The health paths
// (/upstreams/{u}/health, .../targets/{t}/healthy|unhealthy) need the health state: this handler leaves
// them (null) to the one that has it.

import type { LoadedConfig, Target } from '../config/types.ts'
import { isUuid } from '../config/schema/typedefs.ts'
import { normalizeTarget } from '../config/schema/target.ts'
import { collection, item, segments } from './entity-endpoints.ts'
import { entityIndex, type EntityIndex } from './entity-index.ts'
import { METHOD_NOT_ALLOWED, NOT_FOUND, operationUnsupported } from './kong-errors.ts'
import type { AdminHandler, AdminRequest, AdminResult } from './types.ts'

const TARGET_ALLOW = 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT'

/** targets.lua sort_targets (created_at, then id), newest first as page_for_upstream walks it */
function newestFirst (a: Target, b: Target): number {
  if (a.created_at !== b.created_at) return b.created_at - a.created_at
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

function targetsOf (index: EntityIndex, upstreamId: string): Target[] {
  return (index.list('targets') as readonly Target[]).filter((target) => target.upstream.id === upstreamId)
}

/**
 * upstreams.lua target_endpoint: a UUID is the target's id, anything else its host:port. Kong compares that
 * with the stored (normalised) target as given, so "a.example" finds nothing there; Tollgate normalises it
 * first, so that it finds "a.example:8000".
 */
function findTarget (targets: readonly Target[], key: string): Target | null {
  if (isUuid(key)) return targets.find((target) => target.id === key) ?? null
  const wanted = normalizeTarget(key) ?? key
  return targets.find((target) => target.target === wanted) ?? null
}

function target (req: AdminRequest, found: Target | null): AdminResult {
  // every verb finds the target first: a missing one is 404, whatever the verb (upstreams.lua target_endpoint)
  if (req.method === 'OPTIONS') return { status: 204, headers: { allow: TARGET_ALLOW } }
  if (found === null) return NOT_FOUND
  switch (req.method) {
    case 'GET':
    case 'HEAD': return { status: 200, body: found }
    case 'PATCH':
    case 'PUT': return operationUnsupported('update', 'targets')
    case 'DELETE': return operationUnsupported('remove', 'targets')
    default: return METHOD_NOT_ALLOWED
  }
}

function targets (req: AdminRequest, index: EntityIndex, upstreamId: string, parts: readonly string[]): AdminResult {
  const list = targetsOf(index, upstreamId)
  const base = `/upstreams/${encodeURIComponent(parts[1])}/targets`
  if (parts.length === 3) return collection(req, 'targets', list.sort(newestFirst), base)
  if (parts.length === 4 && parts[3] === 'all') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return METHOD_NOT_ALLOWED
    return collection(req, 'targets', list, `${base}/all`)
  }
  return target(req, findTarget(list, parts[3]))
}

export function upstreamsHandler (config: () => LoadedConfig): AdminHandler {
  return (req) => {
    if (req.pathname.split('/')[1] !== 'upstreams') return null
    const parts = segments(req.pathname)
    if (parts === null) return NOT_FOUND
    const index = entityIndex(config())
    if (parts.length === 1) return collection(req, 'upstreams', index.list('upstreams'), '/upstreams')
    const upstream = index.find('upstreams', parts[1])
    if (parts.length === 2) return item(req, 'upstreams', upstream, parts[1])
    // the health paths: left to the handler that has the health state
    if (parts[2] !== 'targets' || parts.length > 4) return null
    return upstream === null ? NOT_FOUND : targets(req, index, upstream.id, parts)
  }
}
