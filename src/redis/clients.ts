// The Redis clients of one proxy worker: one shared ioredis client per distinct Redis record (recordKey),
// whichever plugin asked for it. A plugin instance acquires its client when it is built (config load) and
// releases it in close(); a reload builds the new Runtime before closing the old one, so a record that
// stays in the config keeps its connection, and the last release of a record closes it.
// Each client logs its state changes once (connected, lost, back, and each distinct error while down,
// e.g. a wrong password once rather than at every retry) and counts them in the shared stats (stats.ts).

import { createRequire } from 'node:module'
import type { Cluster, Redis } from 'ioredis'
import type { Logger } from '../core/log.ts'
import { clientPlan } from './options.ts'
import { describeRecord, recordKey, type RedisRecord } from './record.ts'
import { CLIENTS_OPEN, CLIENTS_READY, COMMAND_ERRORS, CONNECTION_ERRORS, CONNECTIONS_LOST, CONNECTIONS_RESTORED, type RedisStats } from './stats.ts'

type State = 'connecting' | 'ready' | 'down' | 'closed'

type IoRedis = typeof import('ioredis')

const require = createRequire(import.meta.url)
let ioredis: IoRedis | null = null

/**
 * ioredis, loaded when a worker creates its first client: loading it costs each thread about 80 ms of CPU
 * (node -e "require('ioredis')"), which a gateway without a Redis plugin, the common case, never pays.
 */
function loadIoredis (): IoRedis {
  if (ioredis === null) ioredis = require('ioredis') as IoRedis
  return ioredis
}

/** One connection (standalone, Sentinel or Cluster) shared by every user of the same record in a worker. */
export class SharedRedis {
  readonly key: string
  /** where it points, for log lines (no credentials) */
  readonly target: string
  readonly mode: 'standalone' | 'sentinel' | 'cluster'
  readonly client: Redis | Cluster
  users = 0
  #state: State = 'connecting'
  #everReady = false
  #lastError = ''
  readonly #stats: RedisStats
  readonly #logger: Logger

  constructor (key: string, record: RedisRecord, stats: RedisStats, logger: Logger) {
    this.key = key
    this.target = describeRecord(record)
    this.#stats = stats
    this.#logger = logger
    const plan = clientPlan(record)
    this.mode = plan.mode
    const { Cluster, Redis } = loadIoredis()
    this.client = plan.mode === 'cluster'
      ? new Cluster(plan.nodes.map((node) => ({ host: node.host, port: node.port })), plan.options)
      : new Redis(plan.options)
    stats.add(CLIENTS_OPEN)
    this.client.on('ready', () => this.#onReady())
    this.client.on('close', () => this.#onClose())
    this.client.on('error', (err: Error) => this.#onError(err))
  }

  /** true while commands can be sent; a caller may skip Redis at once when false */
  get ready (): boolean {
    return this.#state === 'ready'
  }

  /** A command failed (timeout, connection lost, Redis error): counted for tollgate_redis_errors_total. */
  commandFailed (): void {
    this.#stats.add(COMMAND_ERRORS)
  }

  #onReady (): void {
    if (this.#state === 'ready' || this.#state === 'closed') return
    this.#stats.add(CLIENTS_READY)
    const back = this.#everReady
    if (back) this.#stats.add(CONNECTIONS_RESTORED)
    this.#state = 'ready'
    this.#everReady = true
    this.#lastError = ''
    this.#logger.log('notice', back ? 'redis_reconnected' : 'redis_connected', { redis: this.target, mode: this.mode })
  }

  #onClose (): void {
    if (this.#state !== 'ready') return
    this.#stats.subtract(CLIENTS_READY)
    this.#stats.add(CONNECTIONS_LOST)
    this.#state = 'down'
    this.#logger.log('error', 'redis_connection_lost', { redis: this.target, mode: this.mode, detail: 'reconnecting with backoff' })
  }

  #onError (err: Error): void {
    if (this.#state === 'closed') return
    this.#stats.add(CONNECTION_ERRORS)
    // a connection that keeps failing the same way (refused, wrong password) says so once per state
    if (err.message === this.#lastError) return
    this.#lastError = err.message
    this.#logger.log('error', 'redis_error', { redis: this.target, mode: this.mode, error: err })
  }

  /** Closes the connection for good (the last user released it, or the worker stops). */
  async close (): Promise<void> {
    if (this.#state === 'closed') return
    if (this.#state === 'ready') this.#stats.subtract(CLIENTS_READY)
    this.#state = 'closed'
    this.#stats.subtract(CLIENTS_OPEN)
    try {
      await this.client.quit()
    } catch {
      // not connected: nothing to say goodbye to
      this.client.disconnect()
    }
  }
}

export class RedisClients {
  readonly #byKey = new Map<string, SharedRedis>()
  readonly #stats: RedisStats
  readonly #logger: Logger

  constructor (stats: RedisStats, logger: Logger) {
    this.#stats = stats
    this.#logger = logger
  }

  /** The worker's client for this record, created on first use. Call release() when done with it. */
  acquire (record: RedisRecord): SharedRedis {
    const key = recordKey(record)
    let shared = this.#byKey.get(key)
    if (shared === undefined) {
      shared = new SharedRedis(key, record, this.#stats, this.#logger)
      this.#byKey.set(key, shared)
    }
    shared.users++
    return shared
  }

  release (shared: SharedRedis): void {
    if (--shared.users > 0) return
    if (this.#byKey.get(shared.key) === shared) this.#byKey.delete(shared.key)
    shared.close().catch(() => {})
  }

  /** how many distinct records have a client now (tests, diagnostics) */
  get size (): number {
    return this.#byKey.size
  }

  async close (): Promise<void> {
    const all = [...this.#byKey.values()]
    this.#byKey.clear()
    await Promise.all(all.map(async (shared) => await shared.close()))
  }
}
