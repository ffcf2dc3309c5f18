// The load generator: autocannon's programmatic API in a process of its own (pinned away from the
// process under test). Besides autocannon's result it records, per response, into hdr histograms:
// the client-side latency in microseconds, and the gateway's own view of each request from its headers
// (X-Kong-Proxy-Latency / X-Kong-Upstream-Latency in ms, X-Tollgate-*-Latency-Us in µs when enabled).
// The headers are read from autocannon's per-client 'headers' event (setupClient hook), which hands over
// the raw [name, value, ...] list; a request's `onResponse` would also do it, but autocannon then builds
// a header object with lodash for every response, which costs load-generator CPU at 30k+ req/s.
// The HTTP/2 and connection-per-request scenarios use this process's own clients (h2-load.ts,
// handshake-load.ts), chosen by the job's `driver`, and record into the same histograms (recorder.ts).
// Run: started by the suite (bench/lib/suite.ts), which sends `credentials` (or `headers`) and `run` calls.

import { performance } from 'node:perf_hooks'
// @ts-expect-error -- autocannon ships no type declarations; the members used are typed below
import autocannon from 'autocannon'
import type { CredentialPlan, LoadJob, LoadOutcome } from '../lib/load-types.ts'
import { serveParent } from '../lib/serve-parent.ts'
import { runHandshakes } from './handshake-load.ts'
import { runH2 } from './h2-load.ts'
import { Pacer, type PacedClient } from './pacing.ts'
import { Recorder } from './recorder.ts'

interface AutocannonClient extends PacedClient {
  on (event: 'headers', listener: (info: { headers: string[] }) => void): void
  on (event: 'response', listener: (status: number, bytes: number, responseTimeMs: number) => void): void
}

interface AutocannonRequest {
  headers: Record<string, string>
}

interface AutocannonResult {
  requests: { total: number }
  duration: number
  errors: number
  timeouts: number
  non2xx: number
  statusCodeStats: Record<string, { count: number }>
  latency: { p50: number, p90: number, p99: number, p99_9: number, max: number }
}

interface AutocannonInstance {
  stop (): void
}

type Autocannon = (options: Record<string, unknown>, done: (err: Error | null, result: AutocannonResult) => void) => AutocannonInstance

const run = autocannon as Autocannon
/** named credential sets, each a list of ready-made Authorization header values */
const credentialSets = new Map<string, string[]>()
/** the runs in progress, so `stop` can end them early (bench/hostile.ts: traffic for as long as an attack lasts) */
const running = new Set<AutocannonInstance>()

function basicHeader (id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

function credentialSet (name: string): string[] {
  const set = credentialSets.get(name)
  if (set === undefined) throw new Error(`unknown credential set '${name}'`)
  return set
}

interface RequestPlan {
  readonly options: Record<string, unknown>
  readonly exhausted: () => boolean
}

/**
 * autocannon options for the plan: static headers (the job's own plus a fixed credential), or a
 * setupRequest that picks a credential per request on top of the job's headers.
 */
function requestPlan (plan: CredentialPlan, headers: Readonly<Record<string, string>>): RequestPlan {
  // no headers option at all when there are none, as before the job had headers
  const base = Object.keys(headers).length === 0 ? {} : { headers: { ...headers } }
  if (plan.kind === 'none') return { options: base, exhausted: () => false }
  const set = credentialSet(plan.set)
  if (plan.kind === 'fixed') return { options: { headers: { ...headers, authorization: set[plan.index] } }, exhausted: () => false }
  if (plan.kind === 'random') {
    const pick = (request: AutocannonRequest): AutocannonRequest => {
      request.headers.authorization = set[Math.floor(Math.random() * set.length)]
      return request
    }
    return { options: { ...base, requests: [{ setupRequest: pick }] }, exhausted: () => false }
  }
  if (plan.to > set.length || plan.from >= plan.to) throw new Error(`credential range ${plan.from}..${plan.to} outside set '${plan.set}' (${set.length})`)
  let next = plan.from
  const pick = (request: AutocannonRequest): AutocannonRequest => {
    // `amount` below stops autocannon at the end of the range; the guard only keeps an index valid
    request.headers.authorization = set[Math.min(next++, plan.to - 1)]
    return request
  }
  return { options: { ...base, amount: plan.to - plan.from, requests: [{ setupRequest: pick }] }, exhausted: () => next >= plan.to }
}

async function runJob (job: LoadJob): Promise<LoadOutcome> {
  if (job.driver === 'h2' || job.driver === 'tls-handshake') {
    if (job.credentials.kind !== 'none') throw new Error(`the ${job.driver} driver sends no credentials`)
    return job.driver === 'h2' ? await runH2(job) : await runHandshakes(job)
  }
  const recorder = new Recorder()
  const clientUs = recorder.histograms.client_us
  const plan = requestPlan(job.credentials, job.headers ?? {})
  const pacer = job.rate === null ? null : new Pacer(job.rate, job.connections)
  const setupClient = (client: AutocannonClient): void => {
    client.on('headers', (info) => recorder.headers(info.headers))
    if (pacer === null) {
      client.on('response', (_status, _bytes, ms) => clientUs.recordValue(Math.round(ms * 1000)))
      return
    }
    const due = pacer.install(client)
    client.on('response', () => clientUs.recordValue(Math.max(0, Math.round((performance.now() - due()) * 1000))))
  }
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = run({
      url: job.url,
      connections: job.connections,
      pipelining: 1,
      duration: job.durationS,
      timeout: job.timeoutS,
      // autocannon checks for the end of a run at every sample tick: a short tick ends it on time
      sampleInt: 100,
      setupClient,
      ...plan.options
    }, (err, res) => {
      running.delete(instance)
      if (err === null) resolve(res)
      else reject(err)
    })
    running.add(instance)
    // with `amount` autocannon ignores `duration`: stop it ourselves when the duration is over
    if ('amount' in plan.options) setTimeout(() => instance.stop(), job.durationS * 1000).unref()
  })
  const statusCodes: Record<string, number> = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats)) statusCodes[code] = stat.count
  const total = result.requests.total
  return {
    requests: total,
    durationS: result.duration,
    rps: result.duration > 0 ? Math.round(total / result.duration) : 0,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    autocannonMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, p99_9: result.latency.p99_9, max: result.latency.max },
    histograms: recorder.encoded(),
    endedEarly: plan.exhausted() && result.duration < job.durationS * 0.95
  }
}

serveParent({}, {
  credentials: (payload: { name: string, pairs: ReadonlyArray<readonly [string, string]> }) => {
    credentialSets.set(payload.name, payload.pairs.map(([id, secret]) => basicHeader(id, secret)))
    return payload.pairs.length
  },
  /** a set of ready-made Authorization values, e.g. `Bearer <token>` */
  headers: (payload: { name: string, values: readonly string[] }) => {
    credentialSets.set(payload.name, [...payload.values])
    return payload.values.length
  },
  run: runJob,
  /** ends every run in progress now; each pending `run` call then answers with what it measured */
  stop: () => {
    for (const instance of running) instance.stop()
    return running.size
  }
})
