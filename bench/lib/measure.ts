// One run of one scenario in one mode: warm-up load (not recorded), then the measured load with the
// gateway's event-loop delay, the CPU use of every process and the IdP's token requests sampled around
// it. Any error, timeout, non-2xx answer or error log line fails the run, with the details.

import { loadavg } from 'node:os'
import type { BenchChild } from './child.ts'
import { CpuMeter } from './cpu-time.ts'
import { CREDENTIALS, type Environment } from './environment.ts'
import type { BenchGateway } from './gateway.ts'
import type { CredentialPlan, LoadJob, LoadOutcome } from './load-types.ts'
import type { BenchOptions } from './options.ts'
import type { Mode, RunRecord } from './results-types.ts'
import type { Scenario } from './scenarios.ts'

/** oidc-cold's credentials, each used once in the whole suite: handed out in slices, run by run. */
export class ColdBudget {
  #next = 0
  #runsLeft: number
  readonly #total: number

  constructor (total: number, runs: number) {
    this.#total = total
    this.#runsLeft = runs
  }

  /** An equal share of what is left, a tenth of it (at most 500) for the warm-up. */
  take (): { warm: [number, number], measure: [number, number] } {
    const share = Math.floor((this.#total - this.#next) / Math.max(1, this.#runsLeft--))
    if (share < 20) throw new Error(`oidc-cold has no credentials left (${this.#total} in all): raise --cold`)
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
}

export interface Subject {
  readonly url: string
  readonly gateway: BenchGateway | null
  readonly pid: number
  readonly cpus: string | null
}

export function subjectOf (env: Environment, scenario: Scenario, workers: number): Subject {
  const gateways: Partial<Record<Scenario['target'], BenchGateway | null>> =
    { gateway: env.gateway, 'gateway-workers': env.gatewayWorkers, 'gateway-verify-each': env.gatewayVerifyEach }
  const gateway = gateways[scenario.target] ?? null
  if (gateway !== null) return { url: listenerUrl(gateway, scenario) + scenario.path, gateway, pid: gateway.pid, cpus: gateway.cpus }
  const floors: Partial<Record<Scenario['target'], BenchChild | null>> =
    { floor: env.floor, 'floor-bare': env.floorBare, 'floor-tls': env.floorTls, 'floor-h2': env.floorH2 }
  const floor = floors[scenario.target] ?? null
  if (floor !== null) return { url: (floor.info.url as string) + scenario.path, gateway: null, pid: floor.pid, cpus: floor.cpus }
  if (scenario.target === 'upstream') return { url: (env.upstream.info.url as string) + scenario.path, gateway: null, pid: env.upstream.pid, cpus: env.plan.subject(1) }
  throw new Error(`${scenario.name}: its gateway (${workers} workers) was not started`)
}

function listenerUrl (gateway: BenchGateway, scenario: Scenario): string {
  if (scenario.listener === undefined) return gateway.proxyUrl
  const url = scenario.listener === 'tls' ? gateway.tlsUrl : gateway.h2Url
  if (url === null) throw new Error(`${scenario.name}: gateway ${gateway.name} has no ${scenario.listener} listener`)
  return url
}

export async function measureRun (ctx: MeasureContext, scenario: Scenario, mode: Mode, run: number, rate: number | null): Promise<RunRecord> {
  const { env, options } = ctx
  const subject = subjectOf(env, scenario, options.workers)
  // `direct` puts the upstream itself under test: it gets the subject's core for the run
  if (scenario.target === 'upstream') env.upstream.pin(env.plan.subject(1))
  try {
    const plans = credentialPlans(ctx, scenario)
    const job = (durationS: number, credentials: CredentialPlan): LoadJob => ({
      url: subject.url,
      driver: scenario.driver,
      connections: connectionsFor(options.connections, credentials),
      durationS,
      rate: mode === 'fixed' ? rate : null,
      credentials,
      headers: scenario.headers,
      timeoutS: options.timeoutS
    })
    const brief = options.quick && scenario.quickBrief === true
    // a short warm-up may end before the first cold request is answered: only errors fail it
    const warmFailure = brief ? null : failureOf(await env.load.call<LoadOutcome>('run', job(options.warmupS, plans.warm)), [], false)
    subject.gateway?.takeErrors()
    const roles = new Map<string, number>([['subject', subject.pid], ['load', env.load.pid]])
    if (scenario.target !== 'upstream') roles.set('upstream', env.upstream.pid)
    if (env.idp !== null && scenario.oidc) roles.set('idp', env.idp.pid)
    const meter = new CpuMeter(roles)
    await subject.gateway?.resetEventLoopDelay()
    const idpBefore = scenario.oidc && env.idp !== null ? await env.idp.call<number>('idpCalls') : null
    meter.start()
    const outcome = await env.load.call<LoadOutcome>('run', job(measuredSeconds(options, scenario), plans.measure))
    const cpu = meter.stop()
    const subjectCpuS = meter.used('subject')
    const idpCalls = idpBefore === null ? null : await env.idp!.call<number>('idpCalls') - idpBefore
    const eventLoopDelay = subject.gateway === null ? null : await subject.gateway.readEventLoopDelay()
    const gatewayErrors = subject.gateway?.takeErrors() ?? []
    const failure = warmFailure === null ? failureOf(outcome, gatewayErrors) : `warm-up: ${warmFailure}`
    return { run, rate: mode === 'fixed' ? rate : null, outcome, eventLoopDelay, cpu, subjectCpuS, idpCalls, gatewayErrors, loadAverage: round(loadavg()[0]), failure }
  } finally {
    if (scenario.target === 'upstream') env.upstream.pin(env.plan.support)
  }
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
  const slice = ctx.cold.take()
  return {
    warm: { kind: 'sequence', set: CREDENTIALS.cold, from: slice.warm[0], to: slice.warm[1] },
    measure: { kind: 'sequence', set: CREDENTIALS.cold, from: slice.measure[0], to: slice.measure[1] }
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
