// The main thread's pool of signing threads (piscina running signer-task.ts). Proxy workers reach it
// through signer-client.ts; nothing signs on an event loop that serves requests.

import { Piscina } from 'piscina'
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

// Node 24 strips types in worker threads too, so piscina loads the .ts task file as is.
const TASK_FILE = new URL('./signer-task.ts', import.meta.url).href

export function createSignerPool (options: { threads: number }): SignerPool {
  const threads = Math.max(1, Math.floor(options.threads))
  const pool = new Piscina<SignRequest, string>({
    filename: TASK_FILE,
    minThreads: threads,
    maxThreads: threads,
    // Signing is short and CPU-bound: one task at a time per thread keeps the latency of each low.
    concurrentTasksPerWorker: 1
  })
  return {
    sign: (request) => pool.run(request),
    stats: () => ({ threads: pool.threads.length, queued: pool.queueSize, completed: pool.completed }),
    close: () => pool.destroy()
  }
}
