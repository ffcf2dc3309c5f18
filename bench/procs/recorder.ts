// What the load generator records of each response, whichever client sent the request: the client-side
// latency in microseconds, and the gateway's own view of the request from its response headers
// (X-Kong-Proxy-Latency / X-Kong-Upstream-Latency in ms, X-Tollgate-*-Latency-Us in µs when enabled), each
// into an hdr histogram. Headers come as the raw [name, value, ...] list every client here can hand over
// (autocannon's 'headers' event, node:http's rawHeaders, node:http2's third 'response' argument), so no
// header object is built per response.

import { encodeHistogram, newHistogram, type Histogram } from '../lib/histogram.ts'
import type { HistogramName } from '../lib/load-types.ts'

const HEADER_SLOTS: ReadonlyMap<string, HistogramName> = new Map([
  ['x-kong-proxy-latency', 'kong_proxy_ms'],
  ['x-kong-upstream-latency', 'kong_upstream_ms'],
  ['x-tollgate-proxy-latency-us', 'proxy_us'],
  ['x-tollgate-upstream-latency-us', 'upstream_us']
])
const HEADER_LENGTHS = new Set([...HEADER_SLOTS.keys()].map((name) => name.length))

export class Recorder {
  readonly histograms: Record<HistogramName, Histogram> = {
    client_us: newHistogram(),
    kong_proxy_ms: newHistogram(),
    kong_upstream_ms: newHistogram(),
    proxy_us: newHistogram(),
    upstream_us: newHistogram()
  }

  // one pass over the raw list; only names of a wanted length are lower-cased
  headers (raw: readonly string[]): void {
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]
      if (!HEADER_LENGTHS.has(name.length)) continue
      const slot = HEADER_SLOTS.get(name.toLowerCase())
      if (slot === undefined) continue
      const value = Number(raw[i + 1])
      if (Number.isFinite(value) && value >= 0) this.histograms[slot].recordValue(Math.round(value))
    }
  }

  encoded (): Record<HistogramName, string | null> {
    const out = {} as Record<HistogramName, string | null>
    for (const [name, h] of Object.entries(this.histograms) as Array<[HistogramName, Histogram]>) out[name] = encodeHistogram(h)
    return out
  }
}
