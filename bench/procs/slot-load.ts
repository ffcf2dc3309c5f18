// The load loop of the clients autocannon cannot be (bench/procs/h2-load.ts, handshake-load.ts): a fixed
// set of slots, each one request in flight at a time, sent again as soon as the last one ended (closed loop,
// saturation) or at its slot of the fixed rate (the same Pacer as autocannon's clients, so latency counts
// from when a request was due). A run counts what ended inside its duration: responses by status, errors,
// timeouts (a request older than the job's timeout is cancelled by one sweep timer, not a timer per request).
// The slots are objects with their listeners bound once, so a request allocates only what the client
// library does.

import { performance } from 'node:perf_hooks'
import { percentilesOf } from '../lib/histogram.ts'
import type { LoadJob, LoadOutcome } from '../lib/load-types.ts'
import { Pacer, type PacedClient } from './pacing.ts'
import { Recorder } from './recorder.ts'

/** How often in-flight requests are checked against the job's timeout. */
const SWEEP_MS = 100
/** After an error a slot waits this long before its next request, so a refused port is not a busy loop. */
const RETRY_MS = 10

/** One request at a time, over and over. `_doRequest` sends one (the Pacer may wrap it, PacedClient). */
export interface LoadSlot extends PacedClient {
  /** performance.now() when the request in flight was sent; -1: none in flight */
  sentAt: number
  /** when the request in flight was due (set by the run when paced); null: closed loop */
  due: (() => number) | null
  /** abandons the request in flight; it then reports nothing */
  cancel (): void
}

export class SlotRun {
  readonly recorder = new Recorder()
  running = true
  requests = 0
  errors = 0
  timeouts = 0
  non2xx = 0
  readonly statusCodes = new Map<number, number>()
  readonly #clientUs = this.recorder.histograms.client_us

  /** A response ended with `status`; the slot's next request follows. */
  done (slot: LoadSlot, status: number): void {
    if (!this.running) return
    const now = performance.now()
    const from = slot.due === null ? slot.sentAt : slot.due()
    slot.sentAt = -1
    this.#clientUs.recordValue(Math.max(0, Math.round((now - from) * 1000)))
    this.requests++
    if (status < 200 || status > 299) this.non2xx++
    this.statusCodes.set(status, (this.statusCodes.get(status) ?? 0) + 1)
    slot._doRequest()
  }

  /** The request failed (connection or stream error); the slot tries again shortly. */
  failed (slot: LoadSlot): void {
    if (!this.running) return
    slot.sentAt = -1
    this.errors++
    setTimeout(retry, RETRY_MS, slot)
  }

  /** Cancels the requests in flight longer than `timeoutMs`, each counted as a timeout, and sends again. */
  sweep (slots: readonly LoadSlot[], timeoutMs: number): void {
    const oldest = performance.now() - timeoutMs
    for (const slot of slots) {
      if (slot.sentAt < 0 || slot.sentAt > oldest) continue
      slot.cancel()
      slot.sentAt = -1
      this.timeouts++
      slot._doRequest()
    }
  }
}

function retry (slot: LoadSlot): void {
  slot._doRequest()
}

/**
 * Runs the job over `slots` (made by the driver for `run`) and reports as autocannon's runs do; `close`
 * releases what the driver opened (sessions) once every slot has stopped.
 */
export async function runSlots (job: LoadJob, run: SlotRun, slots: readonly LoadSlot[], close: () => Promise<void>): Promise<LoadOutcome> {
  if (job.rate !== null) {
    const pacer = new Pacer(job.rate, slots.length)
    for (const slot of slots) slot.due = pacer.install(slot)
  }
  const started = performance.now()
  const sweeper = setInterval(() => run.sweep(slots, job.timeoutS * 1000), SWEEP_MS)
  for (const slot of slots) slot._doRequest()
  await new Promise((resolve) => setTimeout(resolve, job.durationS * 1000))
  const durationS = (performance.now() - started) / 1000
  run.running = false
  clearInterval(sweeper)
  for (const slot of slots) {
    slot.destroyed = true
    if (slot.sentAt >= 0) slot.cancel()
  }
  await close()
  return outcome(run, durationS)
}

function outcome (run: SlotRun, durationS: number): LoadOutcome {
  const client = percentilesOf(run.recorder.histograms.client_us, 1000)
  const statusCodes: Record<string, number> = {}
  for (const [code, count] of run.statusCodes) statusCodes[String(code)] = count
  return {
    requests: run.requests,
    durationS,
    rps: durationS > 0 ? Math.round(run.requests / durationS) : 0,
    errors: run.errors,
    timeouts: run.timeouts,
    non2xx: run.non2xx,
    statusCodes,
    autocannonMs: { p50: client?.p50 ?? 0, p90: client?.p90 ?? 0, p99: client?.p99 ?? 0, p99_9: client?.p99_9 ?? 0, max: client?.max ?? 0 },
    histograms: run.recorder.encoded(),
    endedEarly: false
  }
}
