// Kong's cors plugin (kong/plugins/cors/handler.lua), both phases:
//   access        a preflight (OPTIONS with a non-empty Origin and an Access-Control-Request-Method) is
//                 answered here, 200 with no body and the CORS headers (CorsHandler:access), unless
//                 preflight_continue sends it upstream untouched
//   headerFilter  any other request's response gets Access-Control-Allow-Origin, -Allow-Credentials,
//                 -Expose-Headers and Vary (CorsHandler:header_filter)
// Kong remembers in kong.ctx.plugin that access handled a preflight, so that header_filter adds nothing;
// the condition depends only on the request, so header_filter evaluates it again instead of keeping state.
// Header values Kong would set to "" are left out: lua-nginx-module does not send a header set to "".

import type { IncomingMessage } from 'node:http'
import type { Plugin } from '../../config/types.ts'
import type { PluginInstance, ProxyContext } from '../types.ts'
import { ALLOW_ALL, allowedOrigin, allowsAll, compileOrigins, type OriginPolicy } from './origins.ts'
import { luaNumberString } from './lua-number.ts'

export interface CorsConfig {
  readonly origins: readonly string[] | null
  readonly headers: readonly string[] | null
  readonly exposed_headers: readonly string[] | null
  readonly methods: readonly string[]
  readonly max_age: number | null
  readonly credentials: boolean
  readonly private_network: boolean
  readonly preflight_continue: boolean
  readonly allow_origin_absent: boolean
}

const ACAO = 'access-control-allow-origin'
const ACAC = 'access-control-allow-credentials'

/** What one instance sends, decided at config load. */
export class CorsPolicy {
  readonly origins: OriginPolicy
  readonly credentials: boolean
  readonly preflightContinue: boolean
  readonly allowOriginAbsent: boolean
  readonly privateNetwork: boolean
  /** Access-Control-Allow-Headers; null: echo Access-Control-Request-Headers */
  readonly allowHeaders: string | null
  /** Access-Control-Allow-Methods; null: none */
  readonly allowMethods: string | null
  readonly exposeHeaders: string | null
  readonly maxAge: string | null

  constructor (config: CorsConfig) {
    this.origins = compileOrigins(config.origins)
    this.credentials = config.credentials
    this.preflightContinue = config.preflight_continue
    this.allowOriginAbsent = config.allow_origin_absent
    this.privateNetwork = config.private_network
    this.allowHeaders = joined(config.headers)
    this.allowMethods = joined(config.methods)
    this.exposeHeaders = joined(config.exposed_headers)
    this.maxAge = config.max_age === null ? null : luaNumberString(config.max_age)
  }
}

/** Kong's table.concat(list, ","), null where it would give nothing to send. */
function joined (list: readonly string[] | null): string | null {
  if (list === null || list.length === 0) return null
  const value = list.join(',')
  return value === '' ? null : value
}

/**
 * kong.request.get_header: the first value of a request header. Node joins repeated headers with ", ";
 * only then (a ',' in the value) are the raw headers searched for the first one.
 */
export function firstHeader (req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  if (typeof value !== 'string' || value.indexOf(',') < 0) return value as string | undefined
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === name.length && raw[i].toLowerCase() === name) return raw[i + 1]
  }
  return value
}

/** The request's Origin, null when absent or empty (Kong's is_origin_provided). */
function requestOrigin (req: IncomingMessage): string | null {
  const origin = firstHeader(req, 'origin')
  return origin === undefined || origin === '' ? null : origin
}

function isPreflight (req: IncomingMessage, origin: string | null): boolean {
  return req.method === 'OPTIONS' && origin !== null && req.headers['access-control-request-method'] !== undefined
}

/** CorsHandler:access's answer to a preflight: its headers, as kong.response.set_header leaves them. */
export function preflightHeaders (policy: CorsPolicy, req: IncomingMessage, origin: string): Record<string, string> {
  const out: Record<string, string> = {}
  const origins = policy.origins
  // configure_origin: Vary for every mode but allow-all
  if (origins.mode !== ALLOW_ALL) out.vary = 'Origin'
  const allowed = allowedOrigin(origins, origin)
  if (allowed !== null) out[ACAO] = allowed
  if (policy.credentials) {
    // configure_credentials: with "*", the Origin is echoed instead, as browsers refuse "*" with credentials
    if (allowsAll(origins, origin)) {
      out.vary = 'Origin'
      out[ACAO] = origin
    }
    out[ACAC] = 'true'
  }
  const allowHeaders = policy.allowHeaders ?? firstHeader(req, 'access-control-request-headers')
  if (allowHeaders !== undefined && allowHeaders !== '') out['access-control-allow-headers'] = allowHeaders
  if (policy.allowMethods !== null) out['access-control-allow-methods'] = policy.allowMethods
  if (policy.maxAge !== null) out['access-control-max-age'] = policy.maxAge
  if (policy.privateNetwork && firstHeader(req, 'access-control-request-private-network') === 'true') {
    out['access-control-allow-private-network'] = 'true'
  }
  return out
}

/** kong.response.add_header("vary", "Origin"): one more Vary line, after the upstream's. */
function addVary (headers: Record<string, string | string[]>): void {
  const vary = headers.vary
  if (vary === undefined) headers.vary = 'Origin'
  else if (Array.isArray(vary)) vary.push('Origin')
  else headers.vary = [vary, 'Origin']
}

/** CorsHandler:header_filter on a response's headers (lower-case names), for a non-preflight request. */
export function addResponseHeaders (policy: CorsPolicy, origin: string | null, headers: Record<string, string | string[]>): void {
  const origins = policy.origins
  if (origins.mode !== ALLOW_ALL) addVary(headers)
  const allowed = allowedOrigin(origins, origin)
  if (allowed === null) delete headers[ACAO]
  else headers[ACAO] = allowed
  if (policy.credentials) {
    if (!allowsAll(origins, origin)) {
      headers[ACAC] = 'true'
    } else if (origin !== null) {
      addVary(headers)
      headers[ACAO] = origin
      headers[ACAC] = 'true'
    }
  }
  if (policy.exposeHeaders !== null) headers['access-control-expose-headers'] = policy.exposeHeaders
}

export function createCors (plugin: Plugin, priority: number): PluginInstance {
  const policy = new CorsPolicy(plugin.config as unknown as CorsConfig)

  function access (ctx: ProxyContext): void {
    // most requests are not OPTIONS: decided before any header is read
    if (policy.preflightContinue || ctx.req.method !== 'OPTIONS') return
    const origin = requestOrigin(ctx.req)
    if (!isPreflight(ctx.req, origin)) return
    // kong.response.exit(200): no body, so no Content-Type
    ctx.respond(200, '', '', preflightHeaders(policy, ctx.req, origin!))
  }

  function headerFilter (ctx: ProxyContext, _status: number, headers: Record<string, string | string[]>): void {
    const origin = requestOrigin(ctx.req)
    // a preflight was answered by access, or handed to the upstream whose answer is left as it is
    if (isPreflight(ctx.req, origin)) return
    if (origin === null && !policy.allowOriginAbsent) return
    addResponseHeaders(policy, origin, headers)
  }

  return Object.freeze({ name: plugin.name, id: plugin.id, priority, access, headerFilter, bodyFilter: null, log: null, close: noop })
}

function noop (): void {}
