// Helpers for the Admin API tests: a gateway (test/helpers/gateway.ts) stopped in teardown, one HTTP
// exchange per call on a fresh connection, and a raw keep-alive client that counts every byte it sends
// and receives (to check kong_bandwidth_bytes exactly).

import { request, type Agent, type IncomingHttpHeaders } from 'node:http'
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { startGateway, type GatewayOptions, type RunningGateway } from '../../helpers/gateway.ts'

interface Teardown { teardown (fn: () => unknown): void }

export async function gatewayFor (t: Teardown, config: Record<string, unknown>, options?: GatewayOptions): Promise<RunningGateway> {
  const gateway = await startGateway(config, options)
  t.teardown(async () => { await gateway.stop() })
  return gateway
}

export interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly text: string
  json<T = Record<string, unknown>> (): T
}

export interface CallOptions {
  readonly body?: string | Buffer | object
  readonly headers?: Record<string, string>
  /** a keep-alive agent; by default a fresh connection, closed after the exchange */
  readonly agent?: Agent
}

/** One HTTP exchange; an object body is sent as JSON. */
export function call (base: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const raw = options.body
  const body = raw === undefined ? undefined : typeof raw === 'string' || Buffer.isBuffer(raw) ? raw : JSON.stringify(raw)
  const headers: Record<string, string> = { ...options.headers }
  if (body !== undefined) {
    headers['content-length'] = String(Buffer.byteLength(body))
    headers['content-type'] ??= 'application/json'
  }
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

export interface RawReply {
  readonly status: number
  readonly head: string
}

/** An HTTP/1.1 keep-alive connection written by hand, one request at a time, counting bytes both ways. */
export class RawClient {
  readonly #socket: Socket
  #buffer = Buffer.alloc(0)
  #waiting: (() => void) | null = null
  sent = 0
  received = 0

  private constructor (socket: Socket) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length
      this.#buffer = Buffer.concat([this.#buffer, chunk])
      this.#waiting?.()
    })
  }

  static async open (url: string): Promise<RawClient> {
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname)
    await once(socket, 'connect')
    return new RawClient(socket)
  }

  async #until (ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.#socket.destroyed) throw new Error('connection closed')
      await new Promise<void>((resolve) => { this.#waiting = resolve })
    }
    this.#waiting = null
  }

  /** Sends a GET and reads its whole response (the gateway frames every response with content-length here). */
  async get (path: string): Promise<RawReply> {
    const text = `GET ${path} HTTP/1.1\r\nHost: test\r\nUser-Agent: raw\r\n\r\n`
    this.sent += Buffer.byteLength(text)
    this.#socket.write(text)
    await this.#until(() => this.#buffer.includes('\r\n\r\n'))
    const headEnd = this.#buffer.indexOf('\r\n\r\n') + 4
    const head = this.#buffer.subarray(0, headEnd).toString('latin1')
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)
    if (length === null) throw new Error(`no content-length in ${head}`)
    const total = headEnd + Number(length[1])
    await this.#until(() => this.#buffer.length >= total)
    this.#buffer = this.#buffer.subarray(total)
    return { status: Number(head.slice(9, 12)), head }
  }

  async close (): Promise<void> {
    this.#socket.end()
    if (!this.#socket.destroyed) await once(this.#socket, 'close')
  }
}

/** Parses Prometheus text into `name{labels}` -> value (label order as written). */
export function parseMetrics (text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    samples.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return samples
}
