// Each client connection's record and the keepalive_timeout of the HTTP/1.1 ones
// (src/proxy/client-connections.ts): one record per socket; a connection is idle once its last request
// ended, until the next begins; a sweep closes those idle for keepalive_timeout and leaves the rest: closed
// ones, those the next request has reached, those still writing.

import t from 'tap'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { ClientConnections, sweepPeriod } from '../../../src/proxy/client-connections.ts'

interface FakeSocket {
  destroyed: boolean
  bytesRead: number
  writableLength: number
  destroy: () => void
}

function fakeSocket (): FakeSocket {
  const socket: FakeSocket = {
    destroyed: false,
    bytesRead: 100,
    writableLength: 0,
    destroy () { socket.destroyed = true }
  }
  return socket
}

const TIMEOUT_S = 60
const LONG_AGO = -TIMEOUT_S * 1000 - 1

t.test('a connection is idle once its last request ended, until the next one starts', async (t) => {
  const connections = new ClientConnections(TIMEOUT_S)
  t.teardown(() => connections.close())
  const socket = fakeSocket() as unknown as Socket
  const connection = connections.of(socket)
  t.equal(connections.of(socket), connection, 'one record per connection')
  t.not(connections.of(fakeSocket() as unknown as Socket), connection, 'and one for each')
  connections.requestStarted(connection)
  t.equal(connections.size, 0)
  // pipelined: a second request of the same connection before the first ended
  connections.requestStarted(connection)
  connections.requestEnded(connection, performance.now())
  t.equal(connections.size, 0, 'one request still being answered')
  connections.requestEnded(connection, performance.now())
  t.equal(connections.size, 1, 'idle')
  connections.requestStarted(connection)
  t.equal(connections.size, 0, 'busy again')
})

t.test('the sweep closes what was idle for keepalive_timeout and nothing else', async (t) => {
  const connections = new ClientConnections(TIMEOUT_S)
  t.teardown(() => connections.close())
  const now = performance.now()
  const idleLong = fakeSocket()
  const idleShort = fakeSocket()
  const closed = fakeSocket()
  const nextBegun = fakeSocket()
  const writing = fakeSocket()
  const request = (socket: FakeSocket, endedAt: number): void => {
    const connection = connections.of(socket as unknown as Socket)
    connections.requestStarted(connection)
    connections.requestEnded(connection, endedAt)
  }
  for (const socket of [idleLong, closed, nextBegun, writing]) request(socket, now + LONG_AGO)
  request(idleShort, now)
  closed.destroyed = true
  nextBegun.bytesRead += 10
  writing.writableLength = 512
  t.equal(connections.size, 5)

  connections.sweepNow()
  t.ok(idleLong.destroyed, 'idle for keepalive_timeout: closed')
  t.notOk(idleShort.destroyed, 'idle for less: kept')
  t.notOk(nextBegun.destroyed, 'the next request has begun: kept (client_header_timeout\'s now)')
  t.notOk(writing.destroyed, 'still writing its last response: kept')
  t.equal(connections.size, 2, 'still watched: the one idle for less and the one writing')

  // the response went out: its idle time counts from the sweep that saw it writing
  writing.writableLength = 0
  connections.sweepNow()
  t.notOk(writing.destroyed, 'not idle long enough since it finished writing')
})

t.test('keepalive_timeout 0 watches nothing', async (t) => {
  const connections = new ClientConnections(0)
  const connection = connections.of(fakeSocket() as unknown as Socket)
  connections.requestStarted(connection)
  connections.requestEnded(connection, performance.now())
  t.equal(connections.size, 0)
  t.equal(connections.timeoutMs, 0)
})

t.test('the sweep runs at 1/16 of keepalive_timeout, within 10 ms and 1 s', async (t) => {
  t.equal(sweepPeriod(60_000), 1000)
  t.equal(sweepPeriod(1000), 62)
  t.equal(sweepPeriod(50), 10)
})
