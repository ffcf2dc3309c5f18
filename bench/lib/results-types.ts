// The results file (bench/results/*.json): everything one `npm run bench` measured, with the machine,
// commit and CPU pinning it was measured on. bench/compare.ts reads two of these.

import type { ThreadDelay } from '../probe/event-loop-delay.ts'
import type { CommitInfo, MachineInfo } from './machine.ts'
import type { HistogramName, LoadOutcome, Percentiles } from './load-types.ts'
import type { PluginAvailability } from './oidc-setup.ts'
import type { BenchOptions } from './options.ts'

export const RESULTS_SCHEMA = 1

export type Mode = 'saturation' | 'fixed'
export const MODES: readonly Mode[] = ['saturation', 'fixed']

export interface RunRecord {
  readonly run: number
  readonly rate: number | null
  readonly outcome: LoadOutcome
  /** every gateway thread; null when the subject is not the gateway */
  readonly eventLoopDelay: readonly ThreadDelay[] | null
  /** role -> cores busy on average during the run (1 = one core) */
  readonly cpu: Readonly<Record<string, number | null>>
  /**
   * user + sys CPU seconds of the process under test (all its threads) while the measured load ran,
   * unrounded; absent in files written before it was recorded
   */
  readonly subjectCpuS?: number | null
  /** token and introspection requests the IdPs saw during the run; null without IdP */
  readonly idpCalls: number | null
  /** `cluster-cold`: the distinct credentials sent (each to both nodes); absent for other scenarios */
  readonly credentialsSent?: number
  readonly gatewayErrors: readonly string[]
  /** the machine's 1-minute load average right after the run: above the CPU count, others shared the CPUs */
  readonly loadAverage: number
  /** why the run failed; null when it passed */
  readonly failure: string | null
}

/** Medians over the runs of one scenario and mode. */
export interface Summary {
  readonly rps: number
  readonly requests: number
  /** from the µs histograms, in ms */
  readonly clientMs: Percentiles | null
  readonly autocannonMs: LoadOutcome['autocannonMs']
  readonly kongProxyMs: Percentiles | null
  readonly kongUpstreamMs: Percentiles | null
  readonly proxyUs: Percentiles | null
  readonly upstreamUs: Percentiles | null
  /** the largest p99 event-loop delay among the proxy workers, ms */
  readonly workerDelayP99Ms: number | null
  readonly workerDelayMaxMs: number | null
  readonly idpCallsPerS: number | null
  /** `cluster-cold`: IdP calls ÷ distinct credentials sent (1: each token fetched once for both nodes, 2: not shared) */
  readonly idpCallsPerCredential?: number | null
  readonly cpu: Readonly<Record<string, number | null>>
  /**
   * user + sys CPU time the process under test spent per answered request, µs (its CPU seconds over the
   * measured load ÷ the requests answered): its cost per request even when it was not saturated
   */
  readonly subjectCpuUsPerRequest: number | null
  readonly endedEarly: boolean
}

export interface ScenarioResult {
  readonly name: string
  readonly mode: Mode
  readonly isolates: string
  readonly workers: number | null
  /** taskset CPU list of the process under test; null: unpinned */
  readonly cpus: string | null
  readonly rate: number | null
  readonly status: 'ok' | 'failed' | 'skipped'
  readonly reason: string | null
  readonly runs: readonly RunRecord[]
  readonly median: Summary | null
  /** all runs merged, compressed base64 (for the plots) */
  readonly histograms: Readonly<Record<HistogramName, string | null>> | null
}

export interface Ratio {
  readonly name: string
  readonly mode: Mode
  /** top's req/s ÷ bottom's */
  readonly value: number | null
  /**
   * bottom's CPU µs per request ÷ top's, so it reads like `value` (0.9: top spends 1/0.9 of bottom's CPU
   * per request); absent in files written before it was recorded
   */
  readonly cpu?: number | null
}

export interface Target {
  readonly name: string
  readonly goal: string
  readonly value: number | null
  readonly met: boolean | null
  readonly note: string
}

export interface BenchResults {
  readonly schema: number
  readonly startedAt: string
  readonly finishedAt: string
  readonly commit: CommitInfo
  readonly machine: MachineInfo
  readonly pinning: {
    readonly taskset: boolean
    readonly note: string
    readonly load: string | null
    readonly support: string | null
  }
  readonly options: BenchOptions
  /** 1-minute load average when the suite started and ended */
  readonly loadAverage: { readonly start: number, readonly end: number }
  readonly oidc: PluginAvailability
  /** the fixed rate used (req/s); oidc-cold may use less, see its own `rate` */
  readonly fixedRate: number | null
  readonly scenarios: readonly ScenarioResult[]
  readonly ratios: readonly Ratio[]
  readonly targets: readonly Target[]
}
