// Regression: buffering a chunked body over client_max_body_size threw out of a `for await` loop, which
// destroyed the request and detached its socket before the 413 was written (and left code that reads
// req.socket afterwards with null). The body readers now stop reading and leave the request alone.

import t from 'tap'
import { createServer, request } from 'node:http'
import { once } from 'node:events'
import { ClientError } from '../../src/core/errors.ts'
import { chunksLength, readBodyChunks } from '../../src/proxy/read-body.ts'

t.test('over the limit: a 413 ClientError, the request and its socket intact', async (t) => {
  const seen: Array<{ err: unknown, destroyed: boolean, socket: boolean }> = []
  const server = createServer((req, res) => {
    readBodyChunks(req, 1000).then(() => {
      res.end('read')
    }, (err: unknown) => {
      seen.push({ err, destroyed: req.destroyed, socket: req.socket !== null })
      res.writeHead(413, { connection: 'close' }).end('too large')
    })
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  const port = (server.address() as { port: number }).port

  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ port, method: 'POST', agent: false }, (res) => { res.resume(); resolve(res.statusCode!) })
    req.on('error', reject)
    req.write(Buffer.alloc(600))
    req.write(Buffer.alloc(600))
  })
  t.equal(status, 413, 'the answer reached the client')
  t.equal(seen.length, 1)
  t.ok(seen[0].err instanceof ClientError && seen[0].err.status === 413 && seen[0].err.code === 'BODY_TOO_LARGE')
  t.equal(seen[0].destroyed, false, 'the request was not destroyed')
  t.equal(seen[0].socket, true, 'the request still has its socket')
})

t.test('within the limit: the whole body', async (t) => {
  const server = createServer((req, res) => {
    readBodyChunks(req, 1000).then((chunks) => res.end(String(chunksLength(chunks))), () => res.end('failed'))
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  const port = (server.address() as { port: number }).port
  const text = await new Promise<string>((resolve, reject) => {
    request({ port, method: 'POST', agent: false }, (res) => {
      let out = ''
      res.on('data', (chunk: Buffer) => { out += chunk.toString() })
      res.on('end', () => resolve(out))
    }).on('error', reject).end(Buffer.alloc(1000))
  })
  t.equal(text, '1000')
})
