// What a request's connection says about it, read once per request on the proxy path: the client's
// socket itself, the scheme (X-Forwarded-Proto, https_redirect_status_code), the SNI (route snis), and,
// for HTTP/2, the authority that stands in for Host.

import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import type { BlockList, Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

/**
 * Set on every TLS socket of an http2 listener (proxy-server.ts) to the socket itself, and on its HTTP/2
 * session to the same socket once its first stream asked for it.
 */
export const kClientSocket = Symbol('tollgate.clientSocket')

type Marked = Record<symbol, Socket | undefined>

/**
 * The client's connection. node:http2's compatibility request has no socket of its own: req.socket is a
 * new Proxy per stream whose every read goes through a trap to the session's TLS socket
 * (lib/internal/http2/compat.js, proxySocketHandler), a few of which each request makes (addresses,
 * ports, SNI, byte counts). The socket is read through that Proxy once per session instead.
 */
export function clientSocket (req: IncomingMessage, http2: boolean): Socket {
  if (!http2) return req.socket
  const session = (req as unknown as Http2ServerRequest).stream.session as unknown as Marked | undefined
  if (session === undefined) return req.socket
  let socket = session[kClientSocket]
  if (socket === undefined) {
    // the Proxy's target is this stream: it is never kept for the session's other streams
    socket = (req.socket as unknown as Marked)[kClientSocket]
    if (socket === undefined) return req.socket
    session[kClientSocket] = socket
  }
  return socket
}

/** Marks a TLS socket of an http2 listener (its 'secureConnection' listener): see clientSocket. */
export function markClientSocket (socket: TLSSocket): void {
  (socket as unknown as Marked)[kClientSocket] = socket
}

/** true on a TLS connection (node:tls sets `encrypted` on its sockets) */
export function isEncrypted (socket: Socket): boolean {
  return (socket as TLSSocket).encrypted === true
}

/** The server name a TLS client sent, lower-cased, or '' when it sent none (route snis then match nothing). */
export function serverName (socket: Socket): string {
  const name = (socket as TLSSocket).servername
  return typeof name === 'string' ? name.toLowerCase() : ''
}

/**
 * The request's Host: HTTP/2 carries it as `:authority` (RFC 9113 §8.3.1: a server uses it over a Host
 * field), which node:http2 leaves among the headers; a client may still send only Host.
 */
export function requestHost (req: IncomingMessage, http2: boolean): string | undefined {
  const headers = req.headers
  if (!http2) return headers.host
  const authority = headers[':authority']
  return typeof authority === 'string' ? authority : headers.host
}

/**
 * Kong's forwarded_proto (kong/runloop/handler.lua, access `after`): the connection's scheme, or a trusted
 * client's X-Forwarded-Proto. Asked only for an https-only route reached without TLS.
 */
export function forwardedHttps (req: IncomingMessage, socket: Socket, trusted: BlockList | null): boolean {
  if (trusted === null) return false
  const remote = socket.remoteAddress
  if (remote === undefined || !trusted.check(remote, socket.remoteFamily === 'IPv6' ? 'ipv6' : 'ipv4')) return false
  return req.headers['x-forwarded-proto'] === 'https'
}
