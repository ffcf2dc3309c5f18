// Client side of the gateway's TLS listeners: one HTTPS/1.1 exchange on a fresh connection that reports the
// certificate and protocol it got, a bare handshake (versions, ALPN), and one HTTP/2 exchange.

import { once } from 'node:events'
import { request } from 'node:https'
import { connect as h2connect, type IncomingHttpHeaders as H2Headers } from 'node:http2'
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import type { IncomingHttpHeaders } from 'node:http'

export interface TlsReply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly text: string
  /** the CN of the certificate the gateway presented */
  readonly certName: string
  json<T = Record<string, unknown>> (): T
}

export interface TlsSendOptions {
  readonly servername?: string
  readonly method?: string
  readonly headers?: Record<string, string>
  readonly body?: string
}

/** One HTTPS exchange on a new connection (certificates are not verified: the test checks which one came). */
export function sendTls (port: number, path: string, options: TlsSendOptions = {}): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: options.method ?? 'GET',
      headers: options.headers,
      servername: options.servername ?? '',
      rejectUnauthorized: false,
      agent: false
    }, (res) => {
      const chunks: Buffer[] = []
      const certName = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '')
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        resolve({ status: res.statusCode!, headers: res.headers, text, certName, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

export interface Handshake {
  readonly ok: boolean
  readonly protocol: string | null
  readonly alpn: string | false | null
  readonly certName: string
  readonly error: string | null
}

/** A TLS handshake alone, then closed. */
export async function handshake (port: number, options: ConnectionOptions = {}): Promise<Handshake> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options })
  try {
    await once(socket, 'secureConnect')
    const cert = socket.getPeerCertificate()
    return { ok: true, protocol: socket.getProtocol(), alpn: socket.alpnProtocol ?? null, certName: String(cert.subject?.CN ?? ''), error: null }
  } catch (err) {
    return { ok: false, protocol: null, alpn: null, certName: '', error: (err as NodeJS.ErrnoException).code ?? String(err) }
  } finally {
    socket.destroy()
  }
}

export interface H2Reply {
  readonly headers: H2Headers
  readonly text: string
  json<T = Record<string, unknown>> (): T
}

/** One HTTP/2 request on a new session (closed afterwards). */
export async function sendH2 (port: number, headers: Record<string, string>, body?: string | Buffer): Promise<H2Reply> {
  const session = h2connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'localhost' })
  try {
    const stream = session.request(headers, { endStream: body === undefined })
    if (body !== undefined) stream.end(body)
    const [responseHeaders] = await once(stream, 'response') as [H2Headers]
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString()
    return { headers: responseHeaders, text, json: () => JSON.parse(text) }
  } finally {
    session.close()
  }
}
