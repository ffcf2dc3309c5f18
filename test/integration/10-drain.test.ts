// SIGTERM drains: the listeners close at once (new connections are refused), a slow request already in
// flight still completes with 200 (and Connection: close), and the process exits 0.

import t from 'tap'
import { Agent } from 'node:http'
import { connect } from 'node:net'
import { echoConfig, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

const WORKERS = 2

function tryConnect (port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve('connected') })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

t.test('SIGTERM: in-flight requests complete, new connections are refused, exit 0', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { worker_processes: WORKERS } })
  t.teardown(() => gateway.stop())

  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const inFlight = send(`${gateway.proxyUrl}/slow?ms=1500`, { agent })
  await upstream.waitForRequest((r) => r.url.startsWith('/slow'))
  const mark = gateway.mark()
  gateway.child.kill('SIGTERM')

  // each worker logs 'draining' once its listener is closed
  let draining = 0
  await gateway.waitForLog((l) => l.event === 'draining' && ++draining === WORKERS, { after: mark })
  t.equal(await tryConnect(gateway.proxyPort), 'ECONNREFUSED', 'a new connection is refused while draining')

  const reply = await inFlight
  t.equal(reply.status, 200, 'the request in flight completed')
  t.equal(reply.json<{ url: string }>().url, '/slow?ms=1500')
  t.equal(reply.headers.connection, 'close', 'its keep-alive connection is not offered for reuse')
  t.equal(await gateway.exited, 0, 'exit code 0')
  t.ok(gateway.logs.some((l) => l.event === 'stopped'), 'logged stopped')
  t.notOk(gateway.logs.some((l) => l.event === 'drain_timeout'), 'within drain_timeout')
})

t.test('a drain that outlasts drain_timeout still exits 0 and says so', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { drain_timeout: 0.5 } })
  t.teardown(() => gateway.stop())
  const stuck = send(`${gateway.proxyUrl}/slow?ms=20000`).catch((err: Error) => err)
  await upstream.waitForRequest((r) => r.url.startsWith('/slow'))
  t.equal(await gateway.stop(), 0)
  t.ok(gateway.logs.some((l) => l.event === 'drain_timeout'), 'drain_timeout logged')
  t.ok((await stuck) instanceof Error, 'the request that outlived the drain was cut')
})
