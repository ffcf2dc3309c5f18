// The subjects the two counting tools measure outside the suite (bench/instructions.ts under callgrind,
// bench/cpu.ts by CPU time): the floors, bench/procs/floor.ts with the suite's arguments, and one gateway
// with the suite's config (environment.ts gatewayConfig and tlsSettings, 1 worker) for the gateway
// scenarios, against the suite's upstream and certificate. Both tools drive them the same way, from their
// own process with undici: keep-alive, CONNECTIONS connections (HTTP/2: one connection with as many
// streams), a GET without a body or credentials, as the suite's requests.
// One difference from the suite: the gateway writes kong.conf's default `headers`, without the two
// microsecond latency headers the suite's gateway adds for its recorder (nothing here reads them), and the
// -kong floors leave them out too. They cost the gateway about 2% of its CPU per request over TLS, which
// `floor-tls` and `floor-h2` never pay: the suite's own ratios include them.

import { Agent, request } from 'undici'
import type { BenchCertificate } from './bench-certificate.ts'
import { BenchChild } from './child.ts'
import { KONG_DEFAULT_HEADERS, floorArgs, gatewayConfig, tlsSettings, type FloorTarget } from './environment.ts'
import { BenchGateway } from './gateway.ts'
import { listenerUrl } from './measure.ts'
import { SCENARIOS, type Scenario } from './scenarios.ts'

export const FLOOR_SCENARIOS: ReadonlySet<string> = new Set(['floor', 'floor-kong', 'floor-tls', 'floor-tls-kong', 'floor-h2', 'floor-h2-kong'])
export const GATEWAY_SCENARIOS: ReadonlySet<string> = new Set(['proxy', 'tls', 'h2'])
/** [subject, floor]: the suite's floor targets, and what Kong's headers cost a floor */
export const RATIO_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['proxy', 'floor'], ['proxy', 'floor-kong'], ['floor-kong', 'floor'],
  ['tls', 'floor-tls'], ['tls', 'floor-tls-kong'], ['floor-tls-kong', 'floor-tls'],
  ['h2', 'floor-h2'], ['h2', 'floor-h2-kong'], ['floor-h2-kong', 'floor-h2']
]
export const CONNECTIONS = 10
/** a TLS handshake with a subject under valgrind's cache simulation takes longer than undici's 10 s default */
const CONNECT_TIMEOUT_MS = 120_000
const PROC = (name: string): URL => new URL(`../procs/${name}.ts`, import.meta.url)

/** A process serving one scenario's URL. */
export interface ToolSubject {
  readonly name: string
  readonly pid: number
  readonly url: string
  readonly h2: boolean
}

export interface SubjectStart {
  readonly upstreamUrl: string
  /** the run's certificate; null when no scenario listens with TLS */
  readonly certificate: BenchCertificate | null
  /** taskset list for the subject; null: unpinned */
  readonly cpus: string | null
  /** a command the subject runs under (valgrind); none by default */
  readonly prefix?: readonly string[]
  /** how long it may take to start (a process under valgrind needs minutes) */
  readonly startTimeoutMs?: number
}

/** `--only`'s list as scenarios the tools measure; throws, naming the first unknown one, with `usage`. */
export function toolScenarios (list: string, usage: string): Scenario[] {
  const names = list.split(',').map((name) => name.trim()).filter((name) => name !== '')
  return names.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name)
    if (scenario === undefined || !(FLOOR_SCENARIOS.has(name) || GATEWAY_SCENARIOS.has(name))) {
      throw new Error(`--only: ${name} is not a scenario counted here\n${usage}`)
    }
    return scenario
  })
}

/** The suite's upstream, on `cpus` (null: unpinned). */
export async function startUpstream (cpus: string | null): Promise<BenchChild> {
  return BenchChild.start('upstream', PROC('upstream'), { cpus })
}

export async function startFloor (scenario: Scenario, start: SubjectStart): Promise<{ readonly subject: ToolSubject, readonly child: BenchChild }> {
  const child = await BenchChild.start(scenario.name, PROC('floor'), {
    cpus: start.cpus,
    args: floorArgs(scenario.target as FloorTarget, start.upstreamUrl, start.certificate, false),
    prefix: start.prefix,
    readyTimeoutMs: start.startTimeoutMs
  })
  return { subject: { name: scenario.name, pid: child.pid, url: (child.info.url as string) + scenario.path, h2: scenario.driver === 'h2' }, child }
}

/** One gateway serving every gateway scenario of the list, without the suite's event-loop probe. */
export async function startGateway (scenarios: readonly Scenario[], start: SubjectStart): Promise<BenchGateway> {
  const routes = scenarios.filter((s) => GATEWAY_SCENARIOS.has(s.name)).map((s) => ({ name: s.name, plugins: [] }))
  return BenchGateway.start({
    name: 'gateway',
    cpus: start.cpus,
    cpuProfDir: null,
    config: {
      ...gatewayConfig(1, start.upstreamUrl, routes, 64),
      headers: KONG_DEFAULT_HEADERS,
      ...(start.certificate === null ? {} : tlsSettings(start.certificate))
    },
    prefix: start.prefix,
    startTimeoutMs: start.startTimeoutMs,
    // the probe's 1 ms timers in every thread would weigh on the count (bench/instructions.ts)
    probe: false
  })
}

export function gatewaySubject (gateway: BenchGateway, scenario: Scenario): ToolSubject {
  return { name: scenario.name, pid: gateway.pid, url: listenerUrl(gateway, scenario) + scenario.path, h2: scenario.listener === 'h2' }
}

/** The client of one subject: keep-alive, CONNECTIONS connections, or one HTTP/2 connection with as many streams. */
export function subjectAgent (subject: ToolSubject): Agent {
  const connect = { rejectUnauthorized: false, timeout: CONNECT_TIMEOUT_MS }
  return subject.h2
    ? new Agent({ allowH2: true, connections: 1, pipelining: CONNECTIONS, connect })
    : new Agent({ connections: CONNECTIONS, connect })
}

/** `total` requests over the agent's connections, each a 200 whose body is read. */
export async function drive (agent: Agent, url: string, total: number): Promise<void> {
  let sent = 0
  const one = async (): Promise<void> => {
    while (sent < total) {
      sent++
      const res = await request(url, { dispatcher: agent })
      await res.body.dump()
      if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`)
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, one))
}
