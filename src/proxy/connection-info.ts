// What a request's connection says about it, read once per request on the proxy path: the scheme
// (X-Forwarded-Proto, https_redirect_status_code), the SNI (route snis), and, for HTTP/2, the authority
// that stands in for Host. node:http2's compatibility request exposes the session's TLS socket through
// req.socket, so the same reads work for HTTP/1.1 and HTTP/2.

import type { IncomingMessage } from 'node:http'
import type { BlockList } from 'node:net'
import type { TLSSocket } from 'node:tls'

/** true on a TLS connection (node:tls sets `encrypted` on its sockets) */
export function isEncrypted (req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true
}

/** The server name a TLS client sent, lower-cased, or '' when it sent none (route snis then match nothing). */
export function serverName (req: IncomingMessage): string {
  const name = (req.socket as TLSSocket).servername
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
export function forwardedHttps (req: IncomingMessage, trusted: BlockList | null): boolean {
  if (trusted === null) return false
  const remote = req.socket.remoteAddress
  if (remote === undefined || !trusted.check(remote, req.socket.remoteFamily === 'IPv6' ? 'ipv6' : 'ipv4')) return false
  return req.headers['x-forwarded-proto'] === 'https'
}
