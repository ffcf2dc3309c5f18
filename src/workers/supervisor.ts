// The main thread: starts the proxy workers, restarts one that dies, swaps configs into all of them
// atomically (two-phase), drains them on shutdown, and owns everything shared (stats buffer, plugin
// services such as the token cache and signing pool, the Admin listener).

import { Worker, type TransferListItem } from 'node:worker_threads'
import type { ListenAddress, LoadedConfig } from '../config/types.ts'
import { logDeprecations } from '../config/deprecations.ts'
import type { Logger } from '../core/log.ts'
import { flushModuleCompileCache } from '../core/compile-cache.ts'
import { holdPorts } from './port-holders.ts'
import { setupMainPluginServices, type MainPluginService } from '../plugins/main-thread-services.ts'
import type { FromWorker, ToWorker, WorkerData } from './messages.ts'
import { createStatsBuffer, resetWorkerGauges, sumStats, type StatsTotals } from './worker-stats.ts'
import { RouteSeries } from '../metrics/route-series.ts'
import { createRedisStatsBuffer } from '../redis/stats.ts'
import { routesIgnoringPathHandling } from '../router/flavor.ts'
import { UpstreamRegistry } from '../balancer/upstream-registry.ts'
import { prepareServerTls, type ServerTlsDefaults } from '../tls/default-certificate.ts'

const WORKER_URL = new URL('./http-worker.ts', import.meta.url)
const RESTART_DELAY_MIN_MS = 100
const RESTART_DELAY_MAX_MS = 5000
const PREPARE_TIMEOUT_MS = 30_000

interface Waiter {
  readonly accept: (m: FromWorker) => boolean
  readonly resolve: (value: FromWorker | null) => void
}

interface WorkerSlot {
  worker: Worker | null
  ready: boolean
  restarts: number
  lastStart: number
}

export interface ReloadResult {
  readonly ok: boolean
  readonly message: string | null
}

/** what /metrics reports about the supervisor (tollgate_worker_restarts_total, tollgate_config_reloads_total) */
export interface SupervisorCounters {
  workerRestarts: number
  reloadsSucceeded: number
  reloadsFailed: number
}

export class Supervisor {
  #config: LoadedConfig
  #generation = 0
  readonly #logger: Logger
  readonly #slots: WorkerSlot[] = []
  readonly #statsBuffer: SharedArrayBuffer
  #listen: readonly ListenAddress[] = []
  /** the default certificates and ticket keys, made once at start; null without an `ssl` listener */
  #serverTls: ServerTlsDefaults | null = null
  #plugins = new Map<string, MainPluginService>()
  #stopping = false
  #reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, message: null })
  readonly #waiters = new Map<Worker, Set<Waiter>>()
  readonly startedAt = Date.now()
  readonly counters: SupervisorCounters = { workerRestarts: 0, reloadsSucceeded: 0, reloadsFailed: 0 }
  /** the upstreams' resolution, health table and active checks, shared by every worker */
  readonly upstreams: UpstreamRegistry
  /** the proxy metrics memory every worker records into */
  readonly routeMetrics: RouteSeries
  /** the counters of every worker's Redis clients (tollgate_redis_*) */
  readonly redisStats = createRedisStatsBuffer()

  constructor (config: LoadedConfig, logger: Logger) {
    this.#config = config
    this.#logger = logger
    this.#statsBuffer = createStatsBuffer(config.settings.worker_processes)
    this.routeMetrics = new RouteSeries(config.settings.worker_processes)
    this.#assignMetrics(config)
    this.#warnIgnoredPathHandling(config)
    this.upstreams = new UpstreamRegistry(config, {
      logger,
      broadcast: (peers) => this.#broadcast({ type: 'peers', peers })
    })
  }

