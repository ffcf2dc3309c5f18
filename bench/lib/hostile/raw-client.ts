// One HTTP exchange over a raw socket, for requests no HTTP client library would send (HTTP/0.9 lines,
// 64 KiB Host headers) and for bodies streamed from a generator with back-pressure, so the bench never
// holds an attack's body in memory. Each request asks for `Connection: close` (when it has a version),
// so the answer ends when the gateway closes; every exchange is bounded by a timeout.

import { connect, type Socket } from 'node:net'

export interface Exchange {
  /** status code of the answer; null when none came */
  readonly status: number | null
  /** the answer's first line, shortened, printable characters only ('' when nothing came) */
  readonly firstLine: string
  /** body bytes written before the answer came or the socket closed */
  readonly bodyBytesSent: number
  /** how it ended: the gateway closed (FIN), reset it, the timeout, or the client finished and closed */
  readonly end: 'gateway-closed' | 'reset' | 'timeout' | 'client-closed'
  /** gateway-closed or reset while the body was still being sent */
  readonly closedDuringBody: boolean
  /** ms from connecting to the first byte of the answer; null when none came */
  readonly answeredMs: number | null
  /** ms from connecting to the end of the exchange */
  readonly ms: number
}

export interface ExchangeOptions {
  readonly port: number
  /** request line and headers, CRLFs included, up to and including the blank line */
  readonly head: string
  /** streamed after the head, stopped as soon as an answer begins */
  readonly body?: Iterable<Buffer>
  readonly timeoutMs: number
  /** once an answer began, how long to wait for the gateway to close before the client does */
  readonly lingerMs?: number
}

export async function exchange (options: ExchangeOptions): Promise<Exchange> {
  const started = performance.now()
  const socket = connect({ port: options.port, host: '127.0.0.1', noDelay: true })
  const state = new ExchangeState(socket, options.lingerMs ?? 1000, started)
  const timer = setTimeout(() => state.finish('timeout'), options.timeoutMs)
  try {
    await state.connected
    socket.write(options.head)
    if (options.body !== undefined) await state.stream(options.body)
    await state.done
  } finally {
    clearTimeout(timer)
    socket.destroy()
  }
  return {
    status: state.status(),
    firstLine: state.firstLine(),
    bodyBytesSent: state.bodyBytes,
    end: state.end!,
    closedDuringBody: state.closedDuringBody,
    answeredMs: state.answeredMs,
    ms: Math.round(performance.now() - started)
  }
}

class ExchangeState {
  readonly socket: Socket
  readonly connected: Promise<void>
  readonly done: Promise<void>
  end: Exchange['end'] | null = null
  bodyBytes = 0
  closedDuringBody = false
  answeredMs: number | null = null
  #sending = false
  #answer = ''
  #linger: NodeJS.Timeout | null = null
  #resolveDone: () => void = () => {}
  #resolveConnected: () => void = () => {}

  constructor (socket: Socket, lingerMs: number, started: number) {
    this.socket = socket
    this.connected = new Promise((resolve) => { this.#resolveConnected = resolve })
    this.done = new Promise((resolve) => { this.#resolveDone = resolve })
    socket.once('connect', () => this.#resolveConnected())
    socket.on('data', (chunk: Buffer) => {
      this.answeredMs ??= Math.round(performance.now() - started)
      // only the start of an answer is kept: the status line is all that is reported
      if (this.#answer.length < 512) this.#answer += chunk.toString('latin1', 0, Math.min(chunk.length, 512))
      this.#linger ??= setTimeout(() => this.finish('client-closed'), lingerMs)
    })
    socket.on('end', () => this.finish('gateway-closed'))
    socket.on('close', () => this.finish('gateway-closed'))
    socket.on('error', (err: NodeJS.ErrnoException) => this.finish(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'gateway-closed'))
  }

  finish (how: Exchange['end']): void {
    if (this.end !== null) return
    this.end = how
    if (this.#sending && (how === 'gateway-closed' || how === 'reset')) this.closedDuringBody = true
    if (this.#linger !== null) clearTimeout(this.#linger)
    this.#resolveDone()
    // a connect that never happened must not leave `connected` pending
    this.#resolveConnected()
    this.socket.destroy()
  }

  /** Writes the body chunk by chunk, waiting for 'drain', until it ends or an answer or the end comes. */
  async stream (body: Iterable<Buffer>): Promise<void> {
    this.#sending = true
    try {
      for (const chunk of body) {
        if (this.end !== null || this.#answer !== '') return
        this.bodyBytes += chunk.length
        if (!this.socket.write(chunk)) {
          await new Promise<void>((resolve) => {
            const go = (): void => { this.socket.off('drain', go); this.socket.off('close', go); resolve() }
            this.socket.on('drain', go)
            this.socket.on('close', go)
          })
        }
      }
    } finally {
      this.#sending = false
    }
  }

  status (): number | null {
    const match = /^HTTP\/\d\.\d (\d{3})/.exec(this.#answer)
    return match === null ? null : Number(match[1])
  }

  firstLine (): string {
    const line = this.#answer.split('\r\n', 1)[0] ?? ''
    return line.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)
  }
}
