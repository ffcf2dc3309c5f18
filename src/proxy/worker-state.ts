// What a proxy worker holds between requests: the live Runtime (swapped whole on reload), its counters,
// the request-id generator and the log sinks. One instance per worker thread.

import type { Runtime } from '../config/compile-runtime.ts'
import type { Settings } from '../config/types.ts'
import type { Logger } from '../core/log.ts'
import { randomBytes } from 'node:crypto'
import { STAT_REQUESTS_IN_FLIGHT } from '../workers/worker-stats.ts'
import { ReadDeadlines } from './read-timeout.ts'
import { ClientConnections, type ClientConnection } from './client-connections.ts'

export class WorkerState {
  runtime: Runtime
  settings: Settings
  readonly stats: Float64Array
  readonly logger: Logger
  draining: boolean
  /** requests in flight; when draining reaches 0 the worker reports drained */
  inFlight: number
  onIdle: (() => void) | null
  /** a response body too large for a body filter was logged once (proxy/body-filter.ts) */
  bodyLimitWarned: boolean
  /** the service read_timeout of the requests waiting on their upstream */
  readonly readDeadlines: ReadDeadlines
  /** each client connection's record; the idle HTTP/1.1 ones and their keepalive_timeout (bound at start) */
  readonly connections: ClientConnections
  readonly #requestIdPrefix: string
  #requestCounter: number

  constructor (runtime: Runtime, stats: Float64Array, logger: Logger) {
    this.runtime = runtime
    this.settings = runtime.config.settings
    this.stats = stats
    this.logger = logger
    this.draining = false
    this.inFlight = 0
    this.onIdle = null
    this.bodyLimitWarned = false
    this.readDeadlines = new ReadDeadlines()
    this.connections = new ClientConnections(runtime.config.settings.keepalive_timeout)
    // A random prefix per worker start plus a counter: unique ids without crypto per request.
    this.#requestIdPrefix = randomBytes(8).toString('hex')
    this.#requestCounter = 0
  }

  nextRequestId (): string {
    this.#requestCounter++
    return this.#requestIdPrefix + this.#requestCounter.toString(16).padStart(16, '0')
  }

  /** A request has begun; `keepAlive`: its HTTP/1.1 connection (null for HTTP/2), not idle meanwhile. */
  requestStarted (keepAlive: ClientConnection | null): void {
    this.inFlight++
    this.stats[STAT_REQUESTS_IN_FLIGHT] = this.inFlight
    if (keepAlive !== null) this.connections.requestStarted(keepAlive)
  }

  /**
   * A request has ended at `now`: its HTTP/1.1 connection's keep-alive wait starts, then the in-flight count
   * settles, which may finish a drain (and stop the keep-alive sweep after this last link).
   */
  requestEnded (keepAlive: ClientConnection | null, now: number): void {
    if (keepAlive !== null) this.connections.requestEnded(keepAlive, now)
    this.inFlight--
    this.stats[STAT_REQUESTS_IN_FLIGHT] = this.inFlight
    if (this.inFlight === 0 && this.onIdle !== null) this.onIdle()
  }
}
