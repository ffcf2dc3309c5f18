// `npm run bench:instructions -- [--only a,b] [--warmup N] [--requests N] [--rounds N] [--out FILE]`:
// instructions per request of the scenarios the suite compares with a floor (`proxy`, `tls`, `h2`, and
// the floors themselves), each subject counted by callgrind (bench/lib/callgrind.ts). It complements the
// suite's req/s ratios, which on a shared 2-core VM move by several per cent from round to round with
// what the neighbours do: this count does not depend on the CPU's speed, so it can say where a ratio's gap
// comes from (Tollgate's own work, or the headers every Kong-compatible proxy writes). It is not time, so
// it does not replace them.
//
// The subjects are the suite's own: bench/procs/floor.ts with the suite's arguments, and the gateway with
// the suite's config (environment.ts gatewayConfig and tlsSettings, 1 worker), against the suite's
// upstream and certificate. One subject runs under valgrind at a time, unpinned. Each is first warmed
// (under valgrind V8 takes its time to optimise: the count falls for about 15,000 requests), then
// measured `rounds` times over `requests` requests. The client is undici in this process, keep-alive, 10
// connections (HTTP/2: one connection, 10 streams in flight), as the suite's requests: a GET without a
// body or credentials. Ratios are written floor / subject, the way round the suite's req/s ratios are, so
// 0.9 means the subject executes 1/0.9 times the floor's instructions.
// Under valgrind a process runs some 50 times slower, so whatever it does by the clock (timers, V8's
// time-driven collections) weighs some 50 times more per request than at full speed. The gateway runs
// without the suite's event-loop probe, whose 1 ms timers in every thread would otherwise add more
// than Tollgate's whole request path; and a round can still catch a burst of such work that the next one
// does not. So both the median and the lowest round are given, and a ratio for each.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent, request } from 'undici'
import { makeBenchCertificate } from './lib/bench-certificate.ts'
import { callgrindMissing, callgrindPrefix, dumpInstructions, zeroCounters } from './lib/callgrind.ts'
import { BenchChild } from './lib/child.ts'
import { floorArgs, gatewayConfig, tlsSettings, type FloorTarget } from './lib/environment.ts'
import { BenchGateway } from './lib/gateway.ts'
import { listenerUrl } from './lib/measure.ts'
import { SCENARIOS, type Scenario } from './lib/scenarios.ts'

const FLOORS = new Set(['floor', 'floor-kong', 'floor-tls', 'floor-tls-kong', 'floor-h2', 'floor-h2-kong'])
const GATEWAY = new Set(['proxy', 'tls', 'h2'])
const USAGE = `Usage: npm run bench:instructions -- [options]
  --only a,b      scenarios (floor-tls,floor-tls-kong,tls); any of ${[...FLOORS, ...GATEWAY].join(', ')}
  --warmup N      requests before the first count (15000)
  --requests N    requests per counted round (5000)
  --rounds N      counted rounds per scenario: each, their median and the lowest are reported (3)
  --out FILE      also write the figures as JSON
Needs valgrind (callgrind, callgrind_control). One scenario takes a few minutes.`

/** [subject, floor]: the suite's targets, and what Kong's headers cost a floor */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['proxy', 'floor'], ['proxy', 'floor-kong'], ['floor-kong', 'floor'],
  ['tls', 'floor-tls'], ['tls', 'floor-tls-kong'], ['floor-tls-kong', 'floor-tls'],
  ['h2', 'floor-h2'], ['h2', 'floor-h2-kong'], ['floor-h2-kong', 'floor-h2']
]
const CONNECTIONS = 10
/** valgrind runs a process some 50 times slower: starting one takes a minute or more */
const START_UNDER_VALGRIND_MS = 600_000
const PROC = (name: string): URL => new URL(`./procs/${name}.ts`, import.meta.url)

interface Options {
  readonly only: readonly Scenario[]
  readonly warmup: number
  readonly requests: number
  readonly rounds: number
  readonly out: string | null
}

interface Counted {
  readonly name: string
  /** instructions per request of each counted round */
  readonly rounds: number[]
  readonly median: number
  readonly lowest: number
}

/** A process under callgrind serving one scenario's URL. */
interface Subject {
  readonly pid: number
  readonly url: string
  readonly h2: boolean
}

function parse (argv: readonly string[]): Options | null {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      warmup: { type: 'string' },
      requests: { type: 'string' },
      rounds: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' }
    }
  })
  if (values.help === true) return null
  const names = (values.only ?? 'floor-tls,floor-tls-kong,tls').split(',').map((name) => name.trim()).filter((name) => name !== '')
  const only = names.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name)
    if (scenario === undefined || !(FLOORS.has(name) || GATEWAY.has(name))) throw new Error(`--only: ${name} is not a scenario counted here\n${USAGE}`)
    return scenario
  })
  return {
    only,
    warmup: count('--warmup', values.warmup, 15_000, 0),
    requests: count('--requests', values.requests, 5_000, 1),
    rounds: count('--rounds', values.rounds, 3, 1),
    out: values.out ?? null
  }
}

