// What the proxy reports about a finished request: the status the client saw (499 when it left before a
// status line), who answered, the latencies from the context's marks, and the bytes its connection moved
// since the previous report on that connection.

import t from 'tap'
import type { RequestContext } from '../../../src/proxy/context.ts'
import type { Socket } from 'node:net'
import { reportRequestMetrics } from '../../../src/proxy/request-metrics.ts'
import { ClientConnections } from '../../../src/proxy/client-connections.ts'
import type { RequestMetricsWriter } from '../../../src/metrics/worker-metrics.ts'

interface Report {
  slot: number
  status: number
  fromService: boolean
  kongMs: number
  upstreamMs: number
  ingress: number
  egress: number
}

function recorder (): { writer: RequestMetricsWriter, reports: Report[] } {
  const reports: Report[] = []
  const writer: RequestMetricsWriter = {
    slotOf: () => -1,
    record (slot, status, fromService, kongMs, upstreamMs, _requestMs, ingress, egress) {
      reports.push({ slot, status, fromService, kongMs, upstreamMs, ingress, egress })
    },
  }
  return { writer, reports }
}

interface FakeSocket { bytesRead: number, bytesWritten: number | undefined }

interface Fields {
  slot?: number
  headersSent?: boolean
  statusCode?: number
  responded?: boolean
  startedAt?: number
  dispatchedAt?: number
  firstByteAt?: number
}

const connections = new ClientConnections(60)

function context (writer: RequestMetricsWriter, socket: FakeSocket, fields: Fields): RequestContext {
  return {
    connection: connections.of(socket as unknown as Socket),
    target: { metricsSlot: fields.slot ?? 7 },
    runtime: { metrics: writer },
    res: { headersSent: fields.headersSent ?? true, statusCode: fields.statusCode ?? 200 },
    socket,
    responded: fields.responded ?? false,
    startedAt: fields.startedAt ?? 100,
    dispatchedAt: fields.dispatchedAt ?? 0,
    firstByteAt: fields.firstByteAt ?? 0,
  } as unknown as RequestContext
}

t.test('an upstream answer: its status, source service, both latencies', async (t) => {
  const { writer, reports } = recorder()
  const socket = { bytesRead: 120, bytesWritten: 300 }
  reportRequestMetrics(context(writer, socket, { statusCode: 503, startedAt: 100, dispatchedAt: 101.5, firstByteAt: 111.5 }))
  t.same(reports, [{ slot: 7, status: 503, fromService: true, kongMs: 1.5, upstreamMs: 10, ingress: 120, egress: 300 }])
})

t.test('a gateway answer: source kong, no upstream latency', async (t) => {
  const { writer, reports } = recorder()
  reportRequestMetrics(context(writer, { bytesRead: 10, bytesWritten: 20 }, { statusCode: 403, responded: true }))
  t.equal(reports[0].status, 403)
  t.equal(reports[0].fromService, false)
  t.equal(reports[0].upstreamMs, -1, 'a negative latency: not observed')
  const after = recorder()
  // the upstream had answered headers, then a plugin or an error answered instead
  reportRequestMetrics(context(after.writer, { bytesRead: 10, bytesWritten: 20 }, { responded: true, dispatchedAt: 101, firstByteAt: 102 }))
  t.equal(after.reports[0].fromService, false, 'the gateway answered what the client saw')
})

t.test('the client left before a status line: 499, whatever statusCode says', async (t) => {
  const { writer, reports } = recorder()
  reportRequestMetrics(context(writer, { bytesRead: 50, bytesWritten: 0 }, { headersSent: false, statusCode: 200, dispatchedAt: 101 }))
  t.equal(reports[0].status, 499)
  t.equal(reports[0].fromService, false)
  t.equal(reports[0].upstreamMs, -1)
})

t.test('bytes: each request on a connection reports what moved since the previous one', async (t) => {
  const { writer, reports } = recorder()
  const socket: FakeSocket = { bytesRead: 100, bytesWritten: 400 }
  reportRequestMetrics(context(writer, socket, {}))
  socket.bytesRead = 180
  socket.bytesWritten = 1000
  reportRequestMetrics(context(writer, socket, {}))
  // a destroyed socket has released its write state: nothing more counts as written
  socket.bytesRead = 200
  socket.bytesWritten = undefined
  reportRequestMetrics(context(writer, socket, { headersSent: false }))
  t.same(reports.map((r) => [r.ingress, r.egress]), [[100, 400], [80, 600], [20, 0]])
})

t.test('a route that is not counted reports nothing, and moves no byte mark', async (t) => {
  const { writer, reports } = recorder()
  const socket = { bytesRead: 100, bytesWritten: 400 }
  reportRequestMetrics(context(writer, socket, { slot: -1 }))
  t.same(reports, [])
  reportRequestMetrics(context(writer, socket, {}))
  t.same(reports.map((r) => [r.ingress, r.egress]), [[100, 400]], 'its bytes count with the next counted request')
})
