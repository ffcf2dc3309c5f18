// The counters of policy redis (kong/plugins/rate-limiting/policies/init.lua ["redis"]), in Kong's key
// format, so Kong nodes and Tollgate nodes on one Redis count together:
//   ratelimit:<route id>:<service id>:<identifier>:<window start, ms>:<period>   (get_local_key)
// One script adds to a key and gives it its expiry the first time (Kong's usage() script: INCR, then
// EXPIRE with the period's length when the key is new). One call per period: the periods' keys hash to
// different Cluster slots, so they cannot share a multi-key script.
// sync_rate > 0 is Kong's batching (update_local_counters, rate_limited_sync, sync_to_redis), per worker
// and per plugin instance: the first request for a key in a sync interval counts in Redis and learns the
// total; later ones count locally (total + local delta); a timer armed by the first local count pushes
// the deltas after sync_rate seconds and forgets every key, so the next request learns the total again.

import type { Cluster, Redis } from 'ioredis'
import type { SharedRedis } from '../../redis/clients.ts'

const ADD_COMMAND = 'tollgateRateLimitAdd'
// KEYS[1] the counter, ARGV[1] what to add, ARGV[2] its lifetime in seconds; returns the new count
const ADD_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return count`

interface AddCommand {
  tollgateRateLimitAdd (key: string, amount: number, ttlSeconds: number): Promise<number>
}

/** Defines the script on a client (ioredis sends EVALSHA, and EVAL once when Redis lacks it). */
export function counterCommands (client: Redis | Cluster): AddCommand {
  if (!(ADD_COMMAND in client)) client.defineCommand(ADD_COMMAND, { numberOfKeys: 1, lua: ADD_SCRIPT })
  return client as unknown as AddCommand
}

/** policies/init.lua get_local_key; `prefix` is "ratelimit:<route>:<service>:", made once per instance. */
export function counterKey (prefix: string, identifier: string, windowStart: number, period: string): string {
  return `${prefix}${identifier}:${windowStart}:${period}`
}

/** One key's state in a sync interval: Redis's total when last seen, and what was counted here since. */
export class BatchEntry {
  total: number
  delta = 0
  /** the period's lifetime, for the key's expiry when the push creates it */
  readonly ttl: number

  constructor (total: number, ttl: number) {
    this.total = total
    this.ttl = ttl
  }
}

/** sync_rate > 0: the local counts of one plugin instance in one worker, pushed by one timer. */
export class Batches {
  entries = new Map<string, BatchEntry>()
  readonly #redis: SharedRedis
  readonly #commands: AddCommand
  readonly #intervalMs: number
  #timer: NodeJS.Timeout | null = null
  readonly #onError: (err: unknown) => void

  constructor (redis: SharedRedis, syncRate: number, onError: (err: unknown) => void) {
    this.#redis = redis
    this.#commands = counterCommands(redis.client)
    this.#intervalMs = syncRate * 1000
    this.#onError = onError
  }

  /** The request was counted locally: make sure a push is on its way (rate_limited_sync's pending timer). */
  counted (): void {
    if (this.#timer !== null) return
    this.#timer = setTimeout(pushBatches, this.#intervalMs, this)
    this.#timer.unref()
  }

  /** Pushes every local delta and forgets every key (sync_to_redis then clear_local_counter). */
  async push (): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    const pending = this.entries
    // requests from now on learn the new totals from Redis; the deltas being pushed are not lost
    this.entries = new Map()
    let counted = 0
    for (const entry of pending.values()) counted += entry.delta > 0 ? 1 : 0
    if (counted === 0) return
    if (!this.#redis.ready) {
      // as Kong's sync_to_redis when it cannot connect: the deltas are dropped
      this.#redis.commandFailed()
      this.#onError(new Error(`Redis ${this.#redis.target} is not connected: the counts of ${counted} keys were dropped`))
      return
    }
    const sent: Array<Promise<number>> = []
    for (const [key, entry] of pending) {
      if (entry.delta > 0) sent.push(this.#commands.tollgateRateLimitAdd(key, entry.delta, entry.ttl))
    }
    const results = await Promise.allSettled(sent)
    for (const result of results) {
      if (result.status === 'rejected') {
        this.#redis.commandFailed()
        this.#onError(result.reason)
        return
      }
    }
  }
}

function pushBatches (batches: Batches): void {
  batches.push().catch(() => {})
}
