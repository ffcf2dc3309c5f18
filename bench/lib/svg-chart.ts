// An HdrHistogram-style percentile chart as a standalone SVG string: x is 1/(1-p) on a log scale, so the
// tail gets as much room as the median (labels 50%, 90%, 99%, 99.9% ...), y is latency on a log scale so
// sub-millisecond and multi-millisecond scenarios fit one chart. No library, no script, no CDN.

import type { CurvePoint } from './histogram.ts'

export interface Series {
  readonly label: string
  readonly color: string
  readonly points: readonly CurvePoint[]
}

export interface ChartSpec {
  readonly title: string
  readonly yLabel: string
  readonly series: readonly Series[]
  readonly width?: number
  readonly height?: number
}

const MARGIN = { left: 64, right: 190, top: 36, bottom: 48 }
const Y_FLOOR = 0.001

export function percentileChart (spec: ChartSpec): string {
  const width = spec.width ?? 720
  const height = spec.height ?? 380
  const plotW = width - MARGIN.left - MARGIN.right
  const plotH = height - MARGIN.top - MARGIN.bottom
  const all = spec.series.flatMap((s) => s.points)
  if (all.length === 0) return emptyChart(spec.title, width, height)
  const maxX = Math.max(10, ...all.map((p) => p.x))
  const values = all.map((p) => Math.max(Y_FLOOR, p.value))
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...values)))
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.05))
  const sx = (x: number): number => MARGIN.left + plotW * Math.log10(x) / Math.log10(maxX)
  const sy = (y: number): number => MARGIN.top + plotH * (1 - (Math.log10(Math.max(Y_FLOOR, y)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)))
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${escape(spec.title)}</text>`
  ]
  for (const [x, label] of percentileTicks(maxX)) {
    parts.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#e3e3e3"/>`,
      `<text x="${sx(x)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${label}</text>`)
  }
  for (let decade = yMin; decade <= yMax * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const y = decade * m
      if (y > yMax * 1.0001) break
      parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(y)}" y2="${sy(y)}" stroke="${m === 1 ? '#d0d0d0' : '#f0f0f0'}"/>`)
      if (m === 1 || plotH > 250) parts.push(`<text x="${MARGIN.left - 6}" y="${sy(y) + 4}" text-anchor="end">${number(y)}</text>`)
    }
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle">percentile (log scale of 1/(1−p))</text>`,
    `<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(spec.yLabel)}</text>`)
  for (const s of spec.series) {
    if (s.points.length === 0) continue
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.value).toFixed(1)}`).join(' ')
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`)
  }
  // the legend sits right of the plot, where it can hide no curve
  spec.series.forEach((s, i) => {
    const x = MARGIN.left + plotW + 10
    const y = MARGIN.top + 8 + i * 16
    parts.push(`<rect x="${x}" y="${y - 4}" width="14" height="3" fill="${s.color}"/>`,
      `<text x="${x + 20}" y="${y}">${escape(s.label)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n')
}

/** x positions of 0%, 50%, 90%, 99%, 99.9% ... up to what the samples reach. */
function percentileTicks (maxX: number): Array<[number, string]> {
  const ticks: Array<[number, string]> = [[1, '0%'], [2, '50%']]
  let nines = 1
  for (let x = 10; x <= maxX * 1.0001; x *= 10, nines++) {
    ticks.push([x, `${(100 - 100 / x).toFixed(Math.max(0, nines - 2))}%`])
  }
  return ticks
}

function number (value: number): string {
  return value >= 1 ? String(Math.round(value)) : String(Number(value.toPrecision(1)))
}

function emptyChart (title: string, width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif">` +
    `<text x="${width / 2}" y="${height / 2}" text-anchor="middle">${escape(title)}: no data</text></svg>`
}

export function escape (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
