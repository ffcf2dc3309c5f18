// The markdown summary printed on stdout (and pasted into bench/README.md): one table per mode, the
// ratios measured in this run, and the targets.

import type { BenchResults, Mode, Ratio, ScenarioResult } from './results-types.ts'

const MODE_TITLE: Record<Mode, string> = { saturation: 'Saturation', fixed: 'Fixed rate' }

export function markdownReport (results: BenchResults): string {
  const o = results.options
  const lines = [
    `# Tollgate bench — ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `commit ${results.commit.sha?.slice(0, 12) ?? 'unknown'}${results.commit.dirty === true ? ' (with uncommitted changes)' : ''} · ` +
      `${results.machine.cpus} × ${results.machine.cpuModel} · ${results.machine.memoryGiB} GiB · node ${results.machine.node}`,
    `pinning: ${results.pinning.note}`,
    loadLine(results),
    `${o.runs} run(s) × ${o.durationS} s (+${o.warmupS} s warm-up) per scenario and mode, ${o.connections} connections, median reported` +
      (results.fixedRate === null ? '' : `; fixed rate ${results.fixedRate} req/s`),
    ''
  ]
  for (const mode of ['saturation', 'fixed'] as const) {
    const rows = results.scenarios.filter((s) => s.mode === mode)
    if (rows.length === 0) continue
    lines.push(`## ${MODE_TITLE[mode]}`, '', ...table(rows, results), '')
  }
  const ratios = results.ratios.filter((r) => !r.name.endsWith('/ direct') && r.value !== null)
  if (ratios.length > 0) {
    lines.push('## Ratios (same run)', '',
      '| ratio | req/s, saturation | req/s, fixed rate | by CPU µs/req, saturation | by CPU µs/req, fixed rate |', '|---|---:|---:|---:|---:|')
    for (const name of [...new Set(ratios.map((r) => r.name))]) {
      const one = (mode: Mode): Ratio | undefined => results.ratios.find((r) => r.name === name && r.mode === mode)
      const rps = (mode: Mode): string => fmt(one(mode)?.value ?? null, 3)
      const cpu = (mode: Mode): string => fmt(one(mode)?.cpu ?? null, 3)
      lines.push(`| ${name} | ${rps('saturation')} | ${rps('fixed')} | ${cpu('saturation')} | ${cpu('fixed')} |`)
    }
    lines.push('', 'req/s: top ÷ bottom. By CPU µs/req: the bottom\'s subject CPU time per request ÷ the top\'s, so it reads the same way ' +
      '(0.90: the top spends 1/0.90 = 1.11 × the CPU per request); at the fixed rate both answer the same req/s, so this is the ratio to read there.', '')
  }
  lines.push('## Targets', '', '| target | measured | met |', '|---|---|:-:|')
  for (const t of results.targets) lines.push(`| ${t.goal} | ${t.note} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`)
  const broken = results.scenarios.filter((s) => s.status !== 'ok')
  if (broken.length > 0) {
    lines.push('', '## Not ok', '')
    for (const s of broken) lines.push(`- ${s.name} (${s.mode}): ${s.status}: ${s.reason ?? ''}`)
  }
  return lines.join('\n') + '\n'
}

function table (rows: readonly ScenarioResult[], results: BenchResults): string[] {
  const out = [
    '| scenario | workers | req/s | × direct | client p50 / p99 / p99.9 ms | X-Kong-Proxy-Latency p99 ms | gateway µs p50 / p99 | loop delay p99 ms | IdP calls/s | CPU subject / load | subject CPU µs/req | status |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|'
  ]
  for (const s of rows) {
    const m = s.median
    const direct = results.ratios.find((r) => r.name === `${s.name} / direct` && r.mode === s.mode)?.value ?? null
    const client = m?.clientMs ?? null
    const rate = s.mode === 'fixed' && s.rate !== null ? ` @${s.rate}/s` : ''
    out.push([
      `${s.name}${rate}`,
      s.workers ?? '–',
      m === null ? '–' : m.rps.toLocaleString('en-US'),
      s.name === 'direct' ? '1' : fmt(direct, 3),
      client === null ? '–' : `${fmt(client.p50, 2)} / ${fmt(client.p99, 2)} / ${fmt(client.p99_9, 2)}`,
      fmt(m?.kongProxyMs?.p99 ?? null, 0),
      m?.proxyUs === null || m?.proxyUs === undefined ? '–' : `${m.proxyUs.p50} / ${m.proxyUs.p99}`,
      fmt(m?.workerDelayP99Ms ?? null, 2),
      fmt(m?.idpCallsPerS ?? null, 0),
      m === null ? '–' : `${fmt(m.cpu.subject ?? null, 2)} / ${fmt(m.cpu.load ?? null, 2)}`,
      fmt(m?.subjectCpuUsPerRequest ?? null, 1),
      s.status === 'ok' ? (m?.endedEarly === true ? 'ok (ended early)' : 'ok') : `**${s.status}**`
    ].join(' | ').replace(/^/, '| ').concat(' |'))
  }
  return out
}

export function fmt (value: number | null, digits: number): string {
  return value === null ? '–' : value.toFixed(digits)
}

// Pinning keeps the suite's own processes apart; it cannot keep other work off a shared machine.
function loadLine (results: BenchResults): string {
  // files written before the load average was recorded have none
  if ((results.loadAverage as BenchResults['loadAverage'] | undefined) === undefined) return 'load average: not recorded'
  const runs = results.scenarios.flatMap((s) => s.runs.map((r) => r.loadAverage)).filter((v) => typeof v === 'number')
  const peak = runs.length === 0 ? results.loadAverage.end : Math.max(...runs)
  const busy = peak > results.machine.cpus ? ' — above the CPU count: other processes shared these CPUs, so only same-run ratios mean much' : ''
  return `load average (1 min): ${results.loadAverage.start} at start, up to ${peak} during the runs${busy}`
}
