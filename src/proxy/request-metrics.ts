// What a finished request was, in the numbers the metrics writer records (src/metrics/worker-metrics.ts):
// the status the client saw, who answered, the three latencies and the bytes the client connection moved.
// The proxy decides these; the writer only counts them.

import { performance } from 'node:perf_hooks'
import type { RequestContext } from './context.ts'
import { FAMILY_PER_CONSUMER } from '../metrics/families.ts'

/** Status reported for a request whose client went away before a status line was sent. */
export const CLIENT_CLOSED_STATUS = 499

/**
 * Reports a finished request to the Runtime's metrics writer: status by source, bandwidth, and the Kong,
 * upstream and request latencies. Bandwidth is the socket's byte counts since the previous request
 * reported on the connection, so every byte of a keep-alive connection is counted once; a response the
 * gateway makes before routing (400/404) has no route and its bytes count with the next routed request on
 * that connection. Which families it records is the request's metricsFamilies (metrics/families.ts).
 */
export function reportRequestMetrics (ctx: RequestContext, now = performance.now()): void {
  const slot = ctx.target.metricsSlot
  if (slot < 0) return
  const res = ctx.res
  // the client went away before a status line was sent: nginx logs 499 (NGX_HTTP_CLIENT_CLOSED_REQUEST,
  // src/http/ngx_http_request.h), and Kong's exporter counts that logged status (kong.log.serialize's
  // response.status in kong/plugins/prometheus/exporter.lua)
  const status = res.headersSent ? res.statusCode : CLIENT_CLOSED_STATUS
  const fromService = ctx.firstByteAt !== 0 && !ctx.responded
  const kongMs = ctx.dispatchedAt !== 0 ? ctx.dispatchedAt - ctx.startedAt : now - ctx.startedAt
  const upstreamMs = ctx.firstByteAt !== 0 ? ctx.firstByteAt - ctx.dispatchedAt : -1
  // the marks are kept in the connection's record (client-connections.ts), not on its socket
  const connection = ctx.connection
  const socket = connection.socket
  const read = socket.bytesRead
  // undefined once the socket is destroyed and its write state released
  const written = socket.bytesWritten ?? connection.bytesWrittenMark
  const ingress = read - connection.bytesReadMark
  const egress = written - connection.bytesWrittenMark
  connection.bytesReadMark = read
  connection.bytesWrittenMark = written
  const families = ctx.metricsFamilies
  // per_consumer: status and bandwidth under the consumer's series, when it has one (else the route's)
  const consumerSlot = (families & FAMILY_PER_CONSUMER) !== 0 && ctx.consumer !== null && ctx.target.consumerSlots !== null
    ? ctx.target.consumerSlots.get(ctx.consumer.id) ?? slot
    : slot
  ctx.runtime.metrics.record(slot, status, fromService, kongMs, upstreamMs, now - ctx.startedAt, ingress, egress,
    families, consumerSlot)
}
