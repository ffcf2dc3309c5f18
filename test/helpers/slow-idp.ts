// A misbehaving IdP endpoint for the exchange-deadline tests: it answers each request as the test says
// (drip the body a byte at a time, send an endless body, hang, reset) and records every connection, so a
// test can wait for the gateway to have closed the IdP's socket.

import type { Test } from 'tap'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { Socket } from 'node:net'

type Timer = ReturnType<typeof setTimeout>
/** `timers`: the server's pending timers, cleared at teardown */
export type Answer = (req: IncomingMessage, res: ServerResponse, timers: Set<Timer>) => void

export interface SlowIdp {
  readonly url: string
  /** requests seen so far */
  readonly requests: number
  /** every connection the server accepted, in order */
  readonly sockets: readonly Socket[]
  answer: Answer
  /** resolves once every connection accepted so far is closed */
  allClosed (): Promise<void>
}

export async function startSlowIdp (t: Test, path: string, answer: Answer): Promise<SlowIdp> {
  const sockets: Socket[] = []
  const timers = new Set<Timer>()
  let requests = 0
  const server = createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => { idp.answer(req, res, timers) })
  })
  server.on('connection', (socket) => {
    sockets.push(socket)
    socket.on('error', ignore) // the gateway resetting a connection mid-answer is what the tests expect
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`
  const idp: SlowIdp = {
    url,
    get requests () { return requests },
    sockets,
    answer,
    async allClosed () {
      await Promise.all(sockets.map(closed))
    }
  }
  t.teardown(() => {
    for (const timer of timers) clearInterval(timer)
    server.close()
    server.closeAllConnections()
  })
  return idp
}

/** An answer that counts the bodies it finished sending: 0 after a test means every one was cut short. */
export type DripAnswer = Answer & { completed: number }

/** `status` with the headers at once, then `body` one byte every `everyMs` (1 byte/s by default). */
export function drip (body: string, everyMs = 1000, status = 200): DripAnswer {
  const answer: DripAnswer = Object.assign((_req: IncomingMessage, res: ServerResponse, timers: Set<Timer>) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.flushHeaders()
    let i = 0
    const timer = setInterval(() => {
      if (res.destroyed) return
      if (i < body.length) {
        res.write(body[i++])
        return
      }
      clearInterval(timer)
      timers.delete(timer)
      answer.completed++
      res.end()
    }, everyMs)
    timers.add(timer)
    res.on('close', () => { clearInterval(timer); timers.delete(timer) })
  }, { completed: 0 })
  return answer
}

/** 200, chunked, a JSON-looking body that never ends: written as fast as the client reads it. */
export function endless (): Answer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(16 * 1024, 0x20)
    res.write('{"access_token":"')
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) { /* until the socket buffer is full */ }
    }
    res.on('drain', pump)
    pump()
  }
}

/** 200 whose Content-Length says `bytes`, then silence (the body is never sent). */
export function declaredHuge (bytes: number): Answer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes })
    res.flushHeaders()
  }
}

/** A JSON answer after `afterMs`. */
export function lateJson (afterMs: number, body: unknown): Answer {
  return (_req, res, timers) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(body))
    }, afterMs)
    timers.add(timer)
  }
}

/** Resets the connection after `afterMs` without answering. */
export function resetAfter (afterMs: number): Answer {
  return (req, _res, timers) => {
    const timer = setTimeout(() => { timers.delete(timer); req.socket.destroy() }, afterMs)
    timers.add(timer)
  }
}

function closed (socket: Socket): Promise<void> | undefined {
  if (socket.closed) return undefined
  return new Promise((resolve) => { socket.once('close', () => { resolve() }) })
}

function ignore (): void {}
