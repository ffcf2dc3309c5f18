// The proxy's request listener: route, run the access phase, forward. Everything it consults was built at
// config load (Runtime); the common path allocates only the context, the upstream field list and the
// dispatch options. Continuations are module-level functions taking the context (no closures per request).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Runtime } from '../config/compile-runtime.ts'
import { ClientError } from '../core/errors.ts'
import { KONG_MESSAGES, NO_SERVICE_MESSAGE, kongErrorBody, kongMessage, writeJsonResponse } from '../core/kong-responses.ts'
import { escapePath } from '../router/escape-path.ts'
import { normalizePath } from '../router/normalize-path.ts'
import { upstreamPath } from '../router/path-join.ts'
import { STAT_REQUESTS_TOTAL } from '../workers/worker-stats.ts'
import type { PluginInstance } from '../plugins/types.ts'
import { indexAfter } from './consumer-switch.ts'
import { RequestContext, kContext, ownResponseHeaders } from './context.ts'
import { finishRequest } from './finish.ts'
import { dispatchUpstream, requestHasBody } from './forward.ts'
import { hostWithoutPort, upstreamRequestFields } from './forwarded-headers.ts'
import { clientSocket, forwardedHttps, isEncrypted, requestHost, serverName } from './connection-info.ts'
import { readBodyChunks } from './read-body.ts'
import type { WorkerState } from './worker-state.ts'
import type { ClientConnection } from './client-connections.ts'

const CLOSE_CONNECTION: Readonly<Record<string, string>> = Object.freeze({ connection: 'close' })
const UPGRADE_TO_TLS: Readonly<Record<string, string>> = Object.freeze({ connection: 'Upgrade', upgrade: 'TLS/1.2, HTTP/1.1' })

export function handleRequest (state: WorkerState, req: IncomingMessage, res: ServerResponse): void {
  const startedAt = performance.now()
  const runtime = state.runtime
  state.stats[STAT_REQUESTS_TOTAL]++
  // the one per-request protocol test: HTTP/2 has no Connection header and carries Host as :authority
  const http2 = req.httpVersionMajor === 2
  const socket = clientSocket(req, http2)
  const connection = state.connections.of(socket)
  // an HTTP/1.1 connection is not idle while this request lasts (client-connections.ts)
  const keepAlive = http2 ? null : connection
  state.requestStarted(keepAlive)
  // keepalive_timeout 0 turns keep-alive off, as in nginx
  if (state.draining || state.connections.timeoutMs === 0) res.shouldKeepAlive = false
  // An HTTP/0.9 request line ("GET /path", no version; llhttp reports 0.9) is refused, never proxied.
  // nginx serves a 0.9 GET as a headerless exchange (src/http/ngx_http_parse.c
  // ngx_http_parse_request_line; other methods get NGX_HTTP_PARSE_INVALID_09_METHOD, a 400); a gateway
  // would have to invent an HTTP/1.1 request the client never sent, so it answers 400 and closes.
  if (req.httpVersionMajor === 0) return earlyResponse(state, runtime, res, keepAlive, startedAt, 400, KONG_MESSAGES[400], CLOSE_CONNECTION)

  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const rawPath = q < 0 ? url : url.slice(0, q)
  const query = q < 0 ? '' : url.slice(q + 1)
  const path = rawPath.charCodeAt(0) === 47 /* / */ ? normalizePath(rawPath) : null
  if (path === null) return earlyResponse(state, runtime, res, keepAlive, startedAt, 400, KONG_MESSAGES[400], null)

  const https = isEncrypted(socket)
  const host = requestHost(req, http2)
  const router = runtime.router
  // the server name is read (and lower-cased) only when some route has snis to match it against
  const match = router.find(req.method ?? 'GET', host, path, req.headers, req.rawHeaders, https && router.matchesSni ? serverName(socket) : null)
  if (match === null) return earlyResponse(state, runtime, res, keepAlive, startedAt, 404, KONG_MESSAGES[404], null)
  const matchedLength = router.matchedLength
  const target = match.value
  const route = target.route
  if (target.httpsOnly && !https && !forwardedHttps(req, socket, runtime.trustedIps)) {
    return httpsRequired(state, runtime, req, res, keepAlive, startedAt, route.https_redirect_status_code, host, http2)
  }
  const maxBody = state.settings.client_max_body_size
  if (maxBody > 0 && Number(req.headers['content-length'] ?? 0) > maxBody) {
    return earlyResponse(state, runtime, res, keepAlive, startedAt, 413, KONG_MESSAGES[413], http2 ? null : CLOSE_CONNECTION)
  }

  const requestId = state.nextRequestId()
  const stripped = route.strip_path && matchedLength > 0 ? escapePath(path.slice(0, matchedLength)) : ''
  const fields = upstreamRequestFields(req, socket, target, rawPath, stripped, requestId, runtime.flags, runtime.trustedIps,
    host, https)
  const ctx = new RequestContext(req, res, socket, state, runtime, target, startedAt, requestId, path, query, fields, http2,
    connection)
  // Kong builds the upstream path from the normalised one and escapes what normalising decoded
  ctx.upstreamPath = escapePath(upstreamPath(target.servicePath, path, matchedLength, route.strip_path, target.pathHandling))
  ;(res as unknown as Record<symbol, RequestContext>)[kContext] = ctx
  // on, not once: a response closes once, and once() would allocate a wrapper for every request
  res.on('close', onResponseClose)
  runAccess(ctx, 0)
}

