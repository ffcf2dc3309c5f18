// Kong's rate-limiting access phase (kong/plugins/rate-limiting/handler.lua RateLimitingHandler:access)
// with policy local (policies/init.lua ["local"]), counting in the shared table (counters/table.ts):
//   1. the identifier (identifier.ts, get_identifier) and the current windows (windows.ts)
//   2. per configured period, smallest first, count the request; the first period at its limit refuses
//      it, and the periods already counted take their unit back: a refused request counts nowhere, as
//      in Kong (which increments only after the checks pass). Kong reads all usages first and increments
//      later in a timer, so concurrent requests can all pass the last allowed one; here the check and the
//      count are one Atomics.add, so exactly `limit` pass.
//   3. headers (headers.ts) unless hide_client_headers; a refusal is kong.response.error(error_code,
//      error_message) with them and Retry-After.
// When the table has no room for a key (counters/table.ts FULL), that is Kong's "failed to get usage":
// fault_tolerant proxies the request without limiting or headers (and logs it, at most once a second
// per instance), otherwise the request gets a 500 "An unexpected error occurred".
// Everything that depends on config only is computed here, once per instance; a request runs the
// access function without allocating more than the identifier and the headers object. access never
// awaits, so the instance's scratch objects (key, usage, counted) serve one request at a time.
// Policy redis is another access function (redis-handler.ts), chosen here at config load: the local
// policy's path is the same code whether or not a config uses Redis.

import type { Plugin } from '../../config/types.ts'
import type { ConfigView, HeaderAppender, PhaseResult, PluginInstance, PluginServices, ProxyContext } from '../types.ts'
import { KeyHash, hashKey, fmix32 } from './counters/hash.ts'
import { CounterKey, FULL } from './counters/table.ts'
import {
  RATELIMIT_LIMIT, RATELIMIT_REMAINING, RATELIMIT_RESET, RETRY_AFTER, rateLimitHeaders, responseHeaderNames, Usage, X_RATELIMIT_LIMIT,
  X_RATELIMIT_REMAINING
} from './headers.ts'
import { identifierOf, limitByCode } from './identifier.ts'
import { PERIODS } from './windows.ts'
import type { RateLimitingWorkerService } from './worker-service.ts'
import { RedisLimiter } from './redis-handler.ts'

export interface RateLimitingConfig {
  readonly second: number | null
  readonly minute: number | null
  readonly hour: number | null
  readonly day: number | null
  readonly month: number | null
  readonly year: number | null
  readonly limit_by: string
  readonly header_name: string | null
  readonly path: string | null
  readonly policy: string
  readonly fault_tolerant: boolean
  readonly hide_client_headers: boolean
  readonly error_code: number
  readonly error_message: string
  readonly sync_rate: number
  /** Kong's redis record (kong/tools/redis/schema.lua, plus the Enterprise fields: src/redis/schema.ts) */
  readonly redis: Readonly<Record<string, unknown>>
}

const PLUGIN = 'rate-limiting'
/** where access leaves the headers for header_filter (Kong's ngx.ctx.__rate_limiting_context__) */
export const SHARED_KEY = '__rate_limiting_context__'
/** policies/init.lua EMPTY_UUID: the scope part of a plugin not on a route or service */
const EMPTY_UUID = '00000000-0000-0000-0000-000000000000'
const LOG_EVERY_MS = 1000

/** header_filter writes into the upstream's headers object, whose names are lower-case */
const LOWER: Readonly<Record<string, string>> = Object.fromEntries(
  [RATELIMIT_LIMIT, RATELIMIT_REMAINING, RATELIMIT_RESET, RETRY_AFTER, ...X_RATELIMIT_LIMIT, ...X_RATELIMIT_REMAINING]
    .map((name) => [name, name.toLowerCase()]))

/** Two lanes of a hash of the plugin's scope, as policies/init.lua get_local_key keys by route and service. */
export function scopeOf (plugin: Plugin, key: CounterKey): void {
  const scope = `${plugin.route?.id ?? EMPTY_UUID}:${plugin.service?.id ?? EMPTY_UUID}`
  const hash = hashKey(scope, new KeyHash())
  key.scopeA = hash.a
  key.scopeB = fmix32(hash.b ^ 0x52415445)
}

