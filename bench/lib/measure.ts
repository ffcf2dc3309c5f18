// One run of one scenario in one mode: warm-up load (not recorded), then the measured load with the
// gateway's event-loop delay, the CPU use of every process and the IdP's token requests sampled around
// it. Any error, timeout, non-2xx answer or error log line fails the run, with the details. `cluster-cold`
// loads its two gateway nodes at once, each with the same credentials in the same order, and counts the
// credentials sent, so the IdP calls per credential say whether the nodes shared each token (1) or not (2).

import { loadavg } from 'node:os'
import type { BenchChild } from './child.ts'
import { CpuMeter } from './cpu-time.ts'
import { CREDENTIALS, type Environment } from './environment.ts'
import type { BenchGateway } from './gateway.ts'
import type { CredentialPlan, LoadJob, LoadOutcome } from './load-types.ts'
import type { BenchOptions } from './options.ts'
import type { Mode, RunRecord } from './results-types.ts'
import { mergeOutcomes } from './merge-outcomes.ts'
import type { Scenario } from './scenarios.ts'

/** oidc-cold's (or cluster-cold's) credentials, each used once in the whole suite: handed out in slices, run by run. */
export class ColdBudget {
  #next = 0
  #runsLeft: number
  readonly #total: number
  readonly #name: string
  readonly #flag: string

  constructor (total: number, runs: number, name = 'oidc-cold', flag = '--cold') {
    this.#total = total
    this.#runsLeft = runs
    this.#name = name
    this.#flag = flag
  }

