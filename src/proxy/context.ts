// One object per proxied request: the ProxyContext plugins see, and at the same time the undici dispatch
// handler for the upstream call, so a request allocates no separate handler or closures.
// It uses undici's native (onConnect/onHeaders/onData/onComplete/onError) handler methods: in undici 7
// the newer controller API is adapted through an extra wrapper object and a parsed header object per
// request, which the hot path does not need.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { CompiledRoute, Runtime } from '../config/compile-runtime.ts'
import { compareInstances } from '../plugins/chain.ts'
import type { Consumer, Route, Service } from '../config/types.ts'
import type { RouteChain } from '../plugins/chain.ts'
import type { AuthenticatedCredential, PluginInstance, ProxyContext } from '../plugins/types.ts'
import type { Peer } from '../balancer/types.ts'
import { JSON_CONTENT_TYPE, kongErrorBody } from '../core/kong-responses.ts'
import { SERVER_TOKEN } from '../core/version.ts'
import { HOP_BY_HOP_HEADERS, connectionListed, removeFromFlat } from './hop-by-hop.ts'
import type { WorkerState } from './worker-state.ts'
import type { ClientConnection } from './client-connections.ts'
import { finishRequest } from './finish.ts'
import { respondToUpstreamError } from './forward.ts'
import { lingerAfterResponse } from './lingering-close.ts'
import { switchToConsumer } from './consumer-switch.ts'
import { bodyUnread, peekBody } from './read-body.ts'
import { collectChunk, filteredBody, startBodyFilter } from './body-filter.ts'
import { disarmWriteTimer } from './write-timeout.ts'
import { peerAnswered, peerDone, peerFailed } from './peer-attempt.ts'
import { addHashCookie, addHashCookieRaw } from './hash-cookie.ts'
import { HTTP2_SETTINGS, respondHttp2 } from './http2-respond.ts'
import { HeaderObject, appendField, type HeaderFields } from './header-fields.ts'
import { fieldsObject, setField } from './forwarded-headers.ts'

export const kContext = Symbol('tollgate.context')

const VIA_VALUE = `1.1 ${SERVER_TOKEN}`

