// The body request-termination answers with when `echo` is on: a JSON copy of the request, in the shape
// of Kong's handler.lua (kong/plugins/request-termination/handler.lua), built from the PDK calls it makes:
//   kong.request.get_headers()  lower-cased names, a repeated header as an array
//   kong.request.get_query()    decoded; `?a` is true, `?a=` is "", a repeated argument an array
//   kong.request.get_body()     parsed for application/json (an object or array) and
//                               application/x-www-form-urlencoded; absent otherwise (Kong also parses
//                               multipart/form-data, Tollgate does not)
//   kong.request.get_raw_body() absent when the body did not fit client_body_buffer_size
//   kong.router.get_route() / get_service()  the matched entities
// Differences: kong.node_id is absent (proxy workers do not know the node id), worker_pid is the gateway's
// process id (workers are threads), and uri_captures are always empty (the router keeps no captures).

import { hostname } from 'node:os'
import type { ProxyContext } from '../types.ts'

const HOSTNAME = hostname()

export type QueryArgs = Record<string, string | true | Array<string | true>>

function decode (text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return text
  }
}

/** ngx.req.get_uri_args as Kong's kong.request.get_query returns it. */
export function queryArgs (query: string): QueryArgs {
  const args: QueryArgs = Object.create(null)
  if (query === '') return args
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decode(eq < 0 ? pair : pair.slice(0, eq))
    if (name === '') continue
    const value = eq < 0 ? true : decode(pair.slice(eq + 1))
    const existing = args[name]
    if (existing === undefined) args[name] = value
    else if (Array.isArray(existing)) existing.push(value)
    else args[name] = [existing, value]
  }
  return args
}

function requestHeaders (ctx: ProxyContext): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  const distinct = ctx.req.headersDistinct
  for (const name in distinct) {
    const values = distinct[name]!
    headers[name] = values.length === 1 ? values[0] : values
  }
  return headers
}

function parsedBody (raw: string | undefined, contentType: string | undefined): unknown {
  if (raw === undefined || contentType === undefined) return undefined
  const type = contentType.split(';')[0].trim().toLowerCase()
  if (type === 'application/x-www-form-urlencoded') return queryArgs(raw)
  if (type !== 'application/json') return undefined
  try {
    const json: unknown = JSON.parse(raw)
    // Kong: "invalid json body" unless it decodes to a table
    return typeof json === 'object' && json !== null ? json : undefined
  } catch {
    return undefined
  }
}

function hostOf (ctx: ProxyContext): string {
  // ngx.var.host: the Host header without its port, lower-cased
  const host = ctx.req.headers.host ?? ''
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.indexOf(':')
  return (end > 0 ? host.slice(0, end) : host).toLowerCase()
}

export async function echoBody (ctx: ProxyContext, message: string | undefined, args: QueryArgs): Promise<string> {
  const body = await ctx.readBody()
  const raw = body === null ? undefined : body.toString()
  // JSON.stringify leaves out undefined members, as cjson leaves out nil ones
  return JSON.stringify({
    message,
    kong: { worker_pid: process.pid, hostname: HOSTNAME },
    request: {
      scheme: 'http',
      host: hostOf(ctx),
      port: ctx.req.socket.localPort,
      headers: requestHeaders(ctx),
      query: args,
      body: parsedBody(raw, ctx.req.headers['content-type']),
      raw_body: raw,
      method: ctx.req.method,
      path: ctx.path,
      uri_captures: { named: {}, unnamed: {} }
    },
    matched_route: ctx.route,
    matched_service: ctx.service ?? undefined
  })
}
