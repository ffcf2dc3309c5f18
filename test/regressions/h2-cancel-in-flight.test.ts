// Regression: an HTTP/2 client cancelling a stream (RST_STREAM CANCEL) while its request was at the
// upstream crashed the proxy worker. The gateway aborts the upstream request in turn and undici calls the
// handler's onError, which checked `res.socket === null` to tell a client that went away; node:http2's
// compatibility response has `socket` undefined once its stream is closed, so `.destroyed` threw inside
// undici's callback: `worker_error` "Cannot read properties of undefined (reading 'destroyed')" and a
// worker restart. Found by the bench's h2 scenario, whose load ends by cancelling the streams in flight.

import t from 'tap'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect, constants } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { echoConfig, startGateway } from '../helpers/gateway.ts'
import { makeLeaf } from '../helpers/tls-certs.ts'
import { sendH2 } from '../helpers/tls-client.ts'
import { startUpstream } from '../helpers/upstream.ts'

t.test('a cancelled HTTP/2 stream with its request at the upstream leaves the worker running', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-h2-cancel-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const leaf = await makeLeaf(null)
  await writeFile(join(dir, 'cert.pem'), leaf.pem)
  await writeFile(join(dir, 'key.pem'), leaf.keyPem)
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway(echoConfig(upstream.url), {
    settings: { proxy_listen: ['127.0.0.1:0', '127.0.0.1:0 ssl http2'], ssl_cert: join(dir, 'cert.pem'), ssl_cert_key: join(dir, 'key.pem') }
  })
  t.teardown(() => gateway.stop())
  const addresses = gateway.logs.find((l) => l.event === 'listening')!.proxy as string[]
  const h2Port = Number(addresses[1].slice(addresses[1].lastIndexOf(':') + 1))

  const session = connect(`https://127.0.0.1:${h2Port}`, { rejectUnauthorized: false })
  t.teardown(() => session.destroy())
  const stream = session.request({ ':path': '/cancelled/slow?ms=5000' })
  stream.on('error', () => {})
  await upstream.waitForRequest((r) => r.url.startsWith('/cancelled/'))
  const upstreamSocket = await upstream.waitForConnection()
  stream.close(constants.NGHTTP2_CANCEL)
  // the gateway aborts the upstream request: once that connection closed, the abort has been handled
  if (!upstreamSocket.destroyed) await once(upstreamSocket, 'close')

  const after = await sendH2(h2Port, { ':path': '/after' })
  t.equal(after.headers[':status'], 200, 'the next HTTP/2 request is answered')
  t.same(gateway.logs.filter((l) => l.event === 'worker_error' || l.level === 'error'), [], 'no worker error, nothing logged at error level')
  t.same(gateway.logs.filter((l) => l.event === 'upstream_failed'), [], 'not an upstream failure either')
})