export class RequestContext implements ProxyContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** the client connection, kept here: req.socket is unset once undici has consumed the request body */
  readonly socket: Socket
  readonly state: WorkerState
  readonly runtime: Runtime
  readonly target: CompiledRoute
  readonly route: Route
  readonly service: Service | null
  readonly startedAt: number
  readonly requestId: string
  readonly path: string
  query: string
  method: string
  /**
   * The upstream request's fields as a flat list (forwarded-headers.ts upstreamRequestFields) until
   * something asks for them by name (upstreamHeaders); null from then on
   */
  upstreamFields: string[] | null
  #upstreamHeaders: HeaderFields | null
  shared: Record<string, unknown> | null
  responded: boolean
  metricsFamilies: number
  consumer: Consumer | null
  credential: AuthenticatedCredential | null
  /** the plugins in force: the route's, or its chain for the authenticated consumer (consumer-switch.ts) */
  chain: RouteChain
  /**
   * the access plugin running now (null outside the access phase): which header filters a response the
   * gateway makes runs (runOwnHeaderFilters), and where a consumer switch continues (consumer-switch.ts)
   */
  running: PluginInstance | null
  /**
   * The body read whole, forwarded from here instead of streaming `req`: one buffer a plugin read (or
   * replaced), or the chunks of a chunked body held for the client_max_body_size check
   */
  bufferedBody: Buffer | Buffer[] | null
  bodyPromise: Promise<Buffer | null> | null
  upstreamPath: string
  /** the response body held for the chain's body filters (body-filter.ts); null: streaming, the common case */
  responseChunks: Buffer[] | null
  responseSize: number
  /** the body filters that accepted this response */
  bodyFilters: PluginInstance[] | null
  /**
   * the body bytes still to come of a streamed response whose Content-Length the upstream gave; -1 when
   * unknown (chunked, or the fields went through header filters, which may change it)
   */
  bodyLeft: number
  /** the last chunk ended the response itself (onData), so onComplete has nothing left to end */
  bodyEnded: boolean
  dispatchedAt: number
  firstByteAt: number
  upstreamStatus: number
  attempts: number
  finished: boolean
  abortUpstream: ((err?: Error) => void) | null
  resumeUpstream: (() => void) | null
  /** armed while a request body is being written upstream (write-timeout.ts) */
  writeTimer: NodeJS.Timeout | null
  /** in the worker's list of requests waiting on the upstream (read-timeout.ts), and its neighbours there */
  readLinked: boolean
  readPrev: RequestContext | null
  readNext: RequestContext | null
  /** when the current wait for the upstream began (performance.now()) */
  readSince: number
  /** reads since the request was sent, and how many the last sweep had seen (read-timeout.ts) */
  reads: number
  readsSeen: number
  /** the client is slow and the upstream is held back: the wait does not count */
  readPaused: boolean
  /** a balanced service's peer for the current attempt (peer-attempt.ts); null otherwise */
  peer: Peer | null
  /** when the current attempt at `peer` started; 0 once it was counted as ended */
  peerStartedAt: number
  /** consistent-hashing's value, found on the first attempt and kept for the retries */
  hashValue: string | null
  /** a new hash cookie for the response (hash_on cookie), else null */
  setCookie: string | null
  /** the request came over HTTP/2 (node:http2's compatibility objects): no connection-specific headers */
  readonly http2: boolean
  /** its client connection's record: byte marks, keep-alive (client-connections.ts) */
  readonly connection: ClientConnection

  constructor (req: IncomingMessage, res: ServerResponse, socket: Socket, state: WorkerState, runtime: Runtime, target: CompiledRoute,
    startedAt: number, requestId: string, path: string, query: string, upstreamFields: string[], http2: boolean,
    connection: ClientConnection) {
    this.req = req
    this.res = res
    this.socket = socket
    this.state = state
    this.runtime = runtime
    this.target = target
    this.route = target.route
    this.service = target.service
    this.startedAt = startedAt
    this.requestId = requestId
    this.path = path
    this.query = query
    this.method = req.method ?? 'GET'
    this.upstreamFields = upstreamFields
    this.#upstreamHeaders = null
    this.shared = null
    this.responded = false
    this.metricsFamilies = runtime.metricsFamilies
    this.consumer = null
    this.credential = null
    this.chain = target.chain
    this.running = null
    this.bufferedBody = null
    this.bodyPromise = null
    this.upstreamPath = ''
    this.responseChunks = null
    this.responseSize = 0
    this.bodyFilters = null
    this.bodyLeft = -1
    this.bodyEnded = false
    this.dispatchedAt = 0
    this.firstByteAt = 0
    this.upstreamStatus = 0
    this.attempts = 0
    this.finished = false
    this.abortUpstream = null
    this.writeTimer = null
    this.readLinked = false
    this.readPrev = null
    this.readNext = null
    this.readSince = 0
    this.reads = 0
    this.readsSeen = 0
    this.readPaused = false
    this.resumeUpstream = null
    this.peer = null
    this.peerStartedAt = 0
    this.hashValue = null
    this.setCookie = null
    this.http2 = http2
    this.connection = connection
  }

  /** The upstream request's fields by name, for plugins: built from the flat list the first time. */
  get upstreamHeaders (): HeaderFields {
    if (this.#upstreamHeaders === null) {
      this.#upstreamHeaders = fieldsObject(this.upstreamFields!)
      this.upstreamFields = null
    }
    return this.#upstreamHeaders
  }

  /** What the upstream request is sent with: the flat list, unless the fields were asked for by name. */
  dispatchHeaders (): HeaderFields | string[] {
    return this.#upstreamHeaders ?? this.upstreamFields!
  }

  /** Sets the upstream Host (a balanced service's peer) without building the object form. */
  setUpstreamHost (host: string): void {
    if (this.#upstreamHeaders !== null) this.#upstreamHeaders.host = host
    else setField(this.upstreamFields!, 'host', host)
  }

  exit (status: number, message: string, headers?: Readonly<Record<string, string>>): void {
    const flags = this.runtime.flags
    this.respond(status, kongErrorBody(message, flags.requestId ? this.requestId : null), null, headers)
  }

  respond (status: number, body: string | Buffer, contentType: string | null, headers?: Readonly<Record<string, string>>): void {
    if (this.responded) return
    this.responded = true
    const res = this.res
    if (res.headersSent) {
      res.destroy()
      finishRequest(this)
      return
    }
    const out: Record<string, string | string[]> = ownResponseHeaders(this.runtime, this.requestId, this.startedAt)
    // Content-Type is set before the header filters, as kong.response.exit sets it before Kong's
    // header_filter phase runs (a plugin may rewrite or remove it)
    const type = contentType === null ? JSON_CONTENT_TYPE : contentType
    if (type !== '') out['content-type'] = type
    if (headers !== undefined) Object.assign(out, headers)
    // Kong sets the new hash cookie on its own responses too (a 502 or 503 after the value was hashed)
    if (this.setCookie !== null) addHashCookie(out, this.setCookie)
    const chain = this.chain
    if (chain.headerFilter !== null) runOwnHeaderFilters(this, status, out)
    let payload: string | Buffer = body
    if (chain.bodyFilter !== null) payload = runOwnBodyFilters(this, chain.bodyFilter, status, out, body)
    // The rest of a body nobody read is not worth reading (it may be a 1 GiB upload answered 401): end
    // the connection, after a lingering close so the client still gets this answer (lingering-close.ts).
    // A request without a body, the common case, has nothing unread.
    // HTTP/2 ends just this stream, and its unread frames are dropped as they come.
    if (bodyUnread(this.req)) {
      if (this.http2) this.req.resume()
      else {
        out.connection = 'close'
        lingerAfterResponse(this.req, this.res, this.socket)
      }
    }
    res.statusCode = status
    // a 204 has no Content-Length (RFC 9110 §8.6), as nginx sends it
    if (status !== 204) out['content-length'] = String(Buffer.byteLength(payload))
    for (const name in out) res.setHeader(name, out[name])
    res.end(payload)
    finishRequest(this)
  }

  authenticate (consumer: Consumer | null, credential: AuthenticatedCredential | null): void {
    this.consumer = consumer
    this.credential = credential
    if (this.target.chain.consumers !== null) switchToConsumer(this, consumer)
  }

  readBody (): Promise<Buffer | null> {
    if (this.bodyPromise === null) this.bodyPromise = bufferBody(this)
    return this.bodyPromise
  }

  replaceBody (body: Buffer): void {
    this.bufferedBody = body
  }

  // ---- undici dispatch handler (native API) ----

  onConnect (abort: (err?: Error) => void): void {
    this.abortUpstream = abort
    if (this.finished) abort()
  }

  onBodySent (): void {
    this.writeTimer?.refresh()
  }

  onRequestSent (): void {
    disarmWriteTimer(this)
    // the wait for the answer starts now (read-timeout.ts); not for an attempt already over
    if (!this.finished && !this.responded) this.state.readDeadlines.arm(this, performance.now())
  }

  onHeaders (statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx informational answers are not forwarded (but are a read); 101 never happens as upgrades are not proxied
    if (statusCode < 200) {
      this.reads++
      return true
    }
    disarmWriteTimer(this)
    this.firstByteAt = performance.now()
    // the head arrived, possibly before the body was all sent: the body's reads are timed from here
    this.state.readDeadlines.arm(this, this.firstByteAt)
    this.upstreamStatus = statusCode
    if (this.peer !== null) peerAnswered(this, statusCode)
    this.resumeUpstream = resume
    const res = this.res
    if (res.destroyed) return false
    // a drain began while this request was in flight: its connection is not to be reused
    if (this.state.draining) res.shouldKeepAlive = false
    const chain = this.chain.headerFilter
    const bodyChain = this.chain.bodyFilter
    // header filters that only append (rate-limiting's) keep the flat list below (types.ts HeaderAppender)
    if (this.chain.headerAppend === null && (chain !== null || bodyChain !== null)) {
      // the filters read and change fields by name: built as an object in one pass over the raw list
      const object = downstreamHeaderFields(this, rawHeaders)
      if (chain !== null) for (let i = 0; i < chain.length; i++) chain[i].headerFilter!(this, statusCode, object)
      if (bodyChain !== null) startBodyFilter(this, bodyChain, statusCode, object)
      // HTTP/2 has no reason phrase (RFC 9113 §8.3.2)
      if (this.http2) respondHttp2(res, statusCode, object)
      else if (statusText === '') res.writeHead(statusCode, object)
      else res.writeHead(statusCode, statusText, object)
    } else {
      const headers = downstreamHeaders(this, rawHeaders)
      if (this.http2) respondHttp2(res, statusCode, headers)
      else if (statusText === '') res.writeHead(statusCode, headers)
      else res.writeHead(statusCode, statusText, headers)
    }
    // 204 and 304 carry no body whatever their Content-Length says (RFC 9110 §8.6), but undici 7 fails
    // one with a non-zero Content-Length as a length mismatch after this call (client-h1.js
    // onMessageComplete): the response is complete now, and that later error finds it finished
    if (statusCode === 204 || statusCode === 304) this.onComplete()
    return true
  }

  onData (chunk: Buffer): boolean {
    this.reads++
    if (this.responseChunks !== null) return collectChunk(this, chunk)
    const res = this.res
    if (this.bodyLeft === chunk.length) {
      // the last bytes of a known length: end() with them writes and finishes the response in one call
      // where write() then end() take two trips through node:http's output path
      this.bodyLeft = 0
      this.bodyEnded = true
      res.end(chunk)
      return true
    }
    if (this.bodyLeft > 0) this.bodyLeft -= chunk.length
    if (res.write(chunk)) return true
    this.readPaused = true
    res.once('drain', onDownstreamDrain)
    return false
  }

  onComplete (): void {
    // finishRequest ends the wait for the upstream (read-timeout.ts)
    if (this.responseChunks !== null) this.res.end(filteredBody(this))
    else if (!this.bodyEnded) this.res.end()
    finishRequest(this)
  }

  onError (err: Error): void {
    disarmWriteTimer(this)
    this.state.readDeadlines.disarm(this)
    // every byte of the body was passed on and the response ended: nothing is left to fail
    if (this.bodyEnded) {
      finishRequest(this)
      return
    }
    // The client went away (closed, timed out or broke off its body): undici reports that as an aborted
    // upstream request, but there is nobody left to answer and nothing the upstream did wrong.
    // node:http unsets res.socket (null), node:http2's compatibility response once its stream is closed
    // (undefined): an HTTP/2 client cancelling a stream mid-request must not throw here, in undici's
    // callback, which takes the worker down.
    const socket = this.res.socket as ServerResponse['socket'] | undefined
    if (socket === null || socket === undefined || socket.destroyed) {
      finishRequest(this)
      return
    }
    // a balanced attempt that got no response counts against its peer (a failure mid-body does not:
    // the peer answered, and its status was reported)
    if (this.peer !== null) {
      if (this.firstByteAt === 0) peerFailed(this, err)
      else peerDone(this)
    }
    respondToUpstreamError(this, err)
  }
}

