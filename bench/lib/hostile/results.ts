// What the hostile scenario records per attack, as written to bench/results/<time>-<commit>-hostile.json.

import type { CommitInfo, MachineInfo } from '../machine.ts'
import type { AttackOutcome } from './attacks.ts'
import type { HostileOptions } from './options.ts'

export const HOSTILE_SCHEMA = 'tollgate-bench-hostile/1'

/** Normal traffic on one route while the attack ran (paced, latency from each request's slot). */
export interface TrafficResult {
  readonly path: string
  /** answers received */
  readonly requests: number
  /** requests the pace scheduled while the traffic ran (rate × seconds): the gap was held up and never answered */
  readonly expected: number
  readonly p99Ms: number | null
  readonly maxMs: number | null
  /** connection errors (timeouts included) + non-2xx answers */
  readonly errors: number
  /** requests without an answer within 10 s */
  readonly timeouts: number
  readonly statusCodes: Readonly<Record<string, number>>
}

export interface MemoryResult {
  /** VmHWM could be reset to the RSS after warm-up (/proc/PID/clear_refs); else the baseline is the start-up peak */
  readonly peakReset: boolean
  readonly hwmBeforeKiB: number | null
  readonly hwmAfterKiB: number | null
  /** VmHWM after − VmHWM before, MiB */
  readonly peakIncreaseMiB: number | null
  readonly rssBeforeKiB: number | null
  readonly rssAfterKiB: number | null
}

export interface WorkerResult {
  readonly worker: number | null
  /** event-loop delay during the attack (probe reset just before it) */
  readonly delayP99Ms: number
  readonly delayMaxMs: number
  /** V8 heap in use, after a full GC, before and after the attack */
  readonly heapBeforeMiB: number | null
  readonly heapAfterMiB: number | null
  readonly collected: boolean
}

export interface AttackResult {
  readonly name: string
  readonly letter: string
  readonly what: string
  readonly settings: Readonly<Record<string, unknown>>
  readonly status: 'ok' | 'failed'
  /** why the attack or its measurement could not complete */
  readonly failure: string | null
  readonly outcome: AttackOutcome | null
  readonly memory: MemoryResult | null
  readonly workers: readonly WorkerResult[]
  readonly traffic: readonly TrafficResult[]
  /** the gateway process was still running after the attack */
  readonly gatewayAlive: boolean
  readonly gatewayErrors: readonly string[]
  /** token requests the real IdP (and the dripping one, for drip-idp) received during the attack */
  readonly idpTokenRequests: number | null
  /** requests the upstream received whose path holds `hostile`, `HTTP/<version> <path>` -> count */
  readonly upstreamSaw: Readonly<Record<string, number>>
}

export interface HostileResults {
  readonly schema: typeof HOSTILE_SCHEMA
  readonly startedAt: string
  readonly finishedAt: string
  readonly commit: CommitInfo
  readonly machine: MachineInfo
  readonly pinning: string
  readonly options: HostileOptions
  readonly attacks: readonly AttackResult[]
}
