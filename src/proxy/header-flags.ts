// The `headers` / `headers_upstream` settings resolved once per config into booleans the hot path reads.

import type { Settings } from '../config/types.ts'

export interface HeaderFlags {
  readonly server: boolean
  readonly via: boolean
  readonly proxyLatency: boolean
  readonly upstreamLatency: boolean
  readonly responseLatency: boolean
  readonly adminLatency: boolean
  readonly upstreamStatus: boolean
  readonly requestId: boolean
  readonly requestIdUpstream: boolean
  /** Tollgate's opt-in X-Tollgate-Proxy-Latency-Us / X-Tollgate-Upstream-Latency-Us (microseconds) */
  readonly microseconds: boolean
}

export function headerFlags (settings: Settings): HeaderFlags {
  const on = new Set(settings.headers)
  const serverTokens = on.has('server_tokens')
  const latencyTokens = on.has('latency_tokens')
  return Object.freeze({
    server: serverTokens || on.has('server'),
    via: serverTokens || on.has('via'),
    proxyLatency: latencyTokens || on.has('x-kong-proxy-latency'),
    upstreamLatency: latencyTokens || on.has('x-kong-upstream-latency'),
    responseLatency: latencyTokens || on.has('x-kong-response-latency'),
    adminLatency: latencyTokens || on.has('x-kong-admin-latency'),
    upstreamStatus: on.has('x-kong-upstream-status'),
    requestId: on.has('x-kong-request-id'),
    requestIdUpstream: settings.headers_upstream.includes('x-kong-request-id'),
    microseconds: on.has('microsecond_latency_tokens')
  })
}
