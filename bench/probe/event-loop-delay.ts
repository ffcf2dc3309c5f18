// Preloaded into the gateway by the suite (`node --import`), which Node applies to every worker thread
// too: each proxy worker keeps an event-loop delay histogram (perf_hooks.monitorEventLoopDelay, 1 ms
// resolution). The suite resets and reads them over the gateway process's IPC channel; the main thread
// relays to the worker threads over a BroadcastChannel. What it adds to the gateway: a 1 ms native timer
// in each proxy worker, and a message handler that runs only when the suite asks. The other threads (the
// main thread, the signing pool) answer a read with their heap but keep no histogram: the suite reads only
// the proxy workers' delays, and a timer there would wake an idle thread a thousand times a second on the
// subject's CPU. With a timer in every thread, `tls` took 1.8% and 2.7% more CPU per request than without
// the probe (two runs of bench:cpu's method); with timers in the proxy workers only, the same as without.
// Proxy workers are told apart from other threads (the signing pool) by their workerData shape.
// A read also reports each thread's used V8 heap (its own isolate, v8.getHeapStatistics), after a full
// collection when asked and the gateway runs with --expose-gc (bench/hostile.ts: what an attack left).

import { BroadcastChannel, isMainThread, threadId, workerData } from 'node:worker_threads'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import type { WorkerData } from '../../src/workers/messages.ts'

const CHANNEL = 'tollgate-bench-event-loop-delay'
// generous: on a shared 2-core machine a worker busy with a full GC can take seconds to answer
const READ_TIMEOUT_MS = 10_000

export interface ThreadDelay {
  readonly threadId: number
  /** 'proxy' for a proxy worker (with its index), 'main', or 'other' (signing pool threads) */
  readonly kind: 'proxy' | 'main' | 'other'
  readonly worker: number | null
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly meanMs: number
  readonly samples: number
  /** V8 heap in use by this thread's isolate when read */
  readonly heapUsedBytes: number
  /** whether a full GC ran just before (asked for, and --expose-gc given) */
  readonly collected: boolean
}

type ProbeMessage =
  | { readonly probe: 'reset' }
  | { readonly probe: 'read', readonly id: number, readonly gc: boolean }
  | { readonly probe: 'delay', readonly id: number, readonly thread: ThreadDelay }

const histogram = monitorEventLoopDelay({ resolution: 1 })
if (kind() === 'proxy') histogram.enable()
const channel = new BroadcastChannel(CHANNEL)
channel.unref()

function kind (): ThreadDelay['kind'] {
  if (isMainThread) return 'main'
  const data = workerData as Partial<WorkerData> | null
  return data !== null && typeof data === 'object' && data.statsBuffer instanceof SharedArrayBuffer ? 'proxy' : 'other'
}

function snapshot (collect: boolean): ThreadDelay {
  const gc = (globalThis as { gc?: () => void }).gc
  const collected = collect && typeof gc === 'function'
  if (collected) gc!()
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100
  const count = histogram.count
  const data = workerData as Partial<WorkerData> | null
  const k = kind()
  return {
    threadId,
    kind: k,
    worker: k === 'proxy' ? data?.index ?? null : null,
    p50Ms: count === 0 ? 0 : ms(histogram.percentile(50)),
    p99Ms: count === 0 ? 0 : ms(histogram.percentile(99)),
    maxMs: count === 0 ? 0 : ms(histogram.max),
    meanMs: count === 0 ? 0 : ms(histogram.mean),
    samples: count,
    heapUsedBytes: getHeapStatistics().used_heap_size,
    collected
  }
}

channel.onmessage = (event: unknown) => {
  const message = (event as { data: ProbeMessage }).data
  if (message.probe === 'reset') histogram.reset()
  else if (message.probe === 'read' && !isMainThread) channel.postMessage({ probe: 'delay', id: message.id, thread: snapshot(message.gc) } satisfies ProbeMessage)
}

if (isMainThread && process.send !== undefined) {
  process.channel?.unref()
  // the suite went away (killed, crashed): stop the gateway as SIGTERM does rather than leave it running
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'))
  const replies = new Map<number, ThreadDelay[]>()
  channel.onmessage = (event: unknown) => {
    const message = (event as { data: ProbeMessage }).data
    if (message.probe === 'delay') replies.get(message.id)?.push(message.thread)
  }
  process.on('message', (message: { probe?: string, id?: number, threads?: number, gc?: boolean }) => {
    if (message.probe === 'reset') {
      histogram.reset()
      channel.postMessage({ probe: 'reset' } satisfies ProbeMessage)
      process.send!({ probe: 'reset-done', id: message.id })
    } else if (message.probe === 'read' && typeof message.id === 'number') {
      collect(message.id, message.threads ?? 0, message.gc === true)
    }
  })
  // Waits for `expected` proxy workers (or the timeout), then answers with every thread heard from.
  const collect = (id: number, expected: number, gc: boolean): void => {
    const threads: ThreadDelay[] = []
    replies.set(id, threads)
    channel.postMessage({ probe: 'read', id, gc } satisfies ProbeMessage)
    const started = Date.now()
    const check = (): void => {
      const proxies = threads.filter((t) => t.kind === 'proxy').length
      if (proxies < expected && Date.now() - started < READ_TIMEOUT_MS) {
        setTimeout(check, 10)
        return
      }
      replies.delete(id)
      process.send!({ probe: 'delays', id, threads: [snapshot(gc), ...threads] })
    }
    setTimeout(check, 10)
  }
}