function runAccess (ctx: RequestContext, from: number): void {
  const chain = ctx.chain
  // a route where an authentication can change the plugins takes the slower loop; this one is unchanged
  if (chain.consumers !== null) return runAccessSwitching(ctx, from)
  const access = chain.access
  if (access !== null) {
    for (let i = from; i < access.length; i++) {
      let result
      // which plugin runs: a response it makes goes through the header filters of those reached so far
      ctx.running = access[i]
      try {
        result = access[i].access!(ctx)
      } catch (err) {
        return pluginFailed(ctx, access[i].name, err)
      }
      if (ctx.responded || ctx.finished) return
      if (result !== undefined) {
        awaitAccess(ctx, result, i + 1, access[i]).catch(noop)
        return
      }
    }
  }
  afterAccess(ctx)
}

// The access loop of a route with consumer chains: it tells ctx.authenticate which plugin is running
// (ctx.running, kept through an awaited phase) and, when that switched the chain in force, continues in
// the new chain after that plugin (consumer-switch.ts).
function runAccessSwitching (ctx: RequestContext, from: number): void {
  let chain = ctx.chain
  let access = chain.access
  let i = from
  while (access !== null && i < access.length) {
    const plugin = access[i]
    ctx.running = plugin
    let result
    try {
      result = plugin.access!(ctx)
    } catch (err) {
      return pluginFailed(ctx, plugin.name, err)
    }
    if (ctx.chain === chain) {
      i++
    } else {
      chain = ctx.chain
      access = chain.access
      i = indexAfter(access, plugin)
    }
    if (ctx.responded || ctx.finished) return
    if (result !== undefined) {
      awaitAccess(ctx, result, i, plugin).catch(noop)
      return
    }
  }
  ctx.running = null
  afterAccess(ctx)
}

function afterAccess (ctx: RequestContext): void {
  ctx.running = null
  // A route without a service still runs its plugins (request-termination may answer); only then is it
  // Kong's 503 (kong/init.lua Kong.access: `if not ctx.service then kong.response.exit(503, ...)`)
  if (ctx.service === null) return ctx.exit(503, NO_SERVICE_MESSAGE)
  // A chunked body cannot be checked against client_max_body_size up front: it is held within that limit
  // before anything is sent, as nginx's request buffering does (in memory here, as the chunks arrived).
  if (ctx.bufferedBody === null && ctx.state.settings.client_max_body_size > 0 && bodyLengthUnknown(ctx)) {
    awaitBodyThenDispatch(ctx).catch(noop)
    return
  }
  dispatchUpstream(ctx)
}

/** `next` is where access continues, unless the plugin authenticated a consumer while it was awaited. */
async function awaitAccess (ctx: RequestContext, pending: Promise<void>, next: number, plugin: PluginInstance): Promise<void> {
  const chain = ctx.chain
  try {
    await pending
  } catch (err) {
    return pluginFailed(ctx, plugin.name, err)
  }
  if (ctx.responded || ctx.finished) return
  runAccess(ctx, ctx.chain === chain ? next : indexAfter(ctx.chain.access, plugin))
}

async function awaitBodyThenDispatch (ctx: RequestContext): Promise<void> {
  let chunks
  try {
    chunks = await readBodyChunks(ctx.req, ctx.state.settings.client_max_body_size)
  } catch (err) {
    return pluginFailed(ctx, 'core', err)
  }
  if (ctx.finished) return
  ctx.bufferedBody = chunks
  dispatchUpstream(ctx)
}

function pluginFailed (ctx: RequestContext, plugin: string, err: unknown): void {
  if (ctx.finished || ctx.responded) return
  // a body left unread ends the connection (RequestContext#respond)
  if (err instanceof ClientError) return ctx.exit(err.status, kongMessage(err.status))
  ctx.state.logger.log('error', 'plugin_access_failed', { plugin, request_id: ctx.requestId, error: err })
  ctx.exit(500, KONG_MESSAGES[500])
}

function onResponseClose (this: ServerResponse): void {
  const ctx = (this as unknown as Record<symbol, RequestContext | undefined>)[kContext]
  if (ctx === undefined || ctx.finished) return
  // the client went away before the response completed: stop the upstream exchange too
  ctx.abortUpstream?.()
  finishRequest(ctx)
}

function earlyResponse (state: WorkerState, runtime: Runtime, res: ServerResponse, keepAlive: ClientConnection | null,
  startedAt: number, status: number, message: string, extra: Readonly<Record<string, string>> | null): void {
  const requestId = state.nextRequestId()
  const headers = ownResponseHeaders(runtime, requestId, startedAt)
  if (extra !== null) Object.assign(headers, extra)
  writeJsonResponse(res, status, kongErrorBody(message, runtime.flags.requestId ? requestId : null), headers)
  state.requestEnded(keepAlive, performance.now())
}

/**
 * Kong's answer to an https-only route reached over plain http (kong/runloop/handler.lua, access `after`):
 * 426 with Upgrade (connection-specific, so not on HTTP/2), or a redirect to https://$host$request_uri,
 * nginx's $host being the Host without its port.
 */
function httpsRequired (state: WorkerState, runtime: Runtime, req: IncomingMessage, res: ServerResponse,
  keepAlive: ClientConnection | null, startedAt: number, status: number, host: string | undefined, http2: boolean): void {
  if (status === 426) {
    return earlyResponse(state, runtime, res, keepAlive, startedAt, 426, KONG_MESSAGES[426], http2 ? null : UPGRADE_TO_TLS)
  }
  const location = `https://${hostWithoutPort(host ?? '')}${req.url ?? '/'}`
  return earlyResponse(state, runtime, res, keepAlive, startedAt, status, 'Moved', { location })
}

/** A body whose size the headers do not give: chunked, or an HTTP/2 body without content-length. */
function bodyLengthUnknown (ctx: RequestContext): boolean {
  const headers = ctx.req.headers
  if (headers['transfer-encoding'] !== undefined) return true
  return ctx.http2 && headers['content-length'] === undefined && requestHasBody(ctx.req)
}

function noop (): void {}
