// Prometheus text exposition format 0.0.4: HELP and TYPE lines, then one line per sample; histograms as
// _bucket{le=...} (cumulative, ending with +Inf), _sum and _count.

import type { HistogramSample, Labels, MetricFamily } from './types.ts'

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** Why a family cannot be written (bad metric or label name), or null. */
export function familyProblem (family: MetricFamily): string | null {
  if (!METRIC_NAME.test(family.name)) return `invalid metric name '${family.name}'`
  for (const sample of family.samples) {
    for (const name of Object.keys(sample.labels ?? {})) {
      if (!LABEL_NAME.test(name) || name.startsWith('__') || (family.type === 'histogram' && name === 'le')) {
        return `invalid label name '${name}' in ${family.name}`
      }
    }
    if (family.type === 'histogram') {
      const h = sample as HistogramSample
      if (h.bounds.length !== h.cumulative.length) return `histogram ${family.name}: bounds and cumulative differ in length`
    }
  }
  return null
}

function escapeLabel (value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function escapeHelp (text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

export function formatNumber (value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

function labelText (labels: Labels | undefined, extra?: string): string {
  const parts = Object.entries(labels ?? {}).map(([name, value]) => `${name}="${escapeLabel(value)}"`)
  if (extra !== undefined) parts.push(extra)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

function histogramLines (name: string, sample: HistogramSample, out: string[]): void {
  for (let i = 0; i < sample.bounds.length; i++) {
    out.push(`${name}_bucket${labelText(sample.labels, `le="${formatNumber(sample.bounds[i])}"`)} ${formatNumber(sample.cumulative[i])}`)
  }
  out.push(`${name}_bucket${labelText(sample.labels, 'le="+Inf"')} ${formatNumber(sample.count)}`)
  out.push(`${name}_sum${labelText(sample.labels)} ${formatNumber(sample.sum)}`)
  out.push(`${name}_count${labelText(sample.labels)} ${formatNumber(sample.count)}`)
}

/** The text of `families`, which must have distinct, valid names (see familyProblem). */
export function renderFamilies (families: readonly MetricFamily[]): string {
  const out: string[] = []
  for (const family of families) {
    out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`)
    if (family.type === 'histogram') {
      for (const sample of family.samples) histogramLines(family.name, sample, out)
    } else {
      for (const sample of family.samples) out.push(`${family.name}${labelText(sample.labels)} ${formatNumber(sample.value)}`)
    }
  }
  return out.length === 0 ? '' : out.join('\n') + '\n'
}
