// The headers a request carries upstream, as Kong sets them (runloop/handler.lua): hop-by-hop removed,
// X-Forwarded-For appended, X-Forwarded-Proto (the connection's scheme)/Host/Port/Path/Prefix from the gateway's own view unless
// the client is in trusted_ips, X-Real-IP, Host per preserve_host, and X-Kong-Request-Id when enabled.

import type { IncomingMessage } from 'node:http'
import type { BlockList, Socket } from 'node:net'
import type { CompiledRoute } from '../config/compile-runtime.ts'
import type { HeaderFlags } from './header-flags.ts'
import { HOP_BY_HOP_HEADERS, connectionListed } from './hop-by-hop.ts'
import { HeaderObject, type HeaderFields } from './header-fields.ts'

/**
 * @param socket the client's connection (connection-info.ts clientSocket)
 * @param host the request's Host (HTTP/2: its :authority, connection-info.ts requestHost)
 * @param https the connection is TLS: Kong's ctx.scheme, X-Forwarded-Proto's value
 */
export function upstreamRequestHeaders (req: IncomingMessage, socket: Socket, target: CompiledRoute, rawPath: string, prefix: string,
  requestId: string, flags: HeaderFlags, trusted: BlockList | null, host0: string | undefined, https: boolean
): HeaderFields {
  const incoming = req.headers
  const headers = endToEndHeaders(incoming)
  const remote = socket.remoteAddress ?? ''
  const isTrusted = trusted !== null && remote !== '' && trusted.check(remote, socket.remoteFamily === 'IPv6' ? 'ipv6' : 'ipv4')
  const host = host0 ?? ''
  const xff = incoming['x-forwarded-for']
  headers['x-forwarded-for'] = xff === undefined ? remote : `${xff}, ${remote}`
  headers['x-real-ip'] = remote
  if (!isTrusted || incoming['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = https ? 'https' : 'http'
  if (!isTrusted || incoming['x-forwarded-host'] === undefined) headers['x-forwarded-host'] = hostWithoutPort(host)
  if (!isTrusted || incoming['x-forwarded-port'] === undefined) headers['x-forwarded-port'] = String(socket.localPort)
  if (!isTrusted || incoming['x-forwarded-path'] === undefined) headers['x-forwarded-path'] = rawPath
  if (!isTrusted || incoming['x-forwarded-prefix'] === undefined) {
    if (prefix !== '') headers['x-forwarded-prefix'] = prefix
    // a delete turns the object into a dictionary: only when there is a client's field to remove
    else if (headers['x-forwarded-prefix'] !== undefined) delete headers['x-forwarded-prefix']
  }
  if (!target.route.preserve_host || host === '') headers.host = target.upstreamHost
  if (flags.requestIdUpstream) headers['x-kong-request-id'] = requestId
  return headers
}

/**
 * A copy of the client's headers without the hop-by-hop ones (hop-by-hop.ts) and, for HTTP/2, without
 * the request's pseudo-headers (RFC 9113 §8.3.1), which node:http2 leaves in req.headers. One loop that
 * skips them instead of Object.assign and deletes: node:http2's header object carries a symbol-keyed
 * property (its sensitive headers) that makes Object.assign of it several times slower than this loop.
 */
function endToEndHeaders (incoming: IncomingMessage['headers']): HeaderFields {
  const headers = new HeaderObject()
  for (const name in incoming) {
    if (name.charCodeAt(0) === 58 /* : */ || HOP_BY_HOP_HEADERS.has(name)) continue
    headers[name] = incoming[name]!
  }
  // the fields a Connection header names are hop-by-hop too (RFC 9110 §7.6.1); rare beyond keep-alive
  const connection = incoming.connection
  if (connection !== undefined) {
    const listed = connectionListed(Array.isArray(connection) ? connection.join(',') : connection)
    if (listed !== null) for (const name of listed) delete headers[name]
  }
  return headers
}

/** nginx's $host: the Host without its port, lower-cased. */
export function hostWithoutPort (host: string): string {
  if (host.charCodeAt(0) === 91 /* [ */) {
    const end = host.indexOf(']')
    return end < 0 ? host.toLowerCase() : host.slice(0, end + 1).toLowerCase()
  }
  const colon = host.indexOf(':')
  return (colon < 0 ? host : host.slice(0, colon)).toLowerCase()
}
