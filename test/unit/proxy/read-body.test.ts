// peekBody over real sockets: a body within the limit comes back whole; a larger one comes back null and
// the request stream still yields every byte, in order, from the first (the prefix read so far is pushed
// back); a declared length over the limit is not read at all; past client_max_body_size a 413.

import t from 'tap'
import type { Test } from 'tap'
import fc from 'fast-check'
import { createServer, type IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import { once } from 'node:events'
import { ClientError } from '../../../src/core/errors.ts'
import { peekBody } from '../../../src/proxy/read-body.ts'

interface Outcome {
  /** base64 of what peekBody returned, or null */
  peeked: string | null
  /** base64 of what the stream gave afterwards */
  rest: string
  /** req.readableFlowing right after the peek: null when the stream was never read */
  flowing: boolean | null
  error: { code: string, status: number } | null
}

let limit = 0
let maxBody = 0

async function readRest (req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

async function serve (t: Test): Promise<number> {
  const server = createServer((req, res) => {
    peekBody(req, limit, maxBody).then(async (peeked) => {
      const flowing = req.readableFlowing
      const rest = await readRest(req)
      const outcome: Outcome = { peeked: peeked === null ? null : peeked.toString('base64'), rest: rest.toString('base64'), flowing, error: null }
      res.end(JSON.stringify(outcome))
    }, (err: unknown) => {
      const error = err instanceof ClientError ? { code: err.code, status: err.status } : { code: String(err), status: 0 }
      const text = JSON.stringify({ peeked: null, rest: '', flowing: null, error })
      res.writeHead(200, { connection: 'close', 'content-length': Buffer.byteLength(text) }).end(text)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return (server.address() as { port: number }).port
}

/** Sends `pieces` as the body (chunked framing, one chunk per piece, or one Content-Length) over a raw socket. */
function exchange (port: number, pieces: readonly Buffer[], chunked: boolean): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const total = pieces.reduce((n, p) => n + p.length, 0)
    let head = 'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
    head += chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${total}\r\n\r\n`
    socket.write(head)
    for (const piece of pieces) {
      if (!chunked) socket.write(piece)
      else if (piece.length > 0) socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]))
    }
    if (chunked) socket.write('0\r\n\r\n')
    let data = ''
    socket.on('data', (chunk: Buffer) => { data += chunk.toString('latin1') })
    socket.on('error', reject)
    socket.on('close', () => {
      const body = data.slice(data.indexOf('\r\n\r\n') + 4)
      try {
        resolve(JSON.parse(body) as Outcome)
      } catch {
        reject(new Error(`no JSON answer: ${JSON.stringify(data.slice(0, 200))}`))
      }
    })
  })
}

const piecesArb = fc.array(fc.uint8Array({ minLength: 0, maxLength: 3000 }), { minLength: 0, maxLength: 8 })
  .map((list) => list.map((p) => Buffer.from(p)))

t.test('peek then stream: every byte once, in order, whatever the limit and the chunking', async (t) => {
  const port = await serve(t)
  maxBody = 0
  await fc.assert(fc.asyncProperty(piecesArb, fc.integer({ min: 1, max: 12_000 }), fc.boolean(), async (pieces, max, chunked) => {
    limit = max
    const body = Buffer.concat(pieces)
    const outcome = await exchange(port, pieces, chunked)
    if (outcome.error !== null) return false
    const peeked = outcome.peeked === null ? null : Buffer.from(outcome.peeked, 'base64')
    const rest = Buffer.from(outcome.rest, 'base64')
    if (body.length <= max) {
      // whole, and the stream has nothing more to give
      return peeked !== null && peeked.equals(body) && rest.length === 0
    }
    return peeked === null && rest.equals(body)
  }), { numRuns: 60 })
})

t.test('a declared length over the limit is not read; one within it fills one buffer exactly', async (t) => {
  const port = await serve(t)
  limit = 1000
  maxBody = 0
  const big = Buffer.alloc(5000, 'a')
  big.write('first', 0)
  const over = await exchange(port, [big], false)
  t.equal(over.peeked, null)
  t.equal(over.flowing, null, 'never read: the stream was not even started')
  t.ok(Buffer.from(over.rest, 'base64').equals(big), 'the stream still has the whole body')

  const fits = Buffer.from('x'.repeat(1000))
  const within = await exchange(port, [fits.subarray(0, 300), fits.subarray(300)], false)
  t.ok(Buffer.from(within.peeked ?? '', 'base64').equals(fits))
  t.equal(within.rest, '')

  const empty = await exchange(port, [], true)
  t.equal(empty.peeked, '', 'an empty chunked body is an empty buffer')
})

t.test('a chunked body past client_max_body_size: 413, before the buffer limit', async (t) => {
  const port = await serve(t)
  limit = 10_000
  maxBody = 100
  const outcome = await exchange(port, [Buffer.alloc(60), Buffer.alloc(60)], true)
  t.same(outcome.error, { code: 'BODY_TOO_LARGE', status: 413 })
  maxBody = 0
})
