// The whole bench: check the oidc plugin, start the processes, run every scenario at saturation and then
// at the fixed rate, `runs` times each. Runs interleave (run 1 of every scenario, then run 2 ...) so slow
// drift on a shared machine spreads over all scenarios instead of landing on one.

import { loadavg } from 'node:os'
import { redisServerMissing } from '../../src/demo/redis-server.ts'
import { commitInfo, machineInfo } from './machine.ts'
import { planCpus } from './cpu-plan.ts'
import { startEnvironment, type Environment } from './environment.ts'
import { ColdBudget, measureRun, warmManyCredentials } from './measure.ts'
import { checkOidcPlugin } from './oidc-setup.ts'
import type { BenchOptions } from './options.ts'
import { MODES, RESULTS_SCHEMA, type BenchResults, type Mode, type RunRecord, type ScenarioResult } from './results-types.ts'
import { selectScenarios, type Scenario } from './scenarios.ts'
import { median, mergedHistograms, ratios, summarize, targets } from './summarize.ts'
import { checkTlsScenarios } from './tls-check.ts'

type Log = (line: string) => void

interface Progress {
  readonly runs: Map<string, RunRecord[]>
  /** scenario/mode -> why it could not run at all (setup failure, crashed process) */
  readonly broken: Map<string, string>
  readonly rates: Map<string, number | null>
}

const key = (name: string, mode: Mode): string => `${name}|${mode}`

export async function runSuite (options: BenchOptions, log: Log): Promise<BenchResults> {
  const startedAt = new Date().toISOString()
  const loadAtStart = loadavg()[0]
  const plan = planCpus()
  log(`CPU pinning: ${plan.note}`)
  const oidc = await checkOidcPlugin()
  const selected = selectScenarios(options.only)
  const skipped = skippedScenarios(selected, oidc.reason, log)
  const scenarios = selected.filter((s) => !skipped.has(s))
  const progress: Progress = { runs: new Map(), broken: new Map(), rates: new Map() }
  let fixedRate: number | null = null
  if (scenarios.length > 0) {
    const env = await startEnvironment(options, scenarios, plan, log)
    try {
      await checkTlsScenarios(env, scenarios, options.workers, log)
      fixedRate = await runAll(env, options, scenarios, progress, log)
    } finally {
      await env.close()
    }
  }
  const results = scenarioResults(options, plan.subject.bind(plan), selected, skipped, progress)
  return {
    schema: RESULTS_SCHEMA,
    startedAt,
    finishedAt: new Date().toISOString(),
    commit: commitInfo(),
    machine: machineInfo(),
    pinning: { taskset: plan.taskset, note: plan.note, load: plan.load, support: plan.support },
    options,
    loadAverage: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadavg()[0] * 100) / 100 },
    oidc,
    fixedRate,
    scenarios: results,
    ratios: ratios(results),
    targets: targets(results)
  }
}

/** What cannot run here and why: the oidc scenarios without the plugin, the Redis ones without redis-server. */
function skippedScenarios (selected: readonly Scenario[], oidcMissing: string | null, log: Log): Map<Scenario, string> {
  const skipped = new Map<Scenario, string>()
  const redisMissing = selected.some((s) => s.redis === true) ? redisServerMissing() : null
  for (const s of selected) {
    if (oidcMissing !== null && s.oidc) skipped.set(s, oidcMissing)
    else if (redisMissing !== null && s.redis === true) skipped.set(s, redisMissing)
  }
  for (const reason of new Set(skipped.values())) {
    log(`${reason}: skipping ${[...skipped].filter(([, why]) => why === reason).map(([s]) => s.name).join(', ')}`)
  }
  return skipped
}

async function runAll (env: Environment, options: BenchOptions, scenarios: readonly Scenario[], progress: Progress, log: Log): Promise<number | null> {
  const coldRuns = scenarios.some((s) => s.credentials === 'cold') ? options.runs * MODES.length : 0
  const clusterColdRuns = scenarios.some((s) => s.credentials === 'cluster-cold') ? options.runs * MODES.length : 0
  const ctx = {
    env,
    options,
    cold: new ColdBudget(env.coldCount, coldRuns),
    clusterCold: new ColdBudget(env.clusterColdCount, clusterColdRuns, 'cluster-cold', '--cluster-cold')
  }
  if (scenarios.some((s) => s.credentials === 'many')) {
    log(`warming ${env.manyCount} oidc-many credentials`)
    const failure = await warmManyCredentials(env, options)
    if (failure !== null) for (const mode of MODES) progress.broken.set(key('oidc-many', mode), `warm-up of every credential: ${failure}`)
  }
  let fixedRate: number | null = null
  for (const mode of MODES) {
    if (mode === 'fixed') {
      fixedRate = options.rate ?? halfOfSaturation(progress, scenarios)
      if (fixedRate === null) {
        for (const s of scenarios) progress.broken.set(key(s.name, mode), 'no saturation rate to derive the fixed rate from')
        break
      }
      log(`fixed rate: ${fixedRate} req/s`)
    }
    for (let run = 1; run <= options.runs; run++) {
      for (const scenario of scenarios) {
        const k = key(scenario.name, mode)
        if (progress.broken.has(k)) continue
        const rate = mode === 'fixed' ? rateFor(scenario, fixedRate!, progress) : null
        progress.rates.set(k, rate)
        try {
          const record = await measureRun(ctx, scenario, mode, run, rate)
          progress.runs.set(k, [...(progress.runs.get(k) ?? []), record])
          log(describeRun(scenario, mode, run, options.runs, record))
        } catch (err) {
          progress.broken.set(k, (err as Error).message)
          log(`[${mode} ${run}/${options.runs}] ${scenario.name}: FAILED ${(err as Error).message}`)
        }
      }
    }
  }
  return fixedRate
}

