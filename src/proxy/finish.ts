// The end of a request, whichever way it ends: the upstream answered, failed, a plugin answered, or the
// client went away. Runs the log phase once, writes the optional access log line, reports the request's
// metrics and settles the in-flight count and the connection's keep-alive.

import type { RequestContext } from './context.ts'
import { performance } from 'node:perf_hooks'
import { reportRequestMetrics } from './request-metrics.ts'
import { peerDone } from './peer-attempt.ts'

export function finishRequest (ctx: RequestContext): void {
  if (ctx.finished) return
  ctx.finished = true
  ctx.state.readDeadlines.disarm(ctx)
  if (ctx.peer !== null) peerDone(ctx)
  // the chain in force: an authenticated consumer's plugins log too (consumer-switch.ts)
  const chain = ctx.chain.log
  if (chain !== null) {
    for (let i = 0; i < chain.length; i++) {
      try {
        chain[i].log!(ctx)
      } catch (err) {
        ctx.state.logger.log('error', 'plugin_log_phase_failed', { plugin: chain[i].name, error: err })
      }
    }
  }
  const now = performance.now()
  try {
    if (ctx.state.settings.proxy_access_log !== 'off') writeAccessLog(ctx)
    reportRequestMetrics(ctx, now)
  } finally {
    // whatever went wrong above, the request must stop counting as in flight, or a drain waits forever;
    // an HTTP/1.1 connection's keep-alive wait starts (client-connections.ts)
    ctx.state.requestEnded(ctx.http2 ? null : ctx.connection, now)
  }
}

function writeAccessLog (ctx: RequestContext): void {
  // The query string is left out on purpose: it may carry client credentials.
  const now = performance.now()
  const line = JSON.stringify({
    time: new Date().toISOString(),
    event: 'access',
    request_id: ctx.requestId,
    method: ctx.req.method,
    path: ctx.path,
    status: ctx.res.statusCode,
    route: ctx.route.name ?? ctx.route.id,
    service: ctx.service === null ? null : ctx.service.name ?? ctx.service.id,
    latencies: {
      proxy: ctx.dispatchedAt === 0 ? null : ctx.dispatchedAt - ctx.startedAt,
      upstream: ctx.firstByteAt === 0 ? null : ctx.firstByteAt - ctx.dispatchedAt,
      request: now - ctx.startedAt
    }
  }) + '\n'
  if (ctx.state.settings.proxy_access_log === 'stderr') process.stderr.write(line)
  else process.stdout.write(line)
}
