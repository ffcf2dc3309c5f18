// GET /metrics on the Admin listener (as Kong's prometheus plugin serves it there): every registered
// source, in Prometheus text format.

import { CONTENT_TYPE } from '../metrics/exposition.ts'
import type { MetricsRegistry } from '../metrics/registry.ts'
import { METHOD_NOT_ALLOWED } from './kong-errors.ts'
import type { AdminHandler } from './types.ts'

export function metricsHandler (registry: MetricsRegistry): AdminHandler {
  return async (req) => {
    if (req.pathname !== '/metrics') return null
    if (req.method !== 'GET' && req.method !== 'HEAD') return METHOD_NOT_ALLOWED
    return { status: 200, body: await registry.render(), headers: { 'content-type': CONTENT_TYPE } }
  }
}