/** Half the median saturation rate of `proxy`, or of the first scenario measured when proxy was not. */
function halfOfSaturation (progress: Progress, scenarios: readonly Scenario[]): number | null {
  const base = scenarios.find((s) => s.name === 'proxy') ?? scenarios[0]
  const runs = progress.runs.get(key(base.name, 'saturation')) ?? []
  return runs.length === 0 ? null : Math.max(1, Math.round(median(runs.map((r) => r.outcome.rps)) / 2))
}

// A new credential per request cannot go at half the proxy's rate, nor can a new TLS handshake per
// request: oidc-cold's and the tls-handshake scenarios' fixed rates are capped at half their own
// saturation rate, so they measure latency below saturation like the others.
function rateFor (scenario: Scenario, fixedRate: number, progress: Progress): number {
  if (scenario.credentials !== 'cold' && scenario.credentials !== 'cluster-cold' && scenario.driver !== 'tls-handshake') return fixedRate
  const runs = progress.runs.get(key(scenario.name, 'saturation')) ?? []
  if (runs.length === 0) return fixedRate
  return Math.max(1, Math.min(fixedRate, Math.round(median(runs.map((r) => r.outcome.rps)) / 2)))
}

function describeRun (scenario: Scenario, mode: Mode, run: number, runs: number, r: RunRecord): string {
  const client = summarize([r])
  const parts = [
    `${r.outcome.rps} req/s`,
    `client p50 ${client?.clientMs?.p50 ?? '-'} p99 ${client?.clientMs?.p99 ?? '-'} ms`
  ]
  if (client?.proxyUs !== null && client?.proxyUs !== undefined) parts.push(`proxy p99 ${client.proxyUs.p99} µs`)
  if (client?.workerDelayP99Ms !== null && client?.workerDelayP99Ms !== undefined) parts.push(`loop delay p99 ${client.workerDelayP99Ms} ms`)
  if (r.idpCalls !== null) parts.push(`IdP ${r.idpCalls} calls`)
  if (r.credentialsSent !== undefined && r.idpCalls !== null) parts.push(`${r.credentialsSent} credentials, each to both nodes`)
  parts.push(`cpu ${Object.entries(r.cpu).map(([role, v]) => `${role} ${v ?? '-'}`).join(' ')}`)
  if (r.outcome.endedEarly) parts.push('ended early: credentials used up')
  if (r.failure !== null) parts.push(`FAILED ${r.failure}`)
  return `[${mode} ${run}/${runs}] ${scenario.name}: ${parts.join(', ')}`
}

function scenarioResults (options: BenchOptions, subject: (workers: number) => string | null, selected: readonly Scenario[],
  skipped: ReadonlyMap<Scenario, string>, progress: Progress): ScenarioResult[] {
  const out: ScenarioResult[] = []
  for (const mode of MODES) {
    for (const s of selected) {
      const k = key(s.name, mode)
      const runs = progress.runs.get(k) ?? []
      const workers = s.target === 'gateway' || s.target === 'gateway-verify-each' || s.target === 'gateway-pair' ? 1 : s.target === 'gateway-workers' ? options.workers : null
      const failures = runs.filter((r) => r.failure !== null).map((r) => `run ${r.run}: ${r.failure}`)
      const broken = progress.broken.get(k) ?? null
      const skipReason = skipped.get(s) ?? null
      const isSkipped = skipReason !== null
      out.push({
        name: s.name,
        mode,
        isolates: s.isolates,
        workers,
        // the pair's two nodes share the cores of a 2-worker subject
        cpus: subject(s.target === 'gateway-pair' ? 2 : workers ?? 1),
        rate: progress.rates.get(k) ?? null,
        status: isSkipped ? 'skipped' : broken !== null || failures.length > 0 || runs.length === 0 ? 'failed' : 'ok',
        reason: isSkipped ? skipReason : [broken, ...failures].filter((x) => x !== null).join('; ') || (runs.length === 0 ? 'not run' : null),
        runs,
        median: summarize(runs),
        histograms: runs.length === 0 ? null : mergedHistograms(runs)
      })
    }
  }
  return out
}