/**
 * A response the gateway makes itself goes through the header_filter phase too, as Kong runs it for
 * kong.response.exit (so cors, correlation-id and rate-limiting headers reach a 401 or a 502): for the
 * plugins the access phase reached, which is every one once it is over, and during it those sorting up
 * to the one running (Kong's collecting iterator has collected only those, kong/runloop/plugins_iterator.lua).
 */
function runOwnHeaderFilters (ctx: RequestContext, status: number, headers: Record<string, string | string[]>): void {
  const filters = ctx.chain.headerFilter!
  const running = ctx.running
  for (let i = 0; i < filters.length; i++) {
    if (running !== null && compareInstances(filters[i], running) > 0) break
    filters[i].headerFilter!(ctx, status, headers)
  }
}

/**
 * Kong runs body_filter for kong.response.exit too (its body goes out through ngx.print), so a body rule
 * such as response-transformer's JSON rules rewrites a 401 of key-auth: the plugins reached, as for the
 * header filters, that accept this response, in chain order. A transform that throws leaves the body as
 * it was (logged), as filteredBody does for upstream bodies.
 */
function runOwnBodyFilters (ctx: RequestContext, filters: readonly PluginInstance[], status: number,
  headers: Record<string, string | string[]>, body: string | Buffer): string | Buffer {
  if (ctx.req.method === 'HEAD' || status === 204 || status === 304) return body
  const running = ctx.running
  let out: Buffer | null = null
  for (let i = 0; i < filters.length; i++) {
    const plugin = filters[i]
    if (running !== null && compareInstances(plugin, running) > 0) break
    if (!plugin.bodyFilter!.accepts(status, headers)) continue
    if (out === null) out = typeof body === 'string' ? Buffer.from(body) : body
    try {
      out = plugin.bodyFilter!.transform(ctx, out)
    } catch (err) {
      ctx.state.logger.log('warn', 'plugin_body_filter_failed', { plugin: plugin.name, request_id: ctx.requestId, error: err })
    }
  }
  return out ?? body
}

