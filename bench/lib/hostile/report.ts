// The hostile scenario's terminal table: one row per attack, the columns bench/README.md describes
// ("Hostile clients").

import type { AttackResult, HostileResults, TrafficResult } from './results.ts'

export function hostileReport (results: HostileResults): string {
  const sha = results.commit.sha?.slice(0, 12) ?? 'no git'
  const lines = [
    `## Hostile clients${results.options.quick ? ' (quick)' : ''}`,
    '',
    `commit ${sha}${results.commit.dirty === true ? ' (with uncommitted changes)' : ''} · ${results.machine.cpus} × ${results.machine.cpuModel} · node ${results.machine.node}`,
    `pinning: ${results.pinning}`,
    `normal traffic: ${results.options.rate} req/s on /proxy and on /oidc (cached token), ${results.options.connections} connections each; ` +
      `${results.options.workers} gateway worker(s); attacks stop after ${results.options.attackTimeoutS} s`,
    '',
    '| attack | answers (status × n) | connections ended | peak RSS Δ MiB | worker heap Δ MiB (after GC) | worker loop delay p99 / max ms | /proxy p99 / max ms, errors | /oidc p99 / max ms, errors | IdP token reqs | upstream saw | status |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|---|---|',
    ...results.attacks.map(row),
    '',
    ...results.attacks.flatMap(notes),
    ''
  ]
  return lines.join('\n')
}

function row (a: AttackResult): string {
  const o = a.outcome
  const cells = [
    `${a.letter}. ${a.name}`,
    o === null ? '–' : `${counts(o.statuses)} (${o.requests} in ${seconds(o.ms)}${o.stoppedAtLimit ? ', stopped at the time limit' : ''})`,
    o === null ? '–' : counts(o.ends),
    a.memory?.peakIncreaseMiB === null || a.memory === null ? '–' : `${fixed(a.memory.peakIncreaseMiB)}${a.memory.peakReset ? '' : ' (no reset)'}`,
    a.workers.length === 0 ? '–' : a.workers.map(heapDelta).join(' · '),
    a.workers.length === 0 ? '–' : a.workers.map((w) => `${fixed(w.delayP99Ms)} / ${fixed(w.delayMaxMs)}`).join(' · '),
    ...a.traffic.map(traffic),
    a.idpTokenRequests === null ? '–' : String(a.idpTokenRequests),
    Object.keys(a.upstreamSaw).length === 0 ? 'none' : `${sum(a.upstreamSaw)} (${Object.keys(a.upstreamSaw)[0].split(' ')[0]})`,
    a.status === 'ok' ? (a.gatewayAlive ? 'ok' : 'gateway died') : `**${a.status}**`
  ]
  return `| ${cells.join(' | ')} |`
}

function notes (a: AttackResult): string[] {
  const out = [`- **${a.letter}. ${a.name}**: ${a.what}.`]
  if (a.outcome !== null) {
    const details = Object.entries(a.outcome.details).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')
    if (details !== '') out.push(`  ${details}`)
  }
  if (Object.keys(a.settings).length > 0) out.push(`  gateway settings: ${JSON.stringify(a.settings)}`)
  if (a.failure !== null) out.push(`  FAILED: ${a.failure}`)
  if (a.gatewayErrors.length > 0) out.push(`  ${a.gatewayErrors.length} gateway error log line(s), first: ${a.gatewayErrors[0].slice(0, 300)}`)
  return out
}

function heapDelta (w: AttackResult['workers'][number]): string {
  if (w.heapBeforeMiB === null || w.heapAfterMiB === null) return '–'
  return `${fixed(w.heapAfterMiB - w.heapBeforeMiB)}${w.collected ? '' : ' (no GC)'}`
}

function traffic (t: TrafficResult): string {
  if (t.requests === 0 && t.errors === 0) return 'no answer'
  const latency = t.p99Ms === null ? '–' : `${fixed(t.p99Ms)} / ${fixed(t.maxMs ?? 0)}`
  const errors = `${t.errors === 0 ? '0' : `**${t.errors}**`}${t.timeouts > 0 ? ` (${t.timeouts} timeouts)` : ''}`
  // fewer answers than the pace scheduled: the rest were held up by the attack and never answered
  const answered = t.requests < t.expected * 0.9 ? `, **${t.requests}/${t.expected} answered**` : ''
  return `${latency}, ${errors}${answered}`
}

function counts (tally: Readonly<Record<string, number>>): string {
  return Object.entries(tally).map(([k, n]) => `${k} × ${n}`).join(', ')
}

function sum (tally: Readonly<Record<string, number>>): number {
  return Object.values(tally).reduce((a, b) => a + b, 0)
}

function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

function fixed (value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1)
}
