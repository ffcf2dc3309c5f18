// The headers a request carries upstream, as Kong sets them (runloop/handler.lua): hop-by-hop removed,
// X-Forwarded-For appended, X-Forwarded-Proto (the connection's scheme)/Host/Port/Path/Prefix from the gateway's own view unless
// the client is in trusted_ips, X-Real-IP, Host per preserve_host, and X-Kong-Request-Id when enabled.

import type { IncomingMessage } from 'node:http'
import type { BlockList, Socket } from 'node:net'
import type { CompiledRoute } from '../config/compile-runtime.ts'
import type { HeaderFlags } from './header-flags.ts'
import { HOP_BY_HOP_HEADERS, connectionListed } from './hop-by-hop.ts'
import { HeaderObject, appendField, type HeaderFields } from './header-fields.ts'

/**
 * The upstream request's fields as a flat [name, value, ...] list, the form undici takes without the
 * Object.keys walk an object costs it, and built with array pushes rather than one keyed store per field:
 * the client's fields from req.headers (lower-case names, repeated ones as node:http joined them, a
 * repeated field kept as one entry per value), less the hop-by-hop ones, the ones a Connection header
 * names and the ones the gateway writes itself, followed by the gateway's. A plugin reads and changes
 * them by name through RequestContext#upstreamHeaders, which builds the object form (fieldsObject) once.
 * @param socket the client's connection (connection-info.ts clientSocket)
 * @param host the request's Host (HTTP/2: its :authority, connection-info.ts requestHost)
 * @param https the connection is TLS: Kong's ctx.scheme, X-Forwarded-Proto's value
 */
export function upstreamRequestFields (req: IncomingMessage, socket: Socket, target: CompiledRoute, rawPath: string, prefix: string,
  requestId: string, flags: HeaderFlags, trusted: BlockList | null, host0: string | undefined, https: boolean
): string[] {
  const incoming = req.headers
  const remote = socket.remoteAddress ?? ''
  const isTrusted = trusted !== null && remote !== '' && trusted.check(remote, socket.remoteFamily === 'IPv6' ? 'ipv6' : 'ipv4')
  const host = host0 ?? ''
  const replaceHost = !target.route.preserve_host || host === ''
  const connection = incoming.connection
  const listed = connection === undefined ? null : connectionListed(Array.isArray(connection) ? connection.join(',') : connection)
  const fields: string[] = []
  for (const name in incoming) {
    if (name.charCodeAt(0) === 58 /* : */) continue
    const role = FIELD_ROLES.get(name)
    if (role !== undefined && replacedByGateway(role, isTrusted, replaceHost, flags)) continue
    if (listed !== null && listed.includes(name)) continue
    const value = incoming[name]!
    if (typeof value === 'string') fields.push(name, value)
    else for (let i = 0; i < value.length; i++) fields.push(name, value[i])
  }
  const xff = incoming['x-forwarded-for']
  fields.push('x-forwarded-for', xff === undefined ? remote : `${xff}, ${remote}`, 'x-real-ip', remote)
  // a trusted client's own X-Forwarded-* stay (copied above); the gateway's fill in those it did not send
  if (!isTrusted || incoming['x-forwarded-proto'] === undefined) fields.push('x-forwarded-proto', https ? 'https' : 'http')
  if (!isTrusted || incoming['x-forwarded-host'] === undefined) fields.push('x-forwarded-host', hostWithoutPort(host))
  if (!isTrusted || incoming['x-forwarded-port'] === undefined) fields.push('x-forwarded-port', String(socket.localPort))
  if (!isTrusted || incoming['x-forwarded-path'] === undefined) fields.push('x-forwarded-path', rawPath)
  if (prefix !== '' && (!isTrusted || incoming['x-forwarded-prefix'] === undefined)) fields.push('x-forwarded-prefix', prefix)
  if (replaceHost) fields.push('host', target.upstreamHost)
  if (flags.requestIdUpstream) fields.push('x-kong-request-id', requestId)
  return fields
}

/** The object form of a flat field list (a repeated name's values as an array), for the plugins. */
export function fieldsObject (fields: readonly string[]): HeaderFields {
  const headers = new HeaderObject()
  for (let i = 0; i < fields.length; i += 2) appendField(headers, fields[i], fields[i + 1])
  return headers
}

/** Sets one field of a flat list: the first of that name takes the value and later ones go, or it is appended. */
export function setField (fields: string[], name: string, value: string): void {
  let first = -1
  for (let i = fields.length - 2; i >= 0; i -= 2) {
    if (fields[i] !== name) continue
    if (first >= 0) fields.splice(first, 2)
    first = i
  }
  if (first < 0) fields.push(name, value)
  else fields[first + 1] = value
}

/** never passed on as the client sent it: the hop-by-hop fields, X-Forwarded-For (appended to), X-Real-IP */
const ALWAYS = 0
/** X-Forwarded-Proto, -Host, -Port, -Path, -Prefix: a trusted client's are kept */
const FORWARDED = 1
const HOST = 2
const REQUEST_ID = 3

/** What a client's field of that name is to the gateway; absent: an end-to-end field it passes on. */
const FIELD_ROLES: ReadonlyMap<string, number> = new Map([
  ...[...HOP_BY_HOP_HEADERS].map((name) => [name, ALWAYS] as const),
  ['x-forwarded-for', ALWAYS],
  ['x-real-ip', ALWAYS],
  ['x-forwarded-proto', FORWARDED],
  ['x-forwarded-host', FORWARDED],
  ['x-forwarded-port', FORWARDED],
  ['x-forwarded-path', FORWARDED],
  ['x-forwarded-prefix', FORWARDED],
  ['host', HOST],
  ['x-kong-request-id', REQUEST_ID]
])

function replacedByGateway (role: number, isTrusted: boolean, replaceHost: boolean, flags: HeaderFlags): boolean {
  switch (role) {
    case FORWARDED: return !isTrusted
    case HOST: return replaceHost
    case REQUEST_ID: return flags.requestIdUpstream
    default: return true
  }
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
