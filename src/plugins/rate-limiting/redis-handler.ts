// rate-limiting's access phase with policy redis (kong/plugins/rate-limiting/handler.lua access with
// policies/init.lua ["redis"]). Per configured period, the request is counted in Redis and the count it
// found decides (Kong's usage(): INCR, "return result_incr - 1"), so a refused request is counted too, as
// in Kong, and with sync_rate -1 exactly `limit` requests pass across every node and worker sharing Redis.
// With sync_rate > 0 a period already seen in this sync interval is decided locally (redis-counters.ts
// Batches): no Redis round trip, and the access phase stays synchronous.
// Redis failing (down, slow past read_timeout, refusing): Kong's "failed to get usage": fault_tolerant
// proxies without limiting or headers (logged at most once a second per instance; the connection's state
// changes are logged once by src/redis/clients.ts), otherwise a 500 "An unexpected error occurred".
// A disconnected client fails at once (no queueing), so an outage never delays a request.

import type { Plugin } from '../../config/types.ts'
import type { RedisClients, SharedRedis } from '../../redis/clients.ts'
import { redisRecord } from '../../redis/record.ts'
import type { Logger } from '../../core/log.ts'
import type { PhaseResult, ProxyContext } from '../types.ts'
import { rateLimitHeaders, Usage } from './headers.ts'
import { identifierOf } from './identifier.ts'
import { BatchEntry, Batches, counterCommands, counterKey } from './redis-counters.ts'
import { EXPIRATION, PERIODS, type Windows } from './windows.ts'
import { SYNC_RATE_REALTIME } from './schema.ts'

/** What the local handler computed from the config, once per instance (handler.ts). */
export interface LimiterSetup {
  readonly plugin: Plugin
  readonly periods: readonly number[]
  readonly limits: readonly number[]
  readonly by: number
  readonly header: string
  readonly path: string | null
  readonly hide: boolean
  readonly faultTolerant: boolean
  readonly errorCode: number
  readonly errorMessage: string
  readonly syncRate: number
  readonly sharedKey: string
  readonly windows: Windows
  readonly logger: Logger
}

const LOG_EVERY_MS = 1000
const EMPTY_UUID = '00000000-0000-0000-0000-000000000000'

export class RedisLimiter {
  readonly setup: LimiterSetup
  readonly redis: SharedRedis
  readonly #clients: RedisClients
  readonly #add: ReturnType<typeof counterCommands>
  /** "ratelimit:<route>:<service>:" (policies/init.lua get_local_key) */
  readonly #prefix: string
  /** null with sync_rate -1 */
  readonly batches: Batches | null
  #loggedAt = -Infinity

  constructor (setup: LimiterSetup, clients: RedisClients) {
    this.setup = setup
    this.#clients = clients
    this.redis = clients.acquire(redisRecord(setup.plugin.config.redis as Record<string, unknown>))
    this.#add = counterCommands(this.redis.client)
    this.#prefix = `ratelimit:${setup.plugin.route?.id ?? EMPTY_UUID}:${setup.plugin.service?.id ?? EMPTY_UUID}:`
    this.batches = setup.syncRate === SYNC_RATE_REALTIME ? null : new Batches(this.redis, setup.syncRate, (err) => this.failed(null, err))
  }

  access (ctx: ProxyContext): PhaseResult {
    if (!this.redis.ready) return this.failed(ctx, null)
    const { periods, windows } = this.setup
    const now = windows.at(Date.now())
    const identifier = identifierOf(ctx, this.setup.by, this.setup.header, this.setup.path)
    const keys: string[] = new Array(periods.length)
    let local = this.batches !== null
    for (let i = 0; i < periods.length; i++) {
      keys[i] = counterKey(this.#prefix, identifier, windows.start[periods[i]], PERIODS[periods[i]])
      if (local && !this.batches!.entries.has(keys[i])) local = false
    }
    return local ? this.#decideLocally(ctx, keys, now) : countInRedis(this, ctx, keys, now)
  }

  /** sync_rate > 0 and every period seen in this interval: Kong's usage() from cur_usage + cur_delta. */
  #decideLocally (ctx: ProxyContext, keys: readonly string[], now: number): void {
    const usage = new Usage(this.setup.periods, this.setup.limits)
    const entries = this.batches!.entries
    for (let i = 0; i < keys.length; i++) {
      const entry = entries.get(keys[i])!
      usage.used[i] = entry.total + entry.delta
      if (usage.stop < 0 && usage.used[i] >= this.setup.limits[i]) usage.stop = i
    }
    if (usage.stop < 0) {
      for (let i = 0; i < keys.length; i++) entries.get(keys[i])!.delta++
      this.batches!.counted()
    }
    this.finish(ctx, usage, now)
  }

