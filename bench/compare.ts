// `npm run bench:compare -- <old.json> <new.json>`: the change per scenario and mode between two results
// files, flagging every move over 5%. Absolute req/s only compare on the same machine under the same
// conditions; the ratio to `direct` (measured within each run) is the figure that travels, so it is
// shown and flagged too.

import { readFile } from 'node:fs/promises'
import type { BenchResults, ScenarioResult } from './lib/results-types.ts'

const THRESHOLD = 0.05

interface Figure {
  readonly label: string
  readonly value: (r: ScenarioResult, all: BenchResults) => number | null
  /** true when a larger value is better */
  readonly higherIsBetter: boolean
}

const FIGURES: readonly Figure[] = [
  { label: 'req/s', value: (r) => r.median?.rps ?? null, higherIsBetter: true },
  { label: '× direct', value: (r, all) => r.name === 'direct' ? null : all.ratios.find((x) => x.name === `${r.name} / direct` && x.mode === r.mode)?.value ?? null, higherIsBetter: true },
  { label: 'client p99 ms', value: (r) => r.median?.clientMs?.p99 ?? null, higherIsBetter: false },
  { label: 'gateway p99 µs', value: (r) => r.median?.proxyUs?.p99 ?? null, higherIsBetter: false },
  { label: 'subject CPU µs/req', value: (r) => r.median?.subjectCpuUsPerRequest ?? null, higherIsBetter: false }
]

const [oldFile, newFile] = process.argv.slice(2)
if (oldFile === undefined || newFile === undefined) {
  process.stderr.write('Usage: npm run bench:compare -- <old.json> <new.json>\n')
  process.exit(2)
}
const before = JSON.parse(await readFile(oldFile, 'utf8')) as BenchResults
const after = JSON.parse(await readFile(newFile, 'utf8')) as BenchResults

const describe = (r: BenchResults): string => `${r.commit.sha?.slice(0, 12) ?? '?'}${r.commit.dirty === true ? '+dirty' : ''} ${r.startedAt}`
const lines = [`old: ${describe(before)}`, `new: ${describe(after)}`]
if (before.machine.cpuModel !== after.machine.cpuModel || before.machine.cpus !== after.machine.cpus || before.pinning.note !== after.pinning.note) {
  lines.push('warning: different machine or CPU pinning; only the ratios (× direct) are comparable')
}
lines.push('', `| scenario | mode | ${FIGURES.map((f) => f.label).join(' | ')} | flag |`, `|---|---|${FIGURES.map(() => '--:|').join('')}---|`)
let flagged = 0
for (const next of after.scenarios) {
  const prev = before.scenarios.find((s) => s.name === next.name && s.mode === next.mode)
  if (prev === undefined || prev.median === null || next.median === null) {
    lines.push(`| ${next.name} | ${next.mode} | ${FIGURES.map(() => '–').join(' | ')} | ${prev === undefined ? 'new' : 'not comparable'} |`)
    continue
  }
  const flags: string[] = []
  const cells = FIGURES.map((f) => {
    const a = f.value(prev, before)
    const b = f.value(next, after)
    if (a === null || b === null || a === 0) return '–'
    const change = b / a - 1
    if (Math.abs(change) > THRESHOLD) flags.push(`${f.label} ${(change > 0) === f.higherIsBetter ? 'better' : 'WORSE'}`)
    return `${a} → ${b} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%)`
  })
  if (flags.length > 0) flagged++
  lines.push(`| ${next.name} | ${next.mode} | ${cells.join(' | ')} | ${flags.length === 0 ? '' : `**${flags.join(', ')}**`} |`)
}
lines.push('', flagged === 0 ? 'no move over 5%' : `${flagged} scenario/mode pair(s) moved more than 5%`)
process.stdout.write(lines.join('\n') + '\n')
