// service.write_timeout: an upstream that stops reading the request body gets the request aborted after
// that long without progress, and the client gets Kong's 504; the gateway keeps serving.

import t from 'tap'
import { createServer, type Socket } from 'node:net'
import { once } from 'node:events'
import { request } from 'node:http'
import { send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

t.test('an upstream that stops reading the body: 504 after write_timeout', async (t) => {
  // accepts connections and reads nothing, so the kernel buffers fill and the gateway's writes stall
  const sockets = new Set<Socket>()
  const deaf = createServer((socket) => { sockets.add(socket); socket.pause() })
  deaf.listen(0, '127.0.0.1')
  await once(deaf, 'listening')
  t.teardown(() => { for (const s of sockets) s.destroy(); deaf.close() })
  const deafPort = (deaf.address() as { port: number }).port
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())

  const gateway = await startGateway({
    services: [
      { name: 'deaf', url: `http://127.0.0.1:${deafPort}`, write_timeout: 500, read_timeout: 60000, routes: [{ name: 'deaf', paths: ['/deaf'] }] },
      { name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/echo'] }] }
    ]
  })
  t.teardown(() => gateway.stop())

  const chunk = Buffer.alloc(1024 * 1024, 'x')
  const total = 64
  const reply = await new Promise<{ status: number, body: string }>((resolve, reject) => {
    const req = request(`${gateway.proxyUrl}/deaf`, { method: 'POST', headers: { 'content-length': String(chunk.length * total) } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    let sent = 0
    const pump = (): void => {
      while (sent < total) {
        sent++
        if (!req.write(chunk)) { req.once('drain', pump); return }
      }
      req.end()
    }
    pump()
  })
  t.equal(reply.status, 504)
  t.match(JSON.parse(reply.body), { message: 'The upstream server is timing out' })
  t.equal((await send(`${gateway.proxyUrl}/echo`)).status, 200, 'the gateway still serves')
})
