// What a worker keeps per client connection, in one record found once per request: the byte counts the
// metrics last reported (request-metrics.ts), and for HTTP/1.1 the keep-alive state behind keepalive_timeout
// (nginx's keepalive_timeout: how long an idle keep-alive connection stays open), which the proxy keeps
// instead of node:http.
//
// Why not node:http's keepAliveTimeout: it re-arms the socket's timeout after every response and clears
// it when the next request arrives (a bound function, a Timeout and a timer-list insert per request), and
// it advertises `Keep-Alive: timeout=N`, which nginx does not send unless told to (keepalive_timeout's
// optional second parameter, nginx docs: ngx_http_core_module). The listeners run with keepAliveTimeout 0
// (proxy-server.ts), and this file keeps the idle connections of one worker in an intrusive list swept by
// one timer, as read-timeout.ts does for the upstream waits.
//
// A connection is idle once its last request has ended (finishRequest, or a response the gateway made
// before routing) until bytes of the next one arrive: from then node:http's headersTimeout
// (client_header_timeout) governs it, as nginx's does. A connection still writing its last response to a
// slow client is not idle yet. The sweep runs every 1/16 of keepalive_timeout (10 ms to 1 s), so an idle
// connection closes within one period after keepalive_timeout, never before; keepalive_timeout 0 turns
// keep-alive off (each response says Connection: close), as in nginx.

import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { SweepTimer, periodFor } from './sweep-timer.ts'

const MAX_PERIOD_MS = 1000

/** One client connection (its TLS socket for HTTP/2: every stream of the session shares it). */
export class ClientConnection {
  readonly socket: Socket
  /** socket.bytesRead and bytesWritten when its previous request was reported (request-metrics.ts) */
  bytesReadMark: number
  bytesWrittenMark: number
  /** its requests being answered (more than one when pipelined) */
  active: number
  /** when its last request ended (performance.now()) */
  idleSince: number
  /** socket.bytesRead then: more means the next request has begun */
  readAtIdle: number
  idleLinked: boolean
  idlePrev: ClientConnection | null
  idleNext: ClientConnection | null

  constructor (socket: Socket) {
    this.socket = socket
    this.bytesReadMark = 0
    this.bytesWrittenMark = 0
    this.active = 0
    this.idleSince = 0
    this.readAtIdle = 0
    this.idleLinked = false
    this.idlePrev = null
    this.idleNext = null
  }
}

export class ClientConnections {
  /** keepalive_timeout in ms; 0: keep-alive is off */
  readonly timeoutMs: number
  /**
   * The record beside each socket, rather than properties on it. A property the gateway adds to node's
   * sockets gives them hidden classes node itself never creates, and net.Socket#_unrefTimer, which runs on
   * every read and write of every socket, then meets more shapes than V8 keeps its loads fast for: with
   * two symbol properties on the sockets, V8's --log-ic showed those loads going megamorphic, which they
   * do not in a plain node:https proxy.
   */
  readonly #records = new WeakMap<Socket, ClientConnection>()
  #head: ClientConnection | null = null
  readonly #sweep = new SweepTimer(this)

  constructor (timeoutSeconds: number) {
    this.timeoutMs = timeoutSeconds * 1000
  }

  /** The record of the connection `socket` is. */
  of (socket: Socket): ClientConnection {
    let connection = this.#records.get(socket)
    if (connection === undefined) {
      connection = new ClientConnection(socket)
      this.#records.set(socket, connection)
    }
    return connection
  }

  /** An HTTP/1.1 request has begun: its connection is not idle until it (and any other) ends. */
  requestStarted (connection: ClientConnection): void {
    connection.active++
    if (connection.idleLinked) this.#unlink(connection)
  }

  /** One of its HTTP/1.1 requests has ended; the last one makes the connection idle from `now`. */
  requestEnded (connection: ClientConnection, now: number): void {
    if (--connection.active > 0 || this.timeoutMs === 0) return
    const socket = connection.socket
    if (socket.destroyed) return
    connection.idleSince = now
    connection.readAtIdle = socket.bytesRead
    if (connection.idleLinked) return
    connection.idleLinked = true
    connection.idlePrev = null
    connection.idleNext = this.#head
    if (this.#head !== null) this.#head.idlePrev = connection
    this.#head = connection
    if (!this.#sweep.running) this.#sweep.start(sweepPeriod(this.timeoutMs))
  }

  /** idle connections being watched (tests) */
  get size (): number {
    let n = 0
    for (let c = this.#head; c !== null; c = c.idleNext) n++
    return n
  }

  /** Stops the timer (a drained worker). */
  close (): void {
    this.#sweep.stop()
  }

  /** @internal the timer's callback */
  sweepNow (): void {
    const now = performance.now()
    let connection = this.#head
    while (connection !== null) {
      const next = connection.idleNext
      const socket = connection.socket
      if (socket.destroyed || socket.bytesRead !== connection.readAtIdle) {
        // closed, or the next request has begun (client_header_timeout's from here)
        this.#unlink(connection)
      } else if (socket.writableLength > 0) {
        // the last response is still going out to a slow reader: idle only once it has
        connection.idleSince = now
      } else if (now - connection.idleSince >= this.timeoutMs) {
        this.#unlink(connection)
        socket.destroy()
      }
      connection = next
    }
    if (this.#head === null) {
      this.#sweep.lapse()
      return
    }
    this.#sweep.start(sweepPeriod(this.timeoutMs))
  }

  #unlink (connection: ClientConnection): void {
    connection.idleLinked = false
    const prev = connection.idlePrev
    const next = connection.idleNext
    if (prev === null) this.#head = next
    else prev.idleNext = next
    if (next !== null) next.idlePrev = prev
    connection.idlePrev = null
    connection.idleNext = null
  }
}

/** The sweep period for a keepalive_timeout (ms). */
export function sweepPeriod (timeoutMs: number): number {
  return periodFor(timeoutMs, MAX_PERIOD_MS)
}
