// The main thread's pool of signing threads (piscina running signer-task.ts). Proxy workers reach it
// through signer-client.ts; nothing signs on an event loop that serves requests.
//
// Every task is bounded twice. In time: a task not done `timeoutMs` after it was submitted is aborted
// through its AbortSignal; piscina then stops the thread running it (piscina README, run() `signal`: "If
// the task is already running, the corresponding Worker thread will be stopped") and starts a replacement
// for minThreads, so a hung signing thread cannot hold a pool thread for good, and
// the caller gets SIGNER_TIMEOUT. In number: at most `threads` running plus `maxQueue` waiting; more are
// refused at once with SIGNER_QUEUE_FULL. That count is kept here, not by piscina's own maxQueue: in
// piscina 5.3.2 a task with a signal that finds no free thread waits in a side queue its maxQueue check
// does not count (runTask in dist/index.js), so every task here (all have a signal) would be unbounded.
// A thread that exits on its own (a crash) is replaced by piscina; it is logged once here.

import { Piscina } from 'piscina'
import { TollgateError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import { SIGNER_QUEUE_FULL, SIGNER_CLOSED, timeoutError } from './signer-client.ts'
import type { SignRequest } from './signer-task.ts'

export interface SignerStats {
  readonly threads: number
  readonly queued: number
  readonly completed: number
}

export interface SignerPool {
  sign (request: SignRequest): Promise<string>
  stats (): SignerStats
  close (): Promise<void>
}

export interface SignerPoolOptions {
  readonly threads: number
  /** sign requests that may wait for a free thread (default DEFAULT_SIGN_QUEUE); more fail with SIGNER_QUEUE_FULL */
  readonly maxQueue?: number
  /** a task not finished this long after submission fails with SIGNER_TIMEOUT and its thread is replaced (default 5 s) */
  readonly timeoutMs?: number
  readonly logger?: Pick<Logger, 'log'> | null
  /** the task module; tests pass one that hangs or crashes on request (default signer-task.ts) */
  readonly taskFile?: string
}

/** Signing takes about a millisecond: a queue this long is drained in well under the task timeout. */
export const DEFAULT_SIGN_QUEUE = 256
/**
 * Half the openid-connect plugin's default `timeout` (10 s), which the worker side waits (signer-client.ts):
 * the pool's answer, and the thread replacement that goes with it, come first.
 */
export const DEFAULT_SIGN_TASK_TIMEOUT_MS = 5_000

// Node 24 strips types in worker threads too, so piscina loads the .ts task file as is.
const TASK_FILE = new URL('./signer-task.ts', import.meta.url).href

export function createSignerPool (options: SignerPoolOptions): SignerPool {
  const threads = Math.max(1, Math.floor(options.threads))
  const maxQueue = Math.max(0, Math.floor(options.maxQueue ?? DEFAULT_SIGN_QUEUE))
  const timeoutMs = options.timeoutMs ?? DEFAULT_SIGN_TASK_TIMEOUT_MS
  const logger = options.logger ?? null
  const pool = new Piscina<SignRequest, string>({
    filename: options.taskFile ?? TASK_FILE,
    minThreads: threads,
    maxThreads: threads,
    // Signing is short and CPU-bound: one task at a time per thread keeps the latency of each low.
    concurrentTasksPerWorker: 1
  })
  /** tasks submitted and not settled: running and waiting */
  let inFlight = 0
  let closing = false
  // piscina removes a thread synchronously inside abort() (its onAbort listener): while this module
  // aborts, a removed thread is the timed-out task's, and is reported with the timeout, not as a crash
  let aborting = false
  let replaced = false
  // a thread that crashed with no task makes piscina emit 'error' right after 'workerDestroy'
  let exitLogged = false

  pool.on('workerDestroy', () => {
    if (closing) return
    if (aborting) {
      replaced = true
      return
    }
    exitLogged = true
    queueMicrotask(() => { exitLogged = false })
    logger?.log('error', 'signer_thread_exit', { detail: 'a signing thread exited; its task failed and piscina starts a replacement' })
  })
  // without a listener, an 'error' event would be thrown on the main thread
  pool.on('error', (err: unknown) => {
    if (!exitLogged) logger?.log('error', 'signer_pool_error', { error: err })
  })

  const abort = (controller: AbortController): void => {
    aborting = true
    replaced = false
    try {
      controller.abort()
    } finally {
      aborting = false
    }
    logger?.log('warn', 'signer_task_timeout', { timeout_ms: timeoutMs, thread_replaced: replaced })
  }

  const sign = async (request: SignRequest): Promise<string> => {
    if (closing) throw new TollgateError('the signing pool is closed', SIGNER_CLOSED, 500)
    if (inFlight >= threads + maxQueue) {
      throw new TollgateError(`the signing queue is full (${maxQueue} waiting)`, SIGNER_QUEUE_FULL, 503)
    }
    inFlight++
    const controller = new AbortController()
    const timer = setTimeout(abort, timeoutMs, controller)
    try {
      return await pool.run(request, { signal: controller.signal })
    } catch (err) {
      // piscina rejects an aborted task with its AbortError; the caller wants to know it timed out
      if (controller.signal.aborted) throw timeoutError(timeoutMs)
      throw err
    } finally {
      clearTimeout(timer)
      inFlight--
    }
  }

  return {
    sign,
    stats: () => ({ threads: pool.threads.length, queued: pool.queueSize, completed: pool.completed }),
    close: async () => {
      closing = true
      await pool.destroy()
    }
  }
}
