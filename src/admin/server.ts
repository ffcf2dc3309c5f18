// The Admin API listener on admin_listen (loopback by default), served by the main thread, never by proxy
// workers. Every request passes admin-guard.ts first (Host, Origin, Kong-Admin-Token, body type); then
// handlers are tried in order; the first non-null result is written with X-Kong-Admin-Latency.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import { isIP } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { ListenAddress } from '../config/types.ts'
import type { Logger } from '../core/log.ts'
import { redactUrlCredentials } from '../core/redact-url.ts'
import { SERVER_TOKEN } from '../core/version.ts'
import { checkBodyType, checkRequestHeaders, isLoopbackHost, type AdminSecurity } from './admin-guard.ts'
import type { AdminHandler, AdminRequest, AdminResult } from './types.ts'

const NOT_FOUND: AdminResult = { status: 404, body: { message: 'Not found' } }
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface AdminServerOptions {
  readonly handlers: () => readonly AdminHandler[]
  readonly maxBodySize: () => number
  readonly latencyHeader: () => boolean
  readonly logger: Logger
  /** the running admin_token and admin_allowed_hosts; none when not given (tests of handlers alone) */
  readonly security?: () => AdminSecurity
}

const OPEN: AdminSecurity = { token: null, allowedHosts: [] }

export class AdminServer {
  readonly #servers: Server[] = []
  readonly #options: AdminServerOptions
  readonly addresses: string[] = []
  /** the host names (not addresses) admin_listen binds to, lower-cased */
  readonly #listenNames: string[] = []

  constructor (options: AdminServerOptions) {
    this.#options = options
  }

  async listen (addresses: readonly ListenAddress[]): Promise<void> {
    for (const address of addresses) {
      if (isIP(address.host) === 0) this.#listenNames.push(address.host.toLowerCase())
      const server = createServer((req, res) => { this.#handle(req, res).catch((err) => this.#fail(res, err)) })
      server.listen(address.port, address.host)
      await once(server, 'listening')
      const bound = server.address() as { port: number }
      this.addresses.push(`${address.host}:${bound.port}`)
      this.#servers.push(server)
      if (!isLoopbackHost(address.host)) this.#warnExposed(`${address.host}:${bound.port}`)
    }
  }

  #warnExposed (address: string): void {
    const token = this.#security().token !== null
    this.#options.logger.log('warn', 'admin_listen_not_loopback', {
      admin: address,
      admin_token: token,
      message: token
        ? 'the Admin API is reachable from other hosts; every request needs the admin token'
        : 'the Admin API is reachable from other hosts without authentication: set admin_token, or listen on 127.0.0.1'
    })
  }

  #security (): AdminSecurity {
    const security = this.#options.security?.() ?? OPEN
    if (this.#listenNames.length === 0) return security
    // a listener bound by name (admin_listen = admin.internal:8001) is reached by that name
    return { token: security.token, allowedHosts: [...security.allowedHosts, ...this.#listenNames] }
  }

  async #handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const url = new URL(req.url ?? '/', 'http://admin')
    const method = req.method ?? 'GET'
    const refused = checkRequestHeaders(req.headers, this.#security())
    if (refused !== null) return this.#refuse(req, res, refused, started)
    let body: Buffer | null = null
    if (METHODS_WITH_BODY.has(method)) {
      body = await readBody(req, this.#options.maxBodySize())
      if (body === null) return this.#write(res, { status: 413, body: { message: 'Payload too large' } }, started)
      const wrongType = checkBodyType(method, req.headers, body, url.pathname)
      if (wrongType !== null) return this.#write(res, wrongType, started)
    }
    const request: AdminRequest = { method, pathname: url.pathname, query: url.searchParams, headers: req.headers, body }
    for (const handler of this.#options.handlers()) {
      const result = await handler(request)
      if (result !== null) return this.#write(res, result, started)
    }
    this.#write(res, NOT_FOUND, started)
  }

  /** A refused request's body is never read: the connection closes after the answer. */
  #refuse (req: IncomingMessage, res: ServerResponse, result: AdminResult, started: number): void {
    if (!req.complete) res.shouldKeepAlive = false
    this.#write(res, result, started)
  }

  #write (res: ServerResponse, result: AdminResult, started: number): void {
    const headers: Record<string, string | number> = { server: SERVER_TOKEN, ...result.headers }
    if (this.#options.latencyHeader()) headers['x-kong-admin-latency'] = Math.round(performance.now() - started)
    let payload: string | Buffer | null = null
    if (result.body !== undefined && result.status !== 204 && result.status !== 304) {
      if (typeof result.body === 'string' || Buffer.isBuffer(result.body)) {
        payload = result.body
      } else {
        // every string of every JSON answer, plugin routes' included (an issuer with user:pass@)
        payload = JSON.stringify(result.body, hideUrlCredentials)
        headers['content-type'] ??= 'application/json; charset=utf-8'
      }
      headers['content-length'] = Buffer.byteLength(payload)
    }
    res.writeHead(result.status, headers)
    res.end(payload)
  }

  #fail (res: ServerResponse, err: unknown): void {
    this.#options.logger.log('error', 'admin_request_failed', { error: err })
    if (res.headersSent) {
      res.destroy()
      return
    }
    this.#write(res, { status: 500, body: { message: 'An unexpected error occurred' } }, performance.now())
  }

  async close (): Promise<void> {
    await Promise.all(this.#servers.map(async (server) => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }))
  }
}

function hideUrlCredentials (_key: string, value: unknown): unknown {
  return typeof value === 'string' ? redactUrlCredentials(value) : value
}

/** Reads a body within `limit` bytes; null when it is larger (the rest is discarded). */
async function readBody (req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) tooLarge = true
    else chunks.push(chunk)
  }
  return tooLarge ? null : Buffer.concat(chunks, size)
}
