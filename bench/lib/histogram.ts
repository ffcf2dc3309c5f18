// hdr-histogram-js helpers: one histogram shape for every series, compressed base64 to cross process
// boundaries and land in the results file, percentiles, merging runs, and the points of an
// HdrHistogram-style percentile curve (x = 1/(1-p), so 90% is 10, 99% is 100, 99.9% is 1000).

import * as hdr from 'hdr-histogram-js'
import type { Percentiles } from './load-types.ts'

export type Histogram = hdr.Histogram

/** Integers from 0 up (µs or ms), 3 significant digits, growing as needed. */
export function newHistogram (): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true })
}

export function encodeHistogram (h: Histogram): string | null {
  return h.totalCount === 0 ? null : hdr.encodeIntoCompressedBase64(h)
}

export function decodeHistogram (encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded)
}

/** All the given histograms added up; null when none has a sample. */
export function mergeHistograms (encoded: ReadonlyArray<string | null>): Histogram | null {
  let total: Histogram | null = null
  for (const one of encoded) {
    if (one === null) continue
    const h = decodeHistogram(one)
    if (total === null) total = h
    else total.add(h)
  }
  return total
}

export function percentilesOf (h: Histogram | null, scale = 1): Percentiles | null {
  if (h === null || h.totalCount === 0) return null
  const at = (p: number): number => round(h.getValueAtPercentile(p) / scale)
  return { p50: at(50), p90: at(90), p99: at(99), p99_9: at(99.9), max: round(h.maxValue / scale), count: h.totalCount }
}

export function percentilesOfEncoded (encoded: string | null, scale = 1): Percentiles | null {
  return encoded === null ? null : percentilesOf(decodeHistogram(encoded), scale)
}

export interface CurvePoint {
  /** 1/(1-p): 1 at the median's left end, 10 at p90, 100 at p99 ... */
  readonly x: number
  readonly value: number
}

/** Log-spaced points of the percentile curve, up to the last percentile the sample count supports. */
export function percentileCurve (h: Histogram, scale = 1, points = 60): CurvePoint[] {
  const maxX = Math.max(2, h.totalCount)
  const curve: CurvePoint[] = []
  for (let i = 0; i <= points; i++) {
    const x = 10 ** (Math.log10(maxX) * i / points)
    const percentile = Math.min(100, 100 * (1 - 1 / x))
    curve.push({ x, value: h.getValueAtPercentile(percentile) / scale })
  }
  return curve
}

function round (value: number): number {
  return Math.round(value * 1000) / 1000
}
