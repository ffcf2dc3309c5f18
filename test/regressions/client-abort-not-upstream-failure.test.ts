// Regression: a client that went away in the middle of its request body (closed, or timed out by
// client_body_timeout) was logged as `upstream_failed` with status 500 at error level: undici reports the
// broken-off body as an aborted upstream request, though nobody is left to answer and the upstream did
// nothing wrong.

import t from 'tap'
import { connect } from 'node:net'
import { once } from 'node:events'
import { echoConfig, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

t.test('a client leaving mid-body is not an upstream failure', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  })
  t.teardown(() => gateway.stop())

  const socket = connect(gateway.proxyPort, '127.0.0.1')
  await once(socket, 'connect')
  socket.write('POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nthe first bytes')
  // the gateway streams the body: the upstream connection opens before the body is complete
  const upstreamSocket = await upstream.waitForConnection()
  socket.destroy()
  // the gateway aborts the upstream request in turn; once that connection closed, one more exchange
  // makes sure the worker has handled everything the abort caused
  if (!upstreamSocket.destroyed) await new Promise((resolve) => upstreamSocket.once('close', resolve))
  t.equal((await send(`${gateway.proxyUrl}/after`)).status, 200)

  t.same(gateway.logs.filter((l) => l.event === 'upstream_failed'), [], 'nothing logged as an upstream failure')
  const status = (await send(`${gateway.adminUrl}/status`)).json<{ server: Record<string, number> }>()
  t.equal(status.server.connections_writing, 0, 'the request is not left in flight')
})