  /** Sends the count of one period; its promise resolves with Redis's new total. */
  add (key: string, period: number): Promise<number> {
    return this.#add.tollgateRateLimitAdd(key, 1, EXPIRATION[period])
  }

  /** The headers and, past a limit, the refusal (handler.lua access after get_usage). */
  finish (ctx: ProxyContext, usage: Usage, now: number): void {
    const { windows } = this.setup
    // an await may have crossed into the next second: the headers describe the windows that were counted
    windows.at(now)
    const headers = this.setup.hide ? undefined : rateLimitHeaders(usage, now, windows.start)
    if (usage.stop >= 0) {
      ctx.exit(this.setup.errorCode, this.setup.errorMessage, headers)
      return
    }
    if (headers !== undefined) (ctx.shared ??= {})[this.setup.sharedKey] = headers
  }

  /** Kong's "failed to get usage": logged; the request passes when fault_tolerant, else a 500. ctx null: a batch push. */
  failed (ctx: ProxyContext | null, err: unknown): void {
    const now = Date.now()
    if (now - this.#loggedAt >= LOG_EVERY_MS) {
      this.#loggedAt = now
      this.setup.logger.log('error', 'rate_limiting_usage_failed', {
        plugin: this.setup.plugin.id,
        redis: this.redis.target,
        error: err ?? 'Redis is not connected (reconnecting with backoff)'
      })
    }
    if (err === null) this.redis.commandFailed()
    if (ctx !== null && !this.setup.faultTolerant) ctx.exit(500, 'An unexpected error occurred')
  }

  close (): void {
    if (this.batches === null) {
      this.#clients.release(this.redis)
      return
    }
    // the counts of the last interval still go to Redis before the connection may close
    this.batches.push().finally(() => this.#clients.release(this.redis)).catch(() => {})
  }
}

/** The periods not seen locally in this interval (all of them with sync_rate -1) counted in Redis. */
async function countInRedis (limiter: RedisLimiter, ctx: ProxyContext, keys: readonly string[], now: number): Promise<void> {
  const { periods, limits } = limiter.setup
  const batches = limiter.batches
  const usage = new Usage(periods, limits)
  const sent: Array<Promise<number> | null> = new Array(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const entry = batches?.entries.get(keys[i])
    if (entry === undefined) sent[i] = limiter.add(keys[i], periods[i])
    else {
      sent[i] = null
      usage.used[i] = entry.total + entry.delta
    }
  }
  let totals: Array<number | null>
  try {
    totals = await Promise.all(sent)
  } catch (err) {
    limiter.redis.commandFailed()
    limiter.failed(ctx, err)
    return
  }
  for (let i = 0; i < keys.length; i++) {
    const total = totals[i]
    if (total !== null) usage.used[i] = total - 1
    if (usage.stop < 0 && usage.used[i] >= limits[i]) usage.stop = i
  }
  if (batches !== null) remember(batches, keys, totals, usage, periods)
  limiter.finish(ctx, usage, now)
}

/**
 * sync_rate > 0: the totals Redis gave become this interval's local view; a period decided locally
 * counts the passing request in its delta (Kong's increment → update_local_counters).
 */
function remember (batches: Batches, keys: readonly string[], totals: ReadonlyArray<number | null>, usage: Usage, periods: readonly number[]): void {
  for (let i = 0; i < keys.length; i++) {
    const total = totals[i]
    let entry = batches.entries.get(keys[i])
    if (total !== null) {
      // Redis already holds this request's count
      if (entry === undefined) batches.entries.set(keys[i], new BatchEntry(total, EXPIRATION[periods[i]]))
      else if (total > entry.total) entry.total = total
      continue
    }
    if (usage.stop >= 0) continue
    if (entry === undefined) {
      // pushed while this request waited: start a new local view from what it saw
      entry = new BatchEntry(usage.used[i], EXPIRATION[periods[i]])
      batches.entries.set(keys[i], entry)
    }
    entry.delta++
  }
  batches.counted()
}