/** Headers for a response the gateway makes itself (errors, plugin short-circuits). */
export function ownResponseHeaders (runtime: Runtime, requestId: string, startedAt: number): Record<string, string> {
  const flags = runtime.flags
  const out: Record<string, string> = {}
  if (flags.responseLatency) out['x-kong-response-latency'] = String(Math.round(performance.now() - startedAt))
  if (flags.server) out.server = SERVER_TOKEN
  if (flags.requestId) out['x-kong-request-id'] = requestId
  return out
}

/** the lengths of the names downstreamHeaders checks for: the hop-by-hop ones, HTTP2-Settings and Content-Length */
const CHECKED_NAME_LENGTHS: Uint8Array = lengthTable([...HOP_BY_HOP_HEADERS, HTTP2_SETTINGS, 'content-length'])

function lengthTable (names: readonly string[]): Uint8Array {
  const table = new Uint8Array(Math.max(...names.map((name) => name.length)) + 1)
  for (const name of names) table[name.length] = 1
  return table
}

// Builds the downstream header list in the raw [name, value, ...] form res.writeHead accepts (for HTTP/2,
// the form stream.respond takes: the :status pair first), dropping hop-by-hop headers and appending
// Kong's. Kept as one loop on purpose: it runs for every response.
function downstreamHeaders (ctx: RequestContext, raw: Buffer[]): string[] {
  const http2 = ctx.http2
  const first = http2 ? 2 : 0
  const out: string[] = http2 ? [':status', String(ctx.upstreamStatus)] : []
  const appendNames = ctx.chain.appendNames
  let listed: string[] | null = null
  let shadowed = false
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toString('latin1')
    // a name no check below can match (most of them) is passed on without being lower-cased and hashed;
    // a plugin's appended names may have any length
    const length = name.length
    if (appendNames === null && (length >= CHECKED_NAME_LENGTHS.length || CHECKED_NAME_LENGTHS[length] === 0)) {
      out.push(name, raw[i + 1].toString('latin1'))
      continue
    }
    const lower = name.toLowerCase()
    if (HOP_BY_HOP_HEADERS.has(lower) || (http2 && lower === HTTP2_SETTINGS)) {
      // headers the upstream's Connection names are hop-by-hop too (RFC 9110 §7.6.1); rare beyond keep-alive
      if (lower === 'connection') {
        const names = connectionListed(raw[i + 1].toString('latin1'))
        if (names !== null) listed = listed === null ? names : listed.concat(names)
      }
      continue
    }
    if (appendNames !== null && appendNames.has(lower)) shadowed = true
    const value = raw[i + 1].toString('latin1')
    // llhttp has checked it is one decimal number (a conflicting repeat is an error before this)
    if (lower === 'content-length') ctx.bodyLeft = Number(value)
    out.push(name, value)
  }
  if (listed !== null) removeFromFlat(out, listed, first)
  const upstreamEnd = out.length
  const flags = ctx.runtime.flags
  if (flags.via) out.push('via', VIA_VALUE)
  if (flags.upstreamLatency) out.push('x-kong-upstream-latency', String(Math.round(ctx.firstByteAt - ctx.dispatchedAt)))
  if (flags.proxyLatency) out.push('x-kong-proxy-latency', String(Math.round(ctx.dispatchedAt - ctx.startedAt)))
  if (flags.upstreamStatus) out.push('x-kong-upstream-status', String(ctx.upstreamStatus))
  if (flags.requestId) out.push('x-kong-request-id', ctx.requestId)
  // a consistent-hashing upstream hashing on a cookie the client did not send (peer-attempt.ts)
  if (ctx.setCookie !== null) addHashCookieRaw(out, ctx.setCookie)
  if (flags.microseconds) {
    out.push('x-tollgate-proxy-latency-us', String(Math.round((ctx.dispatchedAt - ctx.startedAt) * 1000)))
    out.push('x-tollgate-upstream-latency-us', String(Math.round((ctx.firstByteAt - ctx.dispatchedAt) * 1000)))
  }
  const append = ctx.chain.headerAppend
  if (append !== null) {
    const appendedAt = out.length
    for (let i = 0; i < append.length; i++) append[i].append(ctx, ctx.upstreamStatus, out)
    // an upstream field of a name a plugin set is replaced, as headerFilter's assignment replaces it
    if (shadowed) removeFromFlat(out, namesFrom(out, appendedAt), first, upstreamEnd)
  }
  return out
}