  /** Once per load, in the main thread: a route's `path_handling: v1` that the router_flavor ignores. */
  #warnIgnoredPathHandling (config: LoadedConfig): void {
    const flavor = config.settings.router_flavor
    for (const route of routesIgnoringPathHandling(flavor, config.entities.routes)) {
      this.#logger.log('warn', 'route_path_handling_ignored', {
        route: route.name ?? route.id,
        path_handling: route.path_handling,
        router_flavor: flavor,
        message: "path_handling 'v1' has no effect under this router_flavor: the upstream path is built with 'v0'"
      })
    }
  }

  /** Routes must have their metrics series before a worker compiles them. */
  #assignMetrics (config: LoadedConfig): void {
    const dropped = this.routeMetrics.assign(config)
    if (dropped > 0) this.#logger.log('warn', 'metrics_series_full', { routes_not_counted: dropped })
  }

  get config (): LoadedConfig { return this.#config }
  get listen (): readonly ListenAddress[] { return this.#listen }
  get plugins (): ReadonlyMap<string, MainPluginService> { return this.#plugins }
  /** The worker thread in slot `index`, or null between its exit and its replacement. For tests and diagnostics. */
  worker (index: number): Worker | null {
    return this.#slots[index]?.worker ?? null
  }

  get workerThreadIds (): number[] {
    return this.#slots.flatMap((slot) => slot.worker === null ? [] : [slot.worker.threadId])
  }

  stats (): StatsTotals {
    return sumStats(this.#statsBuffer)
  }

  async start (): Promise<void> {
    logDeprecations(this.#logger, this.#config)
    const ports = await holdPorts(this.#config.settings.proxy_listen)
    this.#listen = ports.addresses
    try {
      await this.#startAll()
    } finally {
      // the workers have bound the picked ports (or failed): from here their sockets hold them
      await ports.release()
    }
    // what the main thread compiled, before the line that tells a supervisor (or a test) it may stop us
    flushModuleCompileCache()
    this.#logger.log('notice', 'listening', {
      proxy: this.#listen.map((a) => `${a.host}:${a.port}`),
      workers: this.#config.settings.worker_processes
    })
  }

  async #startAll (): Promise<void> {
    this.#serverTls = await prepareServerTls(this.#config.settings, this.#config.source, this.#logger)
    this.#plugins = await setupMainPluginServices(this.#config, {
      logger: this.#logger,
      broadcast: (plugin, payload) => this.#broadcast({ type: 'plugin', plugin, payload }),
      send: (plugin, index, payload) => this.#slots[index]?.worker?.postMessage({ type: 'plugin', plugin, payload } satisfies ToWorker)
    })
    for (const service of this.#plugins.values()) service.onConfig(this.#config)
    await this.upstreams.start(this.#config)
    const count = this.#config.settings.worker_processes
    const started = []
    for (let i = 0; i < count; i++) {
      this.#slots.push({ worker: null, ready: false, restarts: 0, lastStart: 0 })
      started.push(this.#startWorker(i))
    }
    await Promise.all(started)
  }

  #workerData (index: number): { data: WorkerData, transfer: TransferListItem[] } {
    const pluginData: Record<string, unknown> = {}
    const transfer: TransferListItem[] = []
    for (const [name, service] of this.#plugins) {
      const given = service.workerData(index)
      pluginData[name] = given.data
      transfer.push(...given.transfer)
    }
    const data: WorkerData = {
      index,
      generation: this.#generation,
      config: this.#config,
      listen: this.#listen,
      serverTls: this.#serverTls,
      statsBuffer: this.#statsBuffer,
      redisStats: this.redisStats,
      metrics: this.routeMetrics.shared,
      pluginData,
      balancing: { health: this.upstreams.table.buffer, peers: this.upstreams.peers }
    }
    return { data, transfer }
  }

  async #startWorker (index: number): Promise<void> {
    const slot = this.#slots[index]
    slot.lastStart = Date.now()
    slot.ready = false
    const { data, transfer } = this.#workerData(index)
    const worker = new Worker(WORKER_URL, { workerData: data, transferList: transfer })
    const threadId = worker.threadId
    slot.worker = worker
    worker.on('message', (message: FromWorker) => this.#onMessage(index, worker, message))
    worker.on('error', (err) => this.#logger.log('error', 'worker_error', { worker: index, error: err }))
    worker.on('exit', (code) => {
      for (const service of this.#plugins.values()) service.onWorkerExit(threadId)
      this.#onExit(index, worker, code)
    })
    const message = await this.#next(worker, (m) => m.type === 'listening')
    if (message !== null) slot.ready = true
  }

  async #restartWorker (index: number): Promise<void> {
    // a reload in progress did not include this slot: start the replacement with the config it ends with
    await this.#reloading.catch(() => {})
    if (this.#stopping) return
    await this.#startWorker(index)
    if (this.#slots[index].ready) this.#logger.log('notice', 'worker_ready', { worker: index, thread_id: this.#slots[index].worker?.threadId })
  }

  #onMessage (index: number, worker: Worker, message: FromWorker): void {
    if (message.type === 'plugin') {
      this.#plugins.get(message.plugin)?.onWorkerMessage(message.payload, index)
      return
    }
    for (const waiter of this.#waiters.get(worker) ?? []) {
      if (waiter.accept(message)) waiter.resolve(message)
    }
  }

  #onExit (index: number, worker: Worker, code: number): void {
    for (const waiter of this.#waiters.get(worker) ?? []) waiter.resolve(null)
    this.#waiters.delete(worker)
    const slot = this.#slots[index]
    if (slot.worker !== worker) return
    slot.worker = null
    slot.ready = false
    // the dead worker's connections and requests are gone; its counters stay for its successor
    resetWorkerGauges(this.#statsBuffer, index)
    if (this.#stopping) return
    this.#logger.log('error', 'worker_exit', { worker: index, code })
    // a worker that keeps dying right after start is restarted with growing delays, not in a hot loop
    const quickDeath = Date.now() - slot.lastStart < 5000
    slot.restarts = quickDeath ? slot.restarts + 1 : 0
    const delay = Math.min(RESTART_DELAY_MAX_MS, RESTART_DELAY_MIN_MS * 2 ** slot.restarts)
    setTimeout(() => {
      if (this.#stopping) return
      this.counters.workerRestarts++
      this.#logger.log('notice', 'worker_restart', { worker: index })
      this.#restartWorker(index).catch((err) => this.#logger.log('error', 'worker_restart_failed', { worker: index, error: err }))
    }, delay).unref()
  }

  /** Resolves with the worker's next message matching `accept`, or null when it exits or times out first. */
  #next (worker: Worker, accept: (m: FromWorker) => boolean, timeoutMs = 0): Promise<FromWorker | null> {
    return new Promise((resolve) => {
      let list = this.#waiters.get(worker)
      if (list === undefined) {
        list = new Set()
        this.#waiters.set(worker, list)
      }
      const waiters = list
      const waiter: Waiter = {
        accept,
        resolve: (value) => {
          waiters.delete(waiter)
          if (timer !== null) clearTimeout(timer)
          resolve(value)
        }
      }
      const timer = timeoutMs > 0 ? setTimeout(() => waiter.resolve(null), timeoutMs) : null
      waiters.add(waiter)
    })
  }

  #broadcast (message: ToWorker): void {
    for (const slot of this.#slots) slot.worker?.postMessage(message)
  }

  /**
   * Swaps `config` into every worker: all compile it first, and only when every one succeeded do they
   * switch. Reloads are serialised; a failed one leaves the running config everywhere.
   */
  reload (config: LoadedConfig): Promise<ReloadResult> {
    // a reload that threw must not fail every later one
    const run = this.#reloading.catch(() => null).then(async () => await this.#reload(config))
    this.#reloading = run
    return run
  }

  get reloading (): boolean {
    return this.#reloadInFlight
  }

  #reloadInFlight = false

  async #reload (config: LoadedConfig): Promise<ReloadResult> {
    if (this.#stopping) return { ok: false, message: 'the gateway is stopping' }
    this.#reloadInFlight = true
    try {
      const generation = ++this.#generation
      this.#assignMetrics(config)
      // targets are resolved before any worker is asked: DNS must not hold a prepared config
      const plan = await this.upstreams.plan(config)
      const peers = this.upstreams.prepare(config, plan)
      const workers = this.#slots.flatMap((s) => s.worker === null ? [] : [s.worker])
      const replies = await Promise.all(workers.map(async (worker) => {
        const reply = this.#next(worker, (m) => (m.type === 'prepared' || m.type === 'prepare-failed') && m.generation === generation, PREPARE_TIMEOUT_MS)
        worker.postMessage({ type: 'prepare', generation, config, peers } satisfies ToWorker)
        return await reply
      }))
      const failure = replies.find((r) => r === null || r.type === 'prepare-failed')
      if (failure !== undefined) {
        this.upstreams.abort()
        for (const worker of workers) worker.postMessage({ type: 'abort', generation } satisfies ToWorker)
        const message = failure === null ? 'a worker did not answer' : (failure as { message: string }).message
        this.#logger.log('error', 'reload_failed', { source: config.source, error: message })
        this.counters.reloadsFailed++
        return { ok: false, message }
      }
      const commits = workers.map(async (worker) => {
        const reply = this.#next(worker, (m) => m.type === 'committed' && m.generation === generation, PREPARE_TIMEOUT_MS)
        worker.postMessage({ type: 'commit', generation } satisfies ToWorker)
        return await reply
      })
      this.#config = config
      this.upstreams.commit()
      this.#warnIgnoredPathHandling(config)
      await Promise.all(commits)
      for (const service of this.#plugins.values()) service.onConfig(config)
      this.counters.reloadsSucceeded++
      this.#logger.log('notice', 'reloaded', { source: config.source, configuration_hash: config.hash })
      logDeprecations(this.#logger, config)
      return { ok: true, message: null }
    } finally {
      this.#reloadInFlight = false
    }
  }

  /** Stops accepting, lets in-flight requests finish (bounded by drain_timeout), then stops workers. */
  async stop (): Promise<void> {
    if (this.#stopping) return
    this.#stopping = true
    const deadline = this.#config.settings.drain_timeout * 1000
    const workers = this.#slots.flatMap((s) => s.worker === null ? [] : [s.worker])
    await Promise.all(workers.map(async (worker) => {
      const drained = this.#next(worker, (m) => m.type === 'drained', deadline)
      worker.postMessage({ type: 'drain' } satisfies ToWorker)
      const reply = await drained
      if (reply === null) this.#logger.log('warn', 'drain_timeout', { worker: worker.threadId })
      await worker.terminate()
    }))
    await Promise.all([...this.#plugins.values()].map(async (service) => await service.close()))
    await this.upstreams.close()
  }
}
