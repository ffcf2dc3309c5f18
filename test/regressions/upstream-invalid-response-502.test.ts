// Regression: an upstream answering with something that is not HTTP got 500 "An unexpected error
// occurred" instead of Kong's 502. undici 7 raises HTTPParserError with `code` undefined (client-h1.js
// indexes llhttp's name-to-number ERROR map with the number), so mapping by code alone missed it.

import t from 'tap'
import { createServer, type Socket } from 'node:net'
import { once } from 'node:events'
import { Pool } from 'undici'
import { classifyUpstreamError } from '../../src/proxy/upstream-errors.ts'

t.test('a response that is not HTTP classifies as 502', async (t) => {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    // undici resets the connection once it sees the garbage: that is expected here
    socket.on('error', () => {})
    socket.end('this is not HTTP\r\n\r\n')
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const pool = new Pool(`http://127.0.0.1:${(server.address() as { port: number }).port}`)
  t.teardown(async () => {
    await pool.destroy()
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  const err = await pool.request({ path: '/', method: 'GET' }).then(() => null, (e: Error) => e)
  t.ok(err instanceof Error, 'undici failed the request')
  t.equal(classifyUpstreamError(err).status, 502)
  t.equal(classifyUpstreamError(err).notSent, false, 'the request was sent: not retried')
})