/** The lower-cased names of a flat list's fields from `from` on. */
function namesFrom (flat: readonly string[], from: number): string[] {
  const names: string[] = []
  for (let i = from; i < flat.length; i += 2) names.push(flat[i].toLowerCase())
  return names
}

/**
 * downstreamHeaders for a route with header or body filters: the same fields, lower-cased names as keys
 * (repeated fields as arrays), built in the same single pass rather than as a list then converted.
 */
function downstreamHeaderFields (ctx: RequestContext, raw: Buffer[]): Record<string, string | string[]> {
  const out = new HeaderObject()
  let listed: string[] | null = null
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toString('latin1').toLowerCase()
    if (HOP_BY_HOP_HEADERS.has(lower) || (ctx.http2 && lower === HTTP2_SETTINGS)) {
      if (lower === 'connection') {
        const names = connectionListed(raw[i + 1].toString('latin1'))
        if (names !== null) listed = listed === null ? names : listed.concat(names)
      }
      continue
    }
    appendField(out, lower, raw[i + 1].toString('latin1'))
  }
  if (listed !== null) for (const name of listed) delete out[name]
  const flags = ctx.runtime.flags
  // Kong appends its Via to the upstream's (kong/runloop/handler.lua header_filter) and sets its own headers
  if (flags.via) out.via = out.via === undefined ? VIA_VALUE : `${String(out.via)}, ${VIA_VALUE}`
  if (flags.upstreamLatency) out['x-kong-upstream-latency'] = String(Math.round(ctx.firstByteAt - ctx.dispatchedAt))
  if (flags.proxyLatency) out['x-kong-proxy-latency'] = String(Math.round(ctx.dispatchedAt - ctx.startedAt))
  if (flags.upstreamStatus) out['x-kong-upstream-status'] = String(ctx.upstreamStatus)
  if (flags.requestId) out['x-kong-request-id'] = ctx.requestId
  if (ctx.setCookie !== null) addHashCookie(out, ctx.setCookie)
  if (flags.microseconds) {
    out['x-tollgate-proxy-latency-us'] = String(Math.round((ctx.dispatchedAt - ctx.startedAt) * 1000))
    out['x-tollgate-upstream-latency-us'] = String(Math.round((ctx.firstByteAt - ctx.dispatchedAt) * 1000))
  }
  return out
}

function onDownstreamDrain (this: ServerResponse): void {
  const ctx = (this as unknown as Record<symbol, RequestContext | undefined>)[kContext]
  if (ctx === undefined) return
  // the upstream may be read again: its wait restarts, as undici refreshes its body timer on resume
  ctx.readPaused = false
  ctx.reads++
  ctx.resumeUpstream?.()
}

async function bufferBody (ctx: RequestContext): Promise<Buffer | null> {
  const settings = ctx.state.settings
  const body = await peekBody(ctx.req, settings.client_body_buffer_size, settings.client_max_body_size)
  // null: larger than the buffer, and left in the stream for the upstream
  if (body !== null && ctx.bufferedBody === null) ctx.bufferedBody = body
  return body
}
