// `npm run bench:hostile [-- options]`: the hostile-client scenario (bench/README.md, "Hostile clients").
// For each attack a fresh gateway, normal paced traffic beside the attack, and what the attack cost:
// peak RSS, worker heap, worker event-loop delay, the normal traffic's latency and errors. Writes
// bench/results/<time>-<commit>-hostile[-quick].json and prints the table on stdout (progress on stderr).
// It is a separate entry point, not a scenario of bench/run.ts: those share one set of processes over
// saturation and fixed-rate runs and fail on any non-2xx answer, while every attack here needs its own
// gateway and config and is expected to draw errors. Exits 1 when an attack could not be run or measured
// (a gateway that dies under an attack is a result, reported as such, and also exits 1).

import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { planCpus } from './lib/cpu-plan.ts'
import { commitInfo, machineInfo } from './lib/machine.ts'
import { ATTACKS } from './lib/hostile/attacks.ts'
import { startHostileEnv } from './lib/hostile/hostile-env.ts'
import { parseHostileOptions, USAGE } from './lib/hostile/options.ts'
import { hostileReport } from './lib/hostile/report.ts'
import { HOSTILE_SCHEMA, type AttackResult, type HostileResults } from './lib/hostile/results.ts'
import { runAttack } from './lib/hostile/run-attack.ts'

const options = parseHostileOptions(process.argv.slice(2))
if (options === null) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}

const log = (line: string): void => { process.stderr.write(`${line}\n`) }
const startedAt = new Date().toISOString()
const attacks = ATTACKS.filter((a) => options.only === null || options.only.includes(a.name))
const plan = planCpus()
log(`CPU pinning: ${plan.note}`)
const env = await startHostileEnv(plan, options, attacks.some((a) => a.dripRoute))
const measured: AttackResult[] = []
try {
  for (const attack of attacks) {
    log(`${attack.letter}. ${attack.name}: ${attack.what}`)
    const result = await runAttack(env, attack, options)
    log(`   ${result.status}${result.failure === null ? '' : `: ${result.failure}`}; answers ${JSON.stringify(result.outcome?.statuses ?? {})}, ` +
      `peak RSS +${result.memory?.peakIncreaseMiB ?? '?'} MiB`)
    measured.push(result)
  }
} finally {
  await env.close()
}

const results: HostileResults = {
  schema: HOSTILE_SCHEMA,
  startedAt,
  finishedAt: new Date().toISOString(),
  commit: commitInfo(),
  machine: machineInfo(),
  pinning: plan.note,
  options,
  attacks: measured
}
await mkdir(options.outDir, { recursive: true })
const stamp = startedAt.replace(/[:.]/g, '-').slice(0, 19)
const file = join(options.outDir, `${stamp}-${results.commit.sha?.slice(0, 8) ?? 'nogit'}-hostile${options.quick ? '-quick' : ''}.json`)
await writeFile(file, JSON.stringify(results, null, 1))
process.stdout.write(hostileReport(results))
log(`results: ${file}`)
process.exit(measured.some((a) => a.status !== 'ok') ? 1 : 0)
