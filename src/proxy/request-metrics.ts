// What a finished request was, in the numbers the metrics writer records (src/metrics/worker-metrics.ts):
// the status the client saw, who answered, the three latencies and the bytes the client connection moved.
// The proxy decides these; the writer only counts them.

import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { RequestContext } from './context.ts'
import { FAMILY_PER_CONSUMER } from '../metrics/families.ts'

/** Status reported for a request whose client went away before a status line was sent. */
export const CLIENT_CLOSED_STATUS = 499

/** A client connection's byte counts when its previous request was reported. */
class ByteMarks {
  read = 0
  written = 0
}

/**
 * The marks sit beside the sockets rather than on them. A property the gateway adds to node's sockets
 * gives them hidden classes node's own code does not otherwise meet, and net.Socket#_unrefTimer, which runs
 * on every read and write of every socket, then sees more shapes than V8 keeps its loads fast for: with the
 * marks as symbol properties, V8's --log-ic showed those loads going megamorphic, which they do not in a
 * plain node:https proxy.
 */
const byteMarks = new WeakMap<Socket, ByteMarks>()

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
  const socket = ctx.socket
  let marks = byteMarks.get(socket)
  if (marks === undefined) {
    marks = new ByteMarks()
    byteMarks.set(socket, marks)
  }
  const read = socket.bytesRead
  // undefined once the socket is destroyed and its write state released
  const written = socket.bytesWritten ?? marks.written
  const ingress = read - marks.read
  const egress = written - marks.written
  marks.read = read
  marks.written = written
  const families = ctx.metricsFamilies
  // per_consumer: status and bandwidth under the consumer's series, when it has one (else the route's)
  const consumerSlot = (families & FAMILY_PER_CONSUMER) !== 0 && ctx.consumer !== null && ctx.target.consumerSlots !== null
    ? ctx.target.consumerSlots.get(ctx.consumer.id) ?? slot
    : slot
  ctx.runtime.metrics.record(slot, status, fromService, kongMs, upstreamMs, now - ctx.startedAt, ingress, egress,
    families, consumerSlot)
}
