// `npm run bench:cpu -- [--only a,b] [--warmup N] [--requests N] [--rounds N] [--out FILE]`: CPU time per
// request of the scenarios the suite compares with a floor (`proxy`, `tls`, `h2`, and the floors), measured
// in alternating rounds. The suite's req/s at saturation needs the subject to own its core; on a shared
// 2-core VM a neighbour takes some of it in one run and not the next, and the TLS load generator, which
// shares the other core with the upstream, may set the pace before the subject does. This tool asks
// something steadier: how much CPU each subject spends per request, all its threads (user and kernel), over
// the same requests.
//
// Every subject runs at once, pinned to the subject's core of the suite's plan (cpu-plan.ts), the upstream
// and this process on the other: the same processes and configs as bench:instructions
// (lib/tool-subjects.ts). After a warm-up, each round sends `requests` requests to each subject in turn,
// in the opposite order every other round, so the two sides of a ratio are measured seconds apart and a
// neighbour's burst lands on both in turn. A subject's CPU time is what its threads ran meanwhile
// (lib/cpu-time.ts threadsCpuNanoseconds). A neighbour can only add time, so the lowest rounds are the
// steadiest figure; the report gives the lowest, the first quartile and the median, and each ratio
// (floor ÷ subject: 0.9 means the subject spends 1/0.9 times the floor's CPU per request) of the lowest
// rounds and as the median of the per-round ratios.

import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Agent } from 'undici'
import { makeBenchCertificate } from './lib/bench-certificate.ts'
import { BenchChild } from './lib/child.ts'
import { planCpus, repin } from './lib/cpu-plan.ts'
import { threadsCpuNanoseconds } from './lib/cpu-time.ts'
import type { BenchGateway } from './lib/gateway.ts'
import {
  FLOOR_SCENARIOS, GATEWAY_SCENARIOS, RATIO_PAIRS, drive, gatewaySubject, startFloor, startGateway, startUpstream, subjectAgent,
  type ToolSubject
} from './lib/tool-subjects.ts'
import { needsCertificate } from './lib/environment.ts'
import { median } from './lib/summarize.ts'
import { TOOL_ARGS, commonToolOptions, toolOptions, type ToolOptions } from './lib/tool-options.ts'

const USAGE = `Usage: npm run bench:cpu -- [options]
  --only a,b      scenarios (floor-tls,floor-tls-kong,tls); any of ${[...FLOOR_SCENARIOS, ...GATEWAY_SCENARIOS].join(', ')}
  --warmup N      requests to each subject before the first round (20000)
  --requests N    requests to each subject per round (4000)
  --rounds N      rounds (25)
  --out FILE      also write the figures as JSON
Linux only (reads /proc). 25 rounds of three subjects take about a minute.`

type Options = ToolOptions

interface Measured {
  readonly name: string
  /** CPU µs per request of each round */
  readonly rounds: number[]
}

function parse (argv: readonly string[]): Options | null {
  const { values } = parseArgs({
    args: [...argv],
    options: TOOL_ARGS
  })
  if (values.help === true) return null
  return commonToolOptions(values, USAGE, { warmup: 20_000, requests: 4_000, rounds: 25 })
}

/** One round of one subject: CPU µs per request. */
async function round (subject: ToolSubject, agent: Agent, requests: number): Promise<number> {
  const before = threadsCpuNanoseconds(subject.pid)
  await drive(agent, subject.url, requests)
  const after = threadsCpuNanoseconds(subject.pid)
  if (before === null || after === null) throw new Error(`cannot read the CPU time of ${subject.name} (pid ${subject.pid}) from /proc`)
  return (after - before) / 1000 / requests
}

/** the value at quantile q of the sorted values (nearest rank) */
function quantile (values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

export function report (measured: readonly Measured[], options: Pick<Options, 'rounds' | 'requests' | 'warmup'>): string {
  const micros = (n: number): string => n.toFixed(1)
  const lines = [
    `CPU µs per request, all threads (${options.rounds} alternating rounds of ${options.requests} requests each, after ${options.warmup} to warm up)`,
    '',
    '| scenario | lowest | first quartile | median |',
    '|---|--:|--:|--:|',
    ...measured.map((m) => `| ${m.name} | ${micros(Math.min(...m.rounds))} | ${micros(quantile(m.rounds, 0.25))} | ${micros(median(m.rounds))} |`)
  ]
  const pairs = RATIO_PAIRS.flatMap(([subject, floor]) => {
    const a = measured.find((m) => m.name === subject)
    const b = measured.find((m) => m.name === floor)
    if (a === undefined || b === undefined) return []
    const perRound = a.rounds.map((value, i) => b.rounds[i] / value)
    return [`| ${subject} / ${floor} | ${(Math.min(...b.rounds) / Math.min(...a.rounds)).toFixed(3)} | ${median(perRound).toFixed(3)} |`]
  })
  if (pairs.length > 0) lines.push('', '| ratio (floor ÷ subject CPU per request) | of the lowest rounds | median of the rounds\' ratios |', '|---|--:|--:|', ...pairs)
  return lines.join('\n') + '\n'
}

async function main (): Promise<void> {
  const options = toolOptions('bench:cpu', USAGE, parse)
  if (options === null) return
  if (threadsCpuNanoseconds(process.pid) === null) {
    process.stderr.write('bench:cpu: /proc/<pid>/task/<tid>/schedstat is not readable here (Linux only)\n')
    process.exitCode = 2
    return
  }
  const plan = planCpus()
  // this process is the load generator: its core is not the subjects'
  if (plan.load !== null) repin(process.pid, plan.load)
  process.stderr.write(`pinning: ${plan.note}\n`)
  const certificate = needsCertificate(options.only) ? await makeBenchCertificate() : null
  const upstream = await startUpstream(plan.support)
  const start = { upstreamUrl: upstream.info.url as string, certificate, cpus: plan.subject(1) }
  const floors: BenchChild[] = []
  let gateway: BenchGateway | null = null
  const subjects: Array<{ readonly subject: ToolSubject, readonly agent: Agent, readonly rounds: number[] }> = []
  try {
    for (const scenario of options.only) {
      let subject
      if (FLOOR_SCENARIOS.has(scenario.name)) {
        const floor = await startFloor(scenario, start)
        floors.push(floor.child)
        subject = floor.subject
      } else {
        gateway ??= await startGateway(options.only, start)
        subject = gatewaySubject(gateway, scenario)
      }
      const agent = subjectAgent(subject)
      await drive(agent, subject.url, options.warmup)
      subjects.push({ subject, agent, rounds: [] })
    }
    for (let r = 0; r < options.rounds; r++) {
      for (const s of r % 2 === 0 ? subjects : [...subjects].reverse()) s.rounds.push(await round(s.subject, s.agent, options.requests))
      process.stderr.write(`round ${r + 1}: ${subjects.map((s) => `${s.subject.name} ${s.rounds[r].toFixed(1)}`).join(', ')} µs/request\n`)
    }
  } finally {
    for (const s of subjects) await s.agent.close()
    await gateway?.stop()
    for (const floor of floors) await floor.stop()
    await upstream.stop()
    await certificate?.remove()
  }
  const measured = subjects.map((s) => ({ name: s.subject.name, rounds: s.rounds }))
  process.stdout.write(report(measured, options))
  if (options.out !== null) {
    const json = { options: { ...options, only: options.only.map((s) => s.name) }, pinning: plan.note, measured }
    await writeFile(options.out, JSON.stringify(json, null, 2) + '\n')
  }
}

// run as the tool, not when a test imports its report
if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
