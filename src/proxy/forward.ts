// Sends the request upstream through the route's pooled undici dispatcher (a balanced service's: the
// pool of the peer picked for this attempt), with the RequestContext as the handler. The request body streams from the client socket unless a plugin buffered it. When an attempt
// fails, decides here whether to send it again (up to the service's retries) or answer with Kong's error.

import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import { performance } from 'node:perf_hooks'
import type { RequestContext } from './context.ts'
import { finishRequest } from './finish.ts'
import { chunksLength } from './read-body.ts'
import { classifyUpstreamError } from './upstream-errors.ts'
import { armWriteTimer } from './write-timeout.ts'
import { pickPeer } from './peer-attempt.ts'

export function requestHasBody (req: IncomingMessage): boolean {
  const headers = req.headers
  if (headers['transfer-encoding'] !== undefined) return true
  const length = headers['content-length']
  if (length !== undefined) return length !== '0'
  // HTTP/2 frames a body without either header: one follows unless the HEADERS frame ended the stream
  return req.httpVersionMajor === 2 && !(req as unknown as Http2ServerRequest).stream.endAfterHeaders
}

export function dispatchUpstream (ctx: RequestContext): void {
  const target = ctx.target
  const service = target.service!
  ctx.attempts++
  if (ctx.attempts === 1) ctx.dispatchedAt = performance.now()
  let pool = target.pool
  if (target.balanced !== null) {
    pool = pickPeer(ctx, target.balanced)
    // no peer left: pickPeer answered Kong's 503
    if (pool === null) return
  }
  let body: Buffer | IncomingMessage | null = null
  const buffered = ctx.bufferedBody
  if (buffered !== null) {
    const isBuffer = Buffer.isBuffer(buffered)
    ctx.upstreamHeaders['content-length'] = String(isBuffer ? buffered.length : chunksLength(buffered))
    // undici sends any iterable of chunks (lib/core/request.js), and again on a retry; its typings
    // list only Buffer, string and streams
    body = isBuffer ? buffered : buffered as unknown as Buffer
  } else if (requestHasBody(ctx.req)) {
    body = ctx.req
  }
  if (body !== null && service.write_timeout > 0) armWriteTimer(ctx, service.write_timeout)
  pool!.dispatch({
    path: ctx.query === '' && !endsWithQuestionMark(ctx.req.url) ? ctx.upstreamPath : `${ctx.upstreamPath}?${ctx.query}`,
    method: ctx.method,
    headers: ctx.dispatchHeaders(),
    body
    // no headersTimeout or bodyTimeout (the pools' are 0): read_timeout is read-timeout.ts's
  }, ctx)
}

/**
 * `GET /request?` keeps its empty query upstream: nginx would drop it ($is_args is empty), so Kong appends
 * the '?' itself when the request URI ends with one (kong/runloop/handler.lua, balancer `after`).
 */
function endsWithQuestionMark (url: string | undefined): boolean {
  return url !== undefined && url.charCodeAt(url.length - 1) === 63 /* ? */
}

/**
 * A failed attempt: sent again when it never reached the upstream, retries are left and its body can be
 * replayed; otherwise answered with the status upstream-errors.ts maps the failure to.
 */
export function respondToUpstreamError (ctx: RequestContext, err: Error): void {
  if (ctx.finished) return
  const res = ctx.res
  if (res.headersSent) {
    // the status line is out: the only honest signal left is an aborted response
    res.destroy()
    finishRequest(ctx)
    return
  }
  const failure = classifyUpstreamError(err)
  const service = ctx.target.service!
  if (failure.notSent && ctx.attempts <= service.retries && canReplay(ctx)) {
    dispatchUpstream(ctx)
    return
  }
  ctx.state.logger.log(failure.status === 500 ? 'error' : 'warn', 'upstream_failed', {
    request_id: ctx.requestId,
    service: service.name ?? service.id,
    status: failure.status,
    attempts: ctx.attempts,
    error: err
  })
  ctx.upstreamStatus = 0
  ctx.exit(failure.status, failure.message)
}

/** A failed attempt may be sent again only if its body can be replayed (none, or buffered). */
function canReplay (ctx: RequestContext): boolean {
  return ctx.bufferedBody !== null || !requestHasBody(ctx.req)
}
