// The picture a person reads at a glance: one self-contained HTML file (inline SVG and CSS, nothing
// fetched) with the run's facts, the summary tables, and the latency percentile curves of every
// scenario side by side, client-side and the gateway's own microsecond view, per mode.

import { decodeHistogram, percentileCurve } from './histogram.ts'
import type { HistogramName } from './load-types.ts'
import { markdownReport } from './markdown.ts'
import type { BenchResults, Mode } from './results-types.ts'
import { escape, percentileChart, type Series } from './svg-chart.ts'

const COLORS: Record<string, string> = {
  direct: '#111111',
  floor: '#7f7f7f',
  'floor-bare': '#c7c7c7',
  proxy: '#1f77b4',
  'oidc-hot': '#2ca02c',
  'oidc-hot-redis': '#98df8a',
  'oidc-many': '#ff7f0e',
  'oidc-cold': '#d62728',
  'cluster-cold': '#ff9896',
  'oidc-bearer': '#8c564b',
  'oidc-introspect': '#e377c2',
  'oidc-bearer-verify-each': '#bcbd22',
  'key-auth': '#393b79',
  'rate-limiting': '#637939',
  cors: '#8c6d31',
  'request-transformer': '#843c39',
  stack: '#7b4173',
  'workers:proxy': '#9467bd',
  'workers:oidc-hot': '#17becf'
}
const MODE_TITLE: Record<Mode, string> = { saturation: 'saturation', fixed: 'fixed rate' }

function series (results: BenchResults, mode: Mode, name: HistogramName, scale: number): Series[] {
  const out: Series[] = []
  for (const s of results.scenarios) {
    const encoded = s.mode === mode ? s.histograms?.[name] ?? null : null
    if (encoded === null || encoded === undefined) continue
    const rate = mode === 'fixed' && s.rate !== null ? ` @${s.rate}/s` : ''
    out.push({ label: `${s.name}${rate}`, color: COLORS[s.name] ?? '#aec7e8', points: percentileCurve(decodeHistogram(encoded), scale) })
  }
  return out
}

export function htmlReport (results: BenchResults): string {
  const charts: string[] = []
  for (const mode of ['saturation', 'fixed'] as const) {
    charts.push(percentileChart({ title: `Client latency, ${MODE_TITLE[mode]}`, yLabel: 'latency (ms, log)', series: series(results, mode, 'client_us', 1000) }))
    charts.push(percentileChart({ title: `Gateway's own time before the upstream, ${MODE_TITLE[mode]}`, yLabel: 'X-Tollgate-Proxy-Latency-Us (ms, log)', series: series(results, mode, 'proxy_us', 1000) }))
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tollgate bench ${escape(results.startedAt)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; max-width: 1520px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(720px, 1fr)); gap: 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
</style></head><body>
<h1>Tollgate bench</h1>
<p>Curves: every run of a scenario merged (the tables show medians over runs). x: percentile on a log scale of 1/(1−p);
y: latency on a log scale. Client latency is measured by the load generator (from each request's scheduled send time at the fixed rate);
the gateway's own time is its X-Tollgate-Proxy-Latency-Us header (request arrival to upstream dispatch).</p>
<div class="charts">
${charts.join('\n')}
</div>
${markdownToHtml(markdownReport(results))}
</body></html>
`
}

// Just enough markdown for markdownReport's own output: headings, tables, list items, paragraphs, **bold**.
function markdownToHtml (markdown: string): string {
  const out: string[] = []
  let table: string[][] | null = null
  const inline = (text: string): string => escape(text).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')
  const flush = (): void => {
    if (table === null) return
    const [head, , ...rows] = table
    out.push('<table><tr>' + head.map((c) => `<th>${inline(c)}</th>`).join('') + '</tr>' +
      rows.map((r) => '<tr>' + r.map((c) => `<td>${inline(c)}</td>`).join('') + '</tr>').join('') + '</table>')
    table = null
  }
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) {
      (table ??= []).push(line.slice(1, -1).split('|').map((c) => c.trim()))
      continue
    }
    flush()
    const heading = /^(#+) (.*)$/.exec(line)
    if (heading !== null) out.push(`<h${heading[1].length + 1}>${inline(heading[2])}</h${heading[1].length + 1}>`)
    else if (line.startsWith('- ')) out.push(`<p>• ${inline(line.slice(2))}</p>`)
    else if (line.trim() !== '') out.push(`<p>${inline(line)}</p>`)
  }
  flush()
  return out.join('\n')
}
