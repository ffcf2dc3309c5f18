// proxy_listen port 0 (src/workers/port-holders.ts): the picked port stays bound until the workers have
// joined it with reusePort, so no other socket is given it in between; released, the workers' sockets
// alone answer on it, and fixed ports are left as they are.

import t from 'tap'
import { once } from 'node:events'
import { connect, createServer, type Server } from 'node:net'
import { parseListen } from '../../../src/config/listen.ts'
import type { ConfigIssue } from '../../../src/core/errors.ts'
import { holdPorts } from '../../../src/workers/port-holders.ts'
import { listenOptions } from '../../../src/workers/listen-options.ts'

function addresses (value: string): ReturnType<typeof parseListen> {
  const issues: ConfigIssue[] = []
  const parsed = parseListen(value, 'proxy_listen', issues, { allowOff: false, tls: true })
  if (issues.length > 0) throw new Error(JSON.stringify(issues))
  return parsed
}

async function bind (server: Server, options: Parameters<Server['listen']>[0]): Promise<NodeJS.ErrnoException | null> {
  const failed = once(server, 'error').then(([err]) => err as NodeJS.ErrnoException)
  server.listen(options)
  return await Promise.race([once(server, 'listening').then(() => null), failed])
}

/** connects and reads the one line the server at the other end writes */
async function greeting (port: number): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  let text = ''
  socket.on('data', (chunk: Buffer) => { text += chunk.toString() })
  await once(socket, 'close')
  return text
}

t.test('a port 0 entry is held until released; the workers join it, then answer alone', async (t) => {
  const held = await holdPorts(addresses('127.0.0.1:0 reuseport, 127.0.0.1:0 ssl'))
  const [plain, tls] = held.addresses
  t.ok(plain.port > 0 && tls.port > 0 && plain.port !== tls.port, `two ports picked (${plain.port}, ${tls.port})`)
  t.equal(tls.ssl, true, 'the entry keeps its flags')

  // a socket outside the reusePort group cannot take it while it is held
  const outsider = createServer()
  t.equal((await bind(outsider, { port: plain.port, host: '127.0.0.1' }))?.code, 'EADDRINUSE', 'held: another socket is refused the port')

  // a worker's socket (the same listen options) joins it
  const worker = createServer((socket) => { socket.end('worker\n') })
  t.teardown(() => { worker.close() })
  t.equal(await bind(worker, listenOptions(plain)), null, 'a worker binds the held port')

  await held.release()
  const answers = await Promise.all(Array.from({ length: 20 }, async () => await greeting(plain.port)))
  t.same(new Set(answers), new Set(['worker\n']), 'released: every connection reaches a worker, none a closed holder')
  await held.release()
  t.pass('releasing twice is harmless')
})

t.test('a fixed port is left as it is', async (t) => {
  const given = addresses('127.0.0.1:8000 reuseport, 127.0.0.1:0')
  const held = await holdPorts(given)
  t.equal(held.addresses[0], given[0], 'the same entry, nothing bound for it')
  t.not(held.addresses[1].port, 0)
  await held.release()
})