function count (flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer of at least ${min}, not ${value}`)
  return n
}

/** `total` requests over CONNECTIONS keep-alive connections (HTTP/2: one, with as many streams), each a 200. */
async function drive (agent: Agent, url: string, total: number): Promise<void> {
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

async function countScenario (name: string, subject: Subject, dir: string, options: Options): Promise<Counted> {
  const agent = subject.h2
    ? new Agent({ allowH2: true, connections: 1, pipelining: CONNECTIONS, connect: { rejectUnauthorized: false } })
    : new Agent({ connections: CONNECTIONS, connect: { rejectUnauthorized: false } })
  try {
    await drive(agent, subject.url, options.warmup)
    const rounds: number[] = []
    for (let round = 0; round < options.rounds; round++) {
      zeroCounters(subject.pid)
      await drive(agent, subject.url, options.requests)
      rounds.push(Math.round(await dumpInstructions(subject.pid, dir) / options.requests))
      process.stderr.write(`${name}: round ${round + 1}: ${rounds[round].toLocaleString('en')} instructions/request\n`)
    }
    const sorted = [...rounds].sort((a, b) => a - b)
    const middle = sorted.length >> 1
    const median = sorted.length % 2 === 1 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2)
    return { name, rounds, median, lowest: sorted[0] }
  } finally {
    await agent.close()
  }
}

function report (counted: readonly Counted[], options: Options): string {
  const figure = (n: number): string => n.toLocaleString('en')
  const lines = [
    `instructions per request (callgrind; ${options.rounds} rounds of ${options.requests} requests after ${options.warmup} to warm up)`,
    '',
    '| scenario | median | lowest | rounds |',
    '|---|--:|--:|---|',
    ...counted.map((c) => `| ${c.name} | ${figure(c.median)} | ${figure(c.lowest)} | ${c.rounds.map(figure).join(', ')} |`)
  ]
  const pairs = PAIRS.flatMap(([subject, floor]) => {
    const a = counted.find((c) => c.name === subject)
    const b = counted.find((c) => c.name === floor)
    return a === undefined || b === undefined ? [] : [`| ${subject} / ${floor} | ${(b.median / a.median).toFixed(3)} | ${(b.lowest / a.lowest).toFixed(3)} |`]
  })
  if (pairs.length > 0) lines.push('', '| ratio (floor ÷ subject instructions) | of medians | of lowest rounds |', '|---|--:|--:|', ...pairs)
  return lines.join('\n') + '\n'
}

async function main (): Promise<void> {
  let options: Options | null
  try {
    options = parse(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`bench:instructions: ${(err as Error).message}\n`)
    process.exitCode = 2
    return
  }
  if (options === null) {
    process.stdout.write(USAGE + '\n')
    return
  }
  const missing = callgrindMissing()
  if (missing !== null) {
    process.stderr.write(`bench:instructions: ${missing}\n`)
    process.exitCode = 2
    return
  }
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-callgrind-'))
  const prefix = callgrindPrefix(dir)
  const tls = options.only.some((s) => s.listener !== undefined || s.name.startsWith('floor-tls') || s.name.startsWith('floor-h2'))
  const certificate = tls ? await makeBenchCertificate() : null
  const upstream = await BenchChild.start('upstream', PROC('upstream'), { cpus: null })
  const upstreamUrl = upstream.info.url as string
  let gateway: BenchGateway | null = null
  const counted: Counted[] = []
  try {
    for (const scenario of options.only) {
      if (FLOORS.has(scenario.name)) {
        const floor = await BenchChild.start(scenario.name, PROC('floor'), {
          cpus: null, args: floorArgs(scenario.target as FloorTarget, upstreamUrl, certificate), prefix, readyTimeoutMs: START_UNDER_VALGRIND_MS
        })
        try {
          const subject = { pid: floor.pid, url: (floor.info.url as string) + scenario.path, h2: scenario.driver === 'h2' }
          counted.push(await countScenario(scenario.name, subject, dir, options))
        } finally {
          await floor.stop()
        }
        continue
      }
      if (gateway === null) {
        const routes = options.only.filter((s) => GATEWAY.has(s.name)).map((s) => ({ name: s.name, plugins: [] }))
        process.stderr.write('starting the gateway under valgrind (a minute or more)\n')
        gateway = await BenchGateway.start({
          name: 'gateway',
          cpus: null,
          cpuProfDir: null,
          config: { ...gatewayConfig(1, upstreamUrl, routes, 64), ...(certificate === null ? {} : tlsSettings(certificate)) },
          prefix,
          startTimeoutMs: START_UNDER_VALGRIND_MS,
          probe: false
        })
      }
      const subject = { pid: gateway.child.pid!, url: listenerUrl(gateway, scenario) + scenario.path, h2: scenario.listener === 'h2' }
      counted.push(await countScenario(scenario.name, subject, dir, options))
    }
  } finally {
    await gateway?.stop()
    await upstream.stop()
    await certificate?.remove()
    await rm(dir, { recursive: true, force: true })
  }
  process.stdout.write(report(counted, options))
  if (options.out !== null) await writeFile(options.out, JSON.stringify({ options: { ...options, only: options.only.map((s) => s.name) }, counted }, null, 2) + '\n')
}

await main()
