// One attempt at a balanced upstream (a service whose host names an upstream): the peer the balancer
// picks, the passive health report of how it went, and the balancer's bookkeeping around it (Kong's
// kong/runloop/balancer/init.lua execute and the healthchecker reports of kong/runloop/balancer/
// healthcheckers.lua: report_http_status on the response, report_tcp_failure / report_timeout on a failure).

import type { Dispatcher } from 'undici'
import { performance } from 'node:perf_hooks'
import { errorCode } from '../core/errors.ts'
import { OUTCOME_TCP_FAILURE, OUTCOME_TIMEOUT, reportPassive } from '../balancer/health-rules.ts'
import type { BalancedService } from './balanced-service.ts'
import { uriCaptures } from './balanced-service.ts'
import type { RequestContext } from './context.ts'
import { WRITE_TIMEOUT_CODE } from './write-timeout.ts'

/** kong/runloop/balancer/init.lua execute: no peer with weight and health left */
export const NO_PEER_MESSAGE = 'failure to get a peer from the ring-balancer'

/**
 * Picks the peer for this attempt and points the request at it: returns its pool, or null after answering
 * Kong's 503. The value to hash is found once per request and kept for its retries, as Kong's
 * balancer_data.hash_value; a retry passes the peer that failed so the balancer moves on.
 */
export function pickPeer (ctx: RequestContext, balanced: BalancedService): Dispatcher | null {
  const upstream = balanced.upstream
  if (ctx.attempts === 1 && upstream.hash !== null) ctx.hashValue = hashValueOf(ctx, balanced)
  const peer = upstream.balancer.pick(ctx.hashValue, ctx.peer)
  if (peer === null) {
    ctx.upstreamStatus = 0
    ctx.exit(503, NO_PEER_MESSAGE)
    return null
  }
  ctx.peer = peer
  ctx.peerStartedAt = performance.now()
  upstream.balancer.started(peer)
  const route = balanced.routeFor(peer)
  const client = ctx.req.headers.host
  if (!ctx.route.preserve_host || client === undefined || client === '') ctx.setUpstreamHost(route.host)
  return route.pool
}

function hashValueOf (ctx: RequestContext, balanced: BalancedService): string | null {
  const upstream = balanced.upstream
  const input = upstream.hashInput
  input.consumerId = ctx.consumer?.id ?? null
  input.credentialId = ctx.credential?.id ?? null
  input.clientIp = clientIp(ctx)
  input.headers = ctx.req.headers
  input.path = ctx.path
  const url = ctx.req.url
  input.query = url === undefined || !url.includes('?') ? null : ctx.query
  input.uriCaptures = balanced.captureRegexes.length === 0 ? null : uriCaptures(balanced.captureRegexes, ctx.path)
  const value = upstream.valueToHash()
  // a new hash cookie goes back on the response (Kong's balancer sets it in header_filter)
  ctx.setCookie = input.setCookie
  return value
}

/** nginx's $remote_addr, as Kong's `ip` hash reads it, without Node's IPv4-mapped prefix */
function clientIp (ctx: RequestContext): string {
  const remote = ctx.socket.remoteAddress ?? ''
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote
}

/** The upstream answered with `status`: the passive health report of the attempt. */
export function peerAnswered (ctx: RequestContext, status: number): void {
  const upstream = ctx.target.balanced!.upstream
  reportPassive(upstream.health, ctx.peer!.slot, upstream.rules, status)
}

/** The attempt failed before a response: a timeout or a TCP failure for the passive checks, and the attempt ends. */
export function peerFailed (ctx: RequestContext, err: Error): void {
  const upstream = ctx.target.balanced!.upstream
  reportPassive(upstream.health, ctx.peer!.slot, upstream.rules, isTimeout(err) ? OUTCOME_TIMEOUT : OUTCOME_TCP_FAILURE)
  peerDone(ctx)
}

/** The attempt is over (completed, failed or abandoned): least-connections and latency count it. */
export function peerDone (ctx: RequestContext): void {
  const peer = ctx.peer
  if (peer === null || ctx.peerStartedAt === 0) return
  ctx.target.balanced!.upstream.balancer.ended(peer, performance.now() - ctx.peerStartedAt)
  ctx.peerStartedAt = 0
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', WRITE_TIMEOUT_CODE
])

function isTimeout (err: Error): boolean {
  const code = errorCode(err)
  return code !== null && TIMEOUT_CODES.has(code)
}
