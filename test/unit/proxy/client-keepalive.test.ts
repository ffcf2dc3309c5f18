// The idle client connections and their keepalive_timeout (src/proxy/client-keepalive.ts): a connection is
// idle once its last request ended, until the next begins; a sweep closes those idle for keepalive_timeout
// and leaves the rest: closed ones, those the next request has reached, those still writing.

import t from 'tap'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { ClientKeepAlive, sweepPeriod } from '../../../src/proxy/client-keepalive.ts'

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
  const keepAlive = new ClientKeepAlive(TIMEOUT_S)
  t.teardown(() => keepAlive.close())
  const socket = fakeSocket() as unknown as Socket
  const first = keepAlive.requestStarted(socket)
  t.equal(keepAlive.size, 0)
  // pipelined: a second request of the same connection before the first ended
  const second = keepAlive.requestStarted(socket)
  t.equal(second, first, 'one record per connection')
  keepAlive.requestEnded(first, performance.now())
  t.equal(keepAlive.size, 0, 'one request still being answered')
  keepAlive.requestEnded(second, performance.now())
  t.equal(keepAlive.size, 1, 'idle')
  keepAlive.requestStarted(socket)
  t.equal(keepAlive.size, 0, 'busy again')
})

t.test('the sweep closes what was idle for keepalive_timeout and nothing else', async (t) => {
  const keepAlive = new ClientKeepAlive(TIMEOUT_S)
  t.teardown(() => keepAlive.close())
  const now = performance.now()
  const idleLong = fakeSocket()
  const idleShort = fakeSocket()
  const closed = fakeSocket()
  const nextBegun = fakeSocket()
  const writing = fakeSocket()
  for (const socket of [idleLong, closed, nextBegun, writing]) {
    keepAlive.requestEnded(keepAlive.requestStarted(socket as unknown as Socket), now + LONG_AGO)
  }
  keepAlive.requestEnded(keepAlive.requestStarted(idleShort as unknown as Socket), now)
  closed.destroyed = true
  nextBegun.bytesRead += 10
  writing.writableLength = 512
  t.equal(keepAlive.size, 5)

  keepAlive.sweepNow()
  t.ok(idleLong.destroyed, 'idle for keepalive_timeout: closed')
  t.notOk(idleShort.destroyed, 'idle for less: kept')
  t.notOk(nextBegun.destroyed, 'the next request has begun: kept (client_header_timeout\'s now)')
  t.notOk(writing.destroyed, 'still writing its last response: kept')
  t.equal(keepAlive.size, 2, 'still watched: the one idle for less and the one writing')

  // the response went out: its idle time counts from the sweep that saw it writing
  writing.writableLength = 0
  keepAlive.sweepNow()
  t.notOk(writing.destroyed, 'not idle long enough since it finished writing')
})

t.test('keepalive_timeout 0 watches nothing', async (t) => {
  const keepAlive = new ClientKeepAlive(0)
  const socket = fakeSocket() as unknown as Socket
  keepAlive.requestEnded(keepAlive.requestStarted(socket), performance.now())
  t.equal(keepAlive.size, 0)
  t.equal(keepAlive.timeoutMs, 0)
})

t.test('the sweep runs at 1/16 of keepalive_timeout, within 10 ms and 1 s', async (t) => {
  t.equal(sweepPeriod(60_000), 1000)
  t.equal(sweepPeriod(1000), 62)
  t.equal(sweepPeriod(50), 10)
})
