// The service's write_timeout (nginx's proxy_send_timeout): the longest gap between two successful writes
// of a request body to the upstream. undici has no such timeout, so one timer per request that has a body
// is refreshed on every chunk undici hands to the socket and cleared once the request is sent or answered;
// bodiless requests (the hot path) never arm it.

import { UpstreamError } from '../core/errors.ts'
import type { RequestContext } from './context.ts'

export const WRITE_TIMEOUT_CODE = 'UPSTREAM_WRITE_TIMEOUT'

export function armWriteTimer (ctx: RequestContext, timeoutMs: number): void {
  if (ctx.writeTimer !== null) ctx.writeTimer.refresh()
  else ctx.writeTimer = setTimeout(onWriteTimeout, timeoutMs, ctx).unref()
}

export function disarmWriteTimer (ctx: RequestContext): void {
  if (ctx.writeTimer === null) return
  clearTimeout(ctx.writeTimer)
  ctx.writeTimer = null
}

function onWriteTimeout (ctx: RequestContext): void {
  ctx.writeTimer = null
  // A streamed body with nothing queued and not held back by undici is waiting on the client, not on
  // the upstream: that stall is the client timeouts' to judge, so keep watching.
  const streamed = ctx.bufferedBody === null ? ctx.req : null
  if (streamed !== null && !streamed.isPaused() && streamed.readableLength === 0 && !streamed.readableEnded) {
    armWriteTimer(ctx, ctx.service!.write_timeout)
    return
  }
  ctx.abortUpstream?.(new UpstreamError('the upstream did not accept the request body in time', WRITE_TIMEOUT_CODE, 504))
}
