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
// With --cache-sim, callgrind also simulates the first-level caches and the branch predictor, and the
// report adds each subject's misses and mispredictions per request: where two subjects execute about as
// many instructions but take different times, these say why. They are given for each subject's round with
// the fewest instructions, the one least touched by what runs by the clock (about twice as much per
// request again under the simulation); every round's are in the --out file.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { makeBenchCertificate } from './lib/bench-certificate.ts'
import { callgrindMissing, callgrindPrefix, dumpEvents, zeroCounters } from './lib/callgrind.ts'
import type { BenchGateway } from './lib/gateway.ts'
import {
  FLOOR_SCENARIOS, GATEWAY_SCENARIOS, RATIO_PAIRS, drive, gatewaySubject, startFloor, startGateway, startUpstream, subjectAgent,
  type ToolSubject
} from './lib/tool-subjects.ts'
import { needsCertificate } from './lib/environment.ts'
import { median } from './lib/summarize.ts'
import { TOOL_ARGS, commonToolOptions, toolOptions, type ToolOptions } from './lib/tool-options.ts'

const USAGE = `Usage: npm run bench:instructions -- [options]
  --only a,b      scenarios (floor-tls,floor-tls-kong,tls); any of ${[...FLOOR_SCENARIOS, ...GATEWAY_SCENARIOS].join(', ')}
  --warmup N      requests before the first count (15000)
  --requests N    requests per counted round (5000)
  --rounds N      counted rounds per scenario: each, their median and the lowest are reported (3)
  --cache-sim     also count first-level cache misses and mispredicted branches (about twice as slow)
  --out FILE      also write the figures as JSON
Needs valgrind (callgrind, callgrind_control). One scenario takes a few minutes.`

/** valgrind runs a process some 50 times slower: starting one takes a minute or more */
const START_UNDER_VALGRIND_MS = 600_000
/** callgrind's names of the cache simulation's misses and mispredictions, in the report's order */
const MISS_EVENTS = ['I1mr', 'D1mr', 'D1mw', 'Bcm', 'Bim'] as const
type MissEvent = typeof MISS_EVENTS[number]

interface Options extends ToolOptions {
  readonly cacheSim: boolean
}

export interface Counted {
  readonly name: string
  /** instructions per request of each counted round */
  readonly rounds: number[]
  readonly median: number
  readonly lowest: number
  /** --cache-sim: per request, each round's count of each miss event; null without it */
  readonly misses: Readonly<Record<MissEvent, readonly number[]>> | null
}

function parse (argv: readonly string[]): Options | null {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...TOOL_ARGS, 'cache-sim': { type: 'boolean' } }
  })
  if (values.help === true) return null
  return {
    ...commonToolOptions(values, USAGE, { warmup: 15_000, requests: 5_000, rounds: 3 }),
    cacheSim: values['cache-sim'] === true
  }
}

async function countScenario (subject: ToolSubject, dir: string, options: Options): Promise<Counted> {
  const name = subject.name
  const agent = subjectAgent(subject)
  try {
    await drive(agent, subject.url, options.warmup)
    const rounds: number[] = []
    const missRounds = new Map<MissEvent, number[]>(MISS_EVENTS.map((event) => [event, []]))
    for (let round = 0; round < options.rounds; round++) {
      zeroCounters(subject.pid)
      await drive(agent, subject.url, options.requests)
      const events = await dumpEvents(subject.pid, dir)
      rounds.push(Math.round(events.Ir / options.requests))
      for (const [event, counts] of missRounds) counts.push(Math.round((events[event] ?? 0) / options.requests))
      process.stderr.write(`${name}: round ${round + 1}: ${rounds[round].toLocaleString('en')} instructions/request\n`)
    }
    const misses = options.cacheSim ? Object.fromEntries(missRounds) as Record<MissEvent, number[]> : null
    return { name, rounds, median: Math.round(median(rounds)), lowest: Math.min(...rounds), misses }
  } finally {
    await agent.close()
  }
}

export function report (counted: readonly Counted[], options: Pick<Options, 'rounds' | 'requests' | 'warmup' | 'cacheSim'>): string {
  const figure = (n: number): string => n.toLocaleString('en')
  const lines = [
    `instructions per request (callgrind; ${options.rounds} rounds of ${options.requests} requests after ${options.warmup} to warm up)`,
    '',
    '| scenario | median | lowest | rounds |',
    '|---|--:|--:|---|',
    ...counted.map((c) => `| ${c.name} | ${figure(c.median)} | ${figure(c.lowest)} | ${c.rounds.map(figure).join(', ')} |`)
  ]
  const pairs = RATIO_PAIRS.flatMap(([subject, floor]) => {
    const a = counted.find((c) => c.name === subject)
    const b = counted.find((c) => c.name === floor)
    return a === undefined || b === undefined ? [] : [`| ${subject} / ${floor} | ${(b.median / a.median).toFixed(3)} | ${(b.lowest / a.lowest).toFixed(3)} |`]
  })
  if (pairs.length > 0) lines.push('', '| ratio (floor ÷ subject instructions) | of medians | of lowest rounds |', '|---|--:|--:|', ...pairs)
  if (options.cacheSim) {
    lines.push('', 'per request, in each subject\'s round with the fewest instructions (callgrind --cache-sim=yes --branch-sim=yes: first-level caches and branch predictor as simulated)',
      '', '| scenario | instructions | I1 misses | D1 read misses | D1 write misses | mispredicted conditional branches | mispredicted indirect branches |',
      '|---|--:|--:|--:|--:|--:|--:|',
      ...counted.map((c) => {
        const lowest = c.rounds.indexOf(c.lowest)
        return `| ${c.name} | ${figure(c.lowest)} | ${MISS_EVENTS.map((event) => figure(c.misses![event][lowest])).join(' | ')} |`
      }))
  }
  return lines.join('\n') + '\n'
}

async function main (): Promise<void> {
  const options = toolOptions('bench:instructions', USAGE, parse)
  if (options === null) return
  const missing = callgrindMissing()
  if (missing !== null) {
    process.stderr.write(`bench:instructions: ${missing}\n`)
    process.exitCode = 2
    return
  }
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-callgrind-'))
  const prefix = callgrindPrefix(dir, options.cacheSim)
  const certificate = needsCertificate(options.only) ? await makeBenchCertificate() : null
  const upstream = await startUpstream(null)
  const start = { upstreamUrl: upstream.info.url as string, certificate, cpus: null, prefix, startTimeoutMs: START_UNDER_VALGRIND_MS }
  let gateway: BenchGateway | null = null
  const counted: Counted[] = []
  try {
    // one subject under valgrind at a time: a floor stops once counted, the gateway serves all its scenarios
    for (const scenario of options.only) {
      if (FLOOR_SCENARIOS.has(scenario.name)) {
        const floor = await startFloor(scenario, start)
        try {
          counted.push(await countScenario(floor.subject, dir, options))
        } finally {
          await floor.child.stop()
        }
        continue
      }
      if (gateway === null) {
        process.stderr.write('starting the gateway under valgrind (a minute or more)\n')
        gateway = await startGateway(options.only, start)
      }
      counted.push(await countScenario(gatewaySubject(gateway, scenario), dir, options))
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

// run as the tool, not when a test imports its report
if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
