// One proxy listener as its proxy_listen entry asks (src/config/listen.ts): plain HTTP/1.1 (node:http),
// `ssl` (node:https, ALPN http/1.1) or `ssl http2` (node:http2's secure server with allowHTTP1: ALPN h2
// and http/1.1 on one port, both reaching the same request listener). Every worker binds every listener
// with reusePort whatever the `reuseport` flag says: that is how the worker threads share a port.
//
// Certificates come from the Runtime in force at each handshake: the SNICallback asks it for the name the
// client sent (kong/runloop/certificate.lua find_certificate), and a client that sent no SNI, or one no
// certificate names, gets the listener's own context: the default certificate(s) with the ssl_* settings
// (ServerCertificates.serverOptions), replaced on every reload (setDefaultCertificate). OpenSSL takes the
// protocol versions, ciphers and session ticket keys from that context whatever SNI switches to. Open
// connections keep the certificate they were handshaken with.

import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { Server as NetServer, Socket } from 'node:net'
import type { SecureContext, Server as TlsServer } from 'node:tls'
import type { ListenAddress, Settings } from '../config/types.ts'
import type { ServerCertificates } from '../tls/types.ts'
import { markClientSocket } from '../proxy/connection-info.ts'

/** nginx's http2_max_concurrent_streams default, which Kong keeps */
export const H2_MAX_CONCURRENT_STREAMS = 128

export interface ProxyHandlers {
  /** node:http's request listener; HTTP/2 requests come as node:http2's compatibility objects */
  readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void
  readonly onConnection: (socket: Socket) => void
  readonly onClientError: (err: NodeJS.ErrnoException, socket: Socket) => void
  /** the certificates of the Runtime in force (read at every handshake that sent SNI) */
  readonly certificates: () => ServerCertificates | null
}

type H2RequestListener = (req: Http2ServerRequest, res: Http2ServerResponse) => void

export function createProxyServer (address: ListenAddress, settings: Settings, handlers: ProxyHandlers): NetServer {
  const onRequest = handlers.onRequest
  let server: NetServer
  if (!address.ssl) {
    server = createHttpServer({ ...http1Options(settings), ...BODYLESS_FAST_PATH, ...keepAliveOptions(address) }, onRequest)
  } else {
    const certificates = handlers.certificates()
    if (certificates === null) {
      throw new Error(`proxy_listen ${address.host}:${address.port} ssl has no certificate (set ssl_cert and ssl_cert_key)`)
    }
    const tls = { ...certificates.serverOptions, ...tlsOptions(settings, handlers) }
    server = address.http2
      ? createSecureServer({ ...tls, ...keepAliveOptions(address), allowHTTP1: true, settings: h2Settings(settings) },
        onRequest as unknown as H2RequestListener)
      : createHttpsServer({ ...http1Options(settings), ...BODYLESS_FAST_PATH, ...tls, ...keepAliveOptions(address), ALPNProtocols: ['http/1.1'] },
        onRequest)
    // the HTTP/1.1 side of an http2 listener is node:http's parser on the server's own fields
    if (address.http2) Object.assign(server, http1Options(settings))
    // a failed or timed-out handshake (a scanner, a half-open client) is the client's problem, not a log line
    server.on('tlsClientError', ignore)
    // HTTP/2 requests find their TLS socket through this mark rather than a Proxy per stream (connection-info.ts)
    if (address.http2) server.on('secureConnection', markClientSocket)
  }
  server.on('connection', handlers.onConnection)
  server.on('clientError', handlers.onClientError)
  return server
}

/**
 * A reload's listener context: the default certificate(s) and the ssl_* settings of the new Runtime, for
 * clients without SNI (the SNICallback is not called for them) and for every handshake's protocol and
 * cipher choice. Built from PEM text once per reload per listener.
 */
export function setDefaultCertificate (server: TlsServer, certificates: ServerCertificates): void {
  server.setSecureContext(certificates.serverOptions)
}

/**
 * A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3), and node:http then
 * hands it over already ended (`optimizeEmptyRequests`, Node 24.12): no 'end' or 'close' events, no
 * end-of-stream ticks, nothing left to dump when the response finishes. The proxy never waits on such a
 * request's stream: whether it has a body is read from those two headers (forward.ts requestHasBody,
 * read-body.ts). It is an option of node:http's servers only; the HTTP/1.1 side of an http2 listener,
 * which takes the fields below as properties of node:http2's server, goes the usual way.
 */
const BODYLESS_FAST_PATH: Readonly<Record<string, unknown>> = Object.freeze({ optimizeEmptyRequests: true })

function http1Options (settings: Settings): Record<string, unknown> {
  return {
    // keepalive_timeout is the proxy's (src/proxy/client-connections.ts): node:http's would re-arm a timer on
    // every response and advertise Keep-Alive: timeout=N, which nginx does not
    keepAliveTimeout: 0,
    headersTimeout: settings.client_header_timeout * 1000,
    requestTimeout: (settings.client_header_timeout + settings.client_body_timeout) * 1000,
    // how often Node checks the two timeouts above; bounded so short test timeouts stay accurate
    connectionsCheckingInterval: Math.min(1000, settings.client_header_timeout * 1000),
    maxHeaderSize: settings.client_max_header_size,
    noDelay: true
  }
}

function tlsOptions (settings: Settings, handlers: ProxyHandlers): Record<string, unknown> {
  return {
    // a connection that has not completed its handshake by then is closed (nginx's client_header_timeout
    // covers the handshake too), so silent connections cannot pile up
    handshakeTimeout: settings.client_header_timeout * 1000,
    SNICallback: (servername: string, callback: (err: Error | null, context?: SecureContext) => void) => {
      const certificates = handlers.certificates()
      if (certificates === null) {
        callback(new Error('no certificate'))
        return
      }
      const context = certificates.contextFor(servername)
      // the default: keep the listener's own context, which serves every default key pair (RSA and ECDSA)
      callback(null, context === certificates.contextFor(null) ? undefined : context)
    }
  }
}

function h2Settings (settings: Settings): Record<string, number> {
  return {
    maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS,
    // nginx bounds an HTTP/2 header list by large_client_header_buffers, as Kong's client_max_header_size
    maxHeaderListSize: settings.client_max_header_size
  }
}

function keepAliveOptions (address: ListenAddress): Record<string, unknown> {
  if (address.soKeepalive === null) return {}
  return { keepAlive: true, keepAliveInitialDelay: address.soKeepalive * 1000 }
}

function ignore (): void {}
