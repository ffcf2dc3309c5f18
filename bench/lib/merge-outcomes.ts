// `cluster-cold` loads two gateway nodes at once, the same credentials in the same order on each (two
// `run` calls to the load generator, side by side): what they measured, as one outcome. Requests, errors
// and status codes add up, histograms merge, the duration is the longer run's; autocannon's own whole-ms
// percentiles cannot be merged, so the larger of the two is kept (an upper bound).

import { encodeHistogram, mergeHistograms } from './histogram.ts'
import { HISTOGRAM_NAMES, type HistogramName, type LoadOutcome } from './load-types.ts'

export function mergeOutcomes (a: LoadOutcome, b: LoadOutcome): LoadOutcome {
  const durationS = Math.max(a.durationS, b.durationS)
  const requests = a.requests + b.requests
  const statusCodes: Record<string, number> = { ...a.statusCodes }
  for (const [code, count] of Object.entries(b.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count
  const histograms = {} as Record<HistogramName, string | null>
  for (const name of HISTOGRAM_NAMES) {
    const merged = mergeHistograms([a.histograms[name], b.histograms[name]])
    histograms[name] = merged === null ? null : encodeHistogram(merged)
  }
  const worst = (name: keyof LoadOutcome['autocannonMs']): number => Math.max(a.autocannonMs[name], b.autocannonMs[name])
  return {
    requests,
    durationS,
    rps: durationS > 0 ? Math.round(requests / durationS) : 0,
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    non2xx: a.non2xx + b.non2xx,
    statusCodes,
    autocannonMs: { p50: worst('p50'), p90: worst('p90'), p99: worst('p99'), p99_9: worst('p99_9'), max: worst('max') },
    histograms,
    endedEarly: a.endedEarly || b.endedEarly
  }
}