  /** An equal share of what is left, a tenth of it (at most 500) for the warm-up. */
  take (): { warm: [number, number], measure: [number, number] } {
    const share = Math.floor((this.#total - this.#next) / Math.max(1, this.#runsLeft--))
    if (share < 20) throw new Error(`${this.#name} has no credentials left (${this.#total} in all): raise ${this.#flag}`)
    const warm = Math.min(500, Math.floor(share / 10))
    const from = this.#next
    this.#next += share
    return { warm: [from, from + warm], measure: [from + warm, from + share] }
  }
}

export interface MeasureContext {
  readonly env: Environment
  readonly options: BenchOptions
  readonly cold: ColdBudget
  readonly clusterCold: ColdBudget
}

export interface Subject {
  readonly url: string
  readonly gateway: BenchGateway | null
  readonly pid: number
  readonly cpus: string | null
}

export function subjectOf (env: Environment, scenario: Scenario, workers: number): Subject {
  const gateways: Partial<Record<Scenario['target'], BenchGateway | null>> =
    { gateway: env.gateway, 'gateway-workers': env.gatewayWorkers, 'gateway-verify-each': env.gatewayVerifyEach, 'gateway-pair': env.gatewayPair?.[0] ?? null }
  const gateway = gateways[scenario.target] ?? null
  if (gateway !== null) return { url: listenerUrl(gateway, scenario) + scenario.path, gateway, pid: gateway.pid, cpus: gateway.cpus }
  const floors: Partial<Record<Scenario['target'], BenchChild | null>> =
    {
      floor: env.floor,
      'floor-bare': env.floorBare,
      'floor-tls': env.floorTls,
      'floor-h2': env.floorH2,
      'floor-kong': env.floorKong,
      'floor-tls-kong': env.floorTlsKong,
      'floor-h2-kong': env.floorH2Kong
    }
  const floor = floors[scenario.target] ?? null
  if (floor !== null) return { url: (floor.info.url as string) + scenario.path, gateway: null, pid: floor.pid, cpus: floor.cpus }
  if (scenario.target === 'upstream') return { url: (env.upstream.info.url as string) + scenario.path, gateway: null, pid: env.upstream.pid, cpus: env.plan.subject(1) }
  throw new Error(`${scenario.name}: its gateway (${workers} workers) was not started`)
}

/** the gateway listener a scenario's requests go to: plain, `ssl` or `ssl http2` */
export function listenerUrl (gateway: BenchGateway, scenario: Scenario): string {
  if (scenario.listener === undefined) return gateway.proxyUrl
  const url = scenario.listener === 'tls' ? gateway.tlsUrl : gateway.h2Url
  if (url === null) throw new Error(`${scenario.name}: gateway ${gateway.name} has no ${scenario.listener} listener`)
  return url
}

export async function measureRun (ctx: MeasureContext, scenario: Scenario, mode: Mode, run: number, rate: number | null): Promise<RunRecord> {
  const { env, options } = ctx
  const subject = subjectOf(env, scenario, options.workers)
  // cluster-cold's second node: loaded beside the subject, measured with it
  const second = scenario.target === 'gateway-pair' ? env.gatewayPair![1] : null
  const gateways = [subject.gateway, second].filter((g): g is BenchGateway => g !== null)
  // `direct` puts the upstream itself under test: it gets the subject's core for the run
  if (scenario.target === 'upstream') env.upstream.pin(env.plan.subject(1))
  try {
    const plans = credentialPlans(ctx, scenario)
    // the pair shares the rate: each node gets half, so the two answer `rate` req/s together
    const jobRate = mode !== 'fixed' || rate === null ? null : second === null ? rate : Math.max(1, Math.round(rate / 2))
    const job = (durationS: number, credentials: CredentialPlan): LoadJob => ({
      url: subject.url,
      driver: scenario.driver,
      connections: connectionsFor(options.connections, credentials),
      durationS,
      rate: jobRate,
      credentials,
      headers: scenario.headers,
      timeoutS: options.timeoutS
    })
    const brief = options.quick && scenario.quickBrief === true
    // a short warm-up may end before the first cold request is answered: only errors fail it
    const warmFailure = brief ? null : failureOf((await runLoad(env, job(options.warmupS, plans.warm), second)).outcome, [], false)
    for (const g of gateways) g.takeErrors()
    const roles = new Map<string, number>([['subject', subject.pid], ['load', env.load.pid]])
    if (second !== null) roles.set('node-2', second.pid)
    if (scenario.target !== 'upstream') roles.set('upstream', env.upstream.pid)
    if (env.idp !== null && scenario.oidc) roles.set('idp', env.idp.pid)
    const meter = new CpuMeter(roles)
    for (const g of gateways) await g.resetEventLoopDelay()
    const idpBefore = scenario.oidc && env.idp !== null ? await env.idp.call<number>('idpCalls') : null
    meter.start()
    const { outcome, credentialsSent } = await runLoad(env, job(measuredSeconds(options, scenario), plans.measure), second)
    const cpu = meter.stop()
    const subjectCpuS = second === null ? meter.used('subject') : sumOrNull(meter.used('subject'), meter.used('node-2'))
    const idpCalls = idpBefore === null ? null : await env.idp!.call<number>('idpCalls') - idpBefore
    const eventLoopDelay = gateways.length === 0 ? null : (await Promise.all(gateways.map(async (g) => await g.readEventLoopDelay()))).flat()
    const gatewayErrors = gateways.flatMap((g) => g.takeErrors())
    const failure = warmFailure === null ? failureOf(outcome, gatewayErrors) : `warm-up: ${warmFailure}`
    const record: RunRecord = { run, rate: mode === 'fixed' ? rate : null, outcome, eventLoopDelay, cpu, subjectCpuS, idpCalls, gatewayErrors, loadAverage: round(loadavg()[0]), failure }
    return second === null ? record : { ...record, credentialsSent }
  } finally {
    if (scenario.target === 'upstream') env.upstream.pin(env.plan.support)
  }
}

/**
 * One load job, or the same job at both nodes of the pair at once; `credentialsSent`: the distinct
 * credentials the pair's nodes were sent (both start the same sequence: the one that got further).
 */
async function runLoad (env: Environment, job: LoadJob, second: BenchGateway | null): Promise<{ outcome: LoadOutcome, credentialsSent: number }> {
  if (second === null) {
    const outcome = await env.load.call<LoadOutcome>('run', job)
    return { outcome, credentialsSent: outcome.requests }
  }
  const path = new URL(job.url).pathname
  const [a, b] = await Promise.all([
    env.load.call<LoadOutcome>('run', job),
    env.load.call<LoadOutcome>('run', { ...job, url: `${second.proxyUrl}${path}` })
  ])
  return { outcome: mergeOutcomes(a, b), credentialsSent: Math.max(a.requests, b.requests) }
}

function sumOrNull (a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b
}

// --quick is the CI smoke check. A scenario sending one ready-made bearer token has nothing left to warm
// after its first request, so half of quick's measured time shows it works; the three resource-server
// scenarios (issue 13) would otherwise add about a quarter to the smoke test's time. The plugin scenarios
// of issue 14 (fixed headers, configs that let everything through, each route already probed by
// checkPluginScenarios) skip the warm-up and measure a quarter: five of them at full quick length would
// add another quarter.
function measuredSeconds (options: BenchOptions, scenario: Scenario): number {
  if (!options.quick) return options.durationS
  if (scenario.quickBrief === true) return options.durationS / 4
  const oneToken = scenario.credentials === 'jwt' || scenario.credentials === 'opaque'
  return oneToken ? options.durationS / 2 : options.durationS
}

function credentialPlans (ctx: MeasureContext, scenario: Scenario): { warm: CredentialPlan, measure: CredentialPlan } {
  if (scenario.credentials === 'none') return { warm: { kind: 'none' }, measure: { kind: 'none' } }
  if (scenario.credentials === 'one' || scenario.credentials === 'jwt' || scenario.credentials === 'opaque') {
    const set = scenario.credentials === 'one' ? CREDENTIALS.hot : CREDENTIALS[scenario.credentials]
    const one: CredentialPlan = { kind: 'fixed', set, index: 0 }
    return { warm: one, measure: one }
  }
  if (scenario.credentials === 'many') {
    const many: CredentialPlan = { kind: 'random', set: CREDENTIALS.many }
    return { warm: many, measure: many }
  }
  const pair = scenario.credentials === 'cluster-cold'
  const slice = (pair ? ctx.clusterCold : ctx.cold).take()
  const set = pair ? CREDENTIALS.clusterCold : CREDENTIALS.cold
  return {
    warm: { kind: 'sequence', set, from: slice.warm[0], to: slice.warm[1] },
    measure: { kind: 'sequence', set, from: slice.measure[0], to: slice.measure[1] }
  }
}

/** autocannon needs at least one request per connection when a run is bounded by a request count. */
function connectionsFor (connections: number, plan: CredentialPlan): number {
  return plan.kind === 'sequence' ? Math.max(1, Math.min(connections, plan.to - plan.from)) : connections
}

export function failureOf (outcome: LoadOutcome, gatewayErrors: readonly string[], needResponses = true): string | null {
  const problems: string[] = []
  if (needResponses && outcome.requests === 0) problems.push('no response at all')
  if (outcome.errors > 0) problems.push(`${outcome.errors} connection errors`)
  if (outcome.timeouts > 0) problems.push(`${outcome.timeouts} timeouts`)
  if (outcome.non2xx > 0) problems.push(`${outcome.non2xx} non-2xx answers (${JSON.stringify(outcome.statusCodes)})`)
  if (gatewayErrors.length > 0) problems.push(`${gatewayErrors.length} gateway error log lines, first: ${gatewayErrors[0]}`)
  return problems.length === 0 ? null : problems.join('; ')
}

/** The warm-up pass of oidc-many: every credential once, so the measured runs find all of them cached. */
export async function warmManyCredentials (env: Environment, options: BenchOptions): Promise<string | null> {
  if (env.gateway === null || env.manyCount === 0) return null
  const outcome = await env.load.call<LoadOutcome>('run', {
    url: `${env.gateway.proxyUrl}/oidc-many`,
    connections: Math.min(options.connections, env.manyCount),
    durationS: 600,
    rate: null,
    credentials: { kind: 'sequence', set: CREDENTIALS.many, from: 0, to: env.manyCount },
    timeoutS: options.timeoutS
  } satisfies LoadJob)
  const failure = failureOf(outcome, env.gateway.takeErrors())
  if (failure === null && outcome.requests < env.manyCount) return `only ${outcome.requests} of ${env.manyCount} credentials warmed`
  return failure
}

function round (value: number): number {
  return Math.round(value * 100) / 100
}