export function createRateLimiting (plugin: Plugin, priority: number, services: PluginServices, _view: ConfigView): PluginInstance {
  const service = services.byPlugin.get(PLUGIN) as RateLimitingWorkerService | undefined
  if (service === undefined) throw new Error('rate-limiting: the worker has no rate-limiting service (worker started without its data)')
  const config = plugin.config as unknown as RateLimitingConfig
  const periods: number[] = []
  const limits: number[] = []
  for (let p = 0; p < PERIODS.length; p++) {
    const limit = config[PERIODS[p]]
    if (limit !== null && limit !== undefined) {
      periods.push(p)
      limits.push(limit)
    }
  }
  const by = limitByCode(config.limit_by)
  const header = config.header_name === null ? '' : config.header_name.toLowerCase()
  const path = config.path
  const hide = config.hide_client_headers
  if (config.policy === 'redis') return createRedisRateLimiting(plugin, priority, services, service, { periods, limits, by, header, path, hide })
  const table = service.table
  const windows = service.windows
  const logger = service.logger
  const key = new CounterKey()
  key.hash = new KeyHash()
  scopeOf(plugin, key)
  const usage = new Usage(periods, limits)
  const counted = new Int32Array(periods.length)
  let loggedAt = -Infinity

  function access (ctx: ProxyContext): PhaseResult {
    const now = windows.at(Date.now())
    const identifier = identifierOf(ctx, by, header, path)
    hashKey(identifier, key.hash!)
    key.identifier = identifier
    usage.stop = -1
    let taken = 0
    let full = false
    for (let i = 0; i < periods.length; i++) {
      setWindow(key, periods[i], windows.start, windows.end)
      const before = table.take(key, limits[i], now)
      if (before === FULL) { full = true; break }
      usage.used[i] = before
      if (before >= limits[i]) { usage.stop = i; break }
      counted[taken++] = table.lastByte
    }
    if (full || usage.stop >= 0) for (let i = 0; i < taken; i++) table.giveBack(counted[i])
    if (full) {
      if (now - loggedAt >= LOG_EVERY_MS) {
        loggedAt = now
        logger.log('error', 'rate_limiting_usage_failed', { plugin: plugin.id, detail: 'the shared counter table has no free slot for this key' })
      }
      if (!config.fault_tolerant) ctx.exit(500, 'An unexpected error occurred')
      return
    }
    // the periods after the refusing one were not counted: their usage is read for the headers
    for (let i = usage.stop + 1; usage.stop >= 0 && i < periods.length; i++) {
      setWindow(key, periods[i], windows.start, windows.end)
      usage.used[i] = table.peek(key)
    }
    const headers = hide ? undefined : rateLimitHeaders(usage, now, windows.start)
    if (usage.stop >= 0) {
      ctx.exit(config.error_code, config.error_message, headers)
      return
    }
    if (headers !== undefined) (ctx.shared ??= {})[SHARED_KEY] = headers
  }

  return Object.freeze({
    name: plugin.name,
    id: plugin.id,
    priority,
    access,
    headerFilter: hide ? null : headerFilter,
    headerAppender: hide ? null : headerAppender(periods),
    bodyFilter: null,
    log: null,
    close: noop
  })
}

/** policy redis: the same setup, another access phase (redis-handler.ts) */
function createRedisRateLimiting (plugin: Plugin, priority: number, services: PluginServices, service: RateLimitingWorkerService,
  parsed: { periods: number[], limits: number[], by: number, header: string, path: string | null, hide: boolean }): PluginInstance {
  if (services.redis === null) throw new Error('rate-limiting: policy redis needs the worker\'s Redis clients (worker started without them)')
  const config = plugin.config as unknown as RateLimitingConfig
  const limiter = new RedisLimiter({
    plugin,
    ...parsed,
    faultTolerant: config.fault_tolerant,
    errorCode: config.error_code,
    errorMessage: config.error_message,
    syncRate: config.sync_rate,
    sharedKey: SHARED_KEY,
    windows: service.windows,
    logger: service.logger,
  }, services.redis)
  return Object.freeze({
    name: plugin.name,
    id: plugin.id,
    priority,
    access: (ctx: ProxyContext) => limiter.access(ctx),
    headerFilter: parsed.hide ? null : headerFilter,
    headerAppender: parsed.hide ? null : headerAppender(parsed.periods),
    bodyFilter: null,
    log: null,
    close: () => limiter.close()
  })
}

function setWindow (key: CounterKey, period: number, start: Float64Array, end: Float64Array): void {
  key.period = period
  key.windowStart = start[period]
  key.windowEnd = end[period]
}

/** pdk/private/rate_limiting.lua apply_response_headers: the headers access decided, on the upstream's response */
function headerFilter (ctx: ProxyContext, _status: number, headers: Record<string, string | string[]>): void {
  const stored = ctx.shared?.[SHARED_KEY] as Record<string, string> | undefined
  if (stored === undefined) return
  for (const name in stored) headers[LOWER[name]] = stored[name]
}

/** headerFilter on the proxy's flat header list (types.ts HeaderAppender), Kong's names as Kong writes them */
function headerAppender (periods: readonly number[]): HeaderAppender {
  return Object.freeze({ names: Object.freeze(responseHeaderNames(periods)), append: appendHeaders })
}

function appendHeaders (ctx: ProxyContext, _status: number, out: string[]): void {
  const stored = ctx.shared?.[SHARED_KEY] as Record<string, string> | undefined
  if (stored === undefined) return
  for (const name in stored) out.push(name, stored[name])
}

function noop (): void {}
