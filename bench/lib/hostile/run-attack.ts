// One attack from start to end: a fresh gateway (real CLI, real worker threads, the event-loop probe,
// --expose-gc so the probe can read each thread's heap after a full collection), warm-up traffic, the
// baseline (peak RSS reset to the current RSS, heap per worker), then the attack with normal paced
// traffic on the plain and the openid-connect routes beside it for as long as it lasts, then the same
// readings again. A gateway that died or a probe that does not answer is recorded, never hidden.

import { waitForIssuer } from '../environment.ts'
import { BenchGateway } from '../gateway.ts'
import { percentilesOfEncoded } from '../histogram.ts'
import type { LoadJob, LoadOutcome } from '../load-types.ts'
import type { ThreadDelay } from '../../probe/event-loop-delay.ts'
import type { Attack, AttackOutcome } from './attacks.ts'
import { HOT_SET, hostileConfig, type HostileEnv } from './hostile-env.ts'
import type { HostileOptions } from './options.ts'
import { readMemory, resetPeak, type MemorySample } from './proc-memory.ts'
import type { AttackResult, MemoryResult, TrafficResult, WorkerResult } from './results.ts'

const MiB = 1024 * 1024
/** the normal traffic outlives the longest attack; it is stopped options.trafficTailMs after the attack ends */
const TRAFFIC_MARGIN_S = 30

export async function runAttack (env: HostileEnv, attack: Attack, options: HostileOptions): Promise<AttackResult> {
  const gateway = await BenchGateway.start({
    name: `gateway (${attack.name})`,
    cpus: env.plan.subject(options.workers),
    cpuProfDir: null,
    execArgv: ['--expose-gc'],
    config: hostileConfig(env, options, attack)
  })
  try {
    await waitForIssuer(gateway, env.idp.info.url as string)
    if (attack.dripRoute && env.drip !== null) await waitForIssuer(gateway, env.drip.url)
    return await measure(env, gateway, attack, options)
  } finally {
    await gateway.stop()
  }
}

async function measure (env: HostileEnv, gateway: BenchGateway, attack: Attack, options: HostileOptions): Promise<AttackResult> {
  const warm = await Promise.all(trafficJobs(gateway, options, options.warmupS).map((job) => env.load.call<LoadOutcome>('run', job)))
  const warmErrors = warm.reduce((n, o) => n + o.errors + o.non2xx, 0)
  gateway.takeErrors()
  const peakReset = await resetPeak(gateway.pid)
  const memBefore = await readMemory(gateway.pid)
  const heapBefore = await threads(gateway, true)
  await gateway.resetEventLoopDelay()
  const idpBefore = await tokenRequests(env)
  const seenBefore = await env.upstream.call<Record<string, number>>('seen')

  const trafficStarted = performance.now()
  const traffic = Promise.all(trafficJobs(gateway, options, options.attackTimeoutS + TRAFFIC_MARGIN_S).map((job) => env.load.call<LoadOutcome>('run', job)))
  const port = Number(new URL(gateway.proxyUrl).port)
  let outcome: AttackOutcome | null = null
  let failure: string | null = warmErrors > 0 ? `${warmErrors} errors in the warm-up traffic, before the attack` : null
  try {
    outcome = await attack.run({ port, deadline: performance.now() + options.attackTimeoutS * 1000 }, options)
  } catch (err) {
    failure = `the attack failed: ${(err as Error).message}`
  }
  await new Promise((resolve) => setTimeout(resolve, options.trafficTailMs))
  await env.load.call('stop')
  const outcomes = await traffic
  const expected = Math.round(options.rate * (performance.now() - trafficStarted) / 1000)

  const delays = await threads(gateway, false)
  const heapAfter = await threads(gateway, true)
  const memAfter = await readMemory(gateway.pid)
  const alive = gateway.child.exitCode === null && gateway.child.signalCode === null
  if (!alive) failure = [failure, `the gateway exited (${gateway.child.signalCode ?? gateway.child.exitCode})`].filter((x) => x !== null).join('; ')
  return {
    name: attack.name,
    letter: attack.letter,
    what: attack.what,
    settings: attack.settings,
    status: failure === null ? 'ok' : 'failed',
    failure,
    outcome,
    memory: memory(peakReset, memBefore, memAfter),
    workers: workers(delays, heapBefore, heapAfter),
    traffic: outcomes.map((o, i) => trafficResult(i === 0 ? '/proxy' : '/oidc', o, expected)),
    gatewayAlive: alive,
    gatewayErrors: gateway.takeErrors().slice(0, 20),
    idpTokenRequests: await tokenRequests(env).then((after) => after === null || idpBefore === null ? null : after - idpBefore),
    upstreamSaw: difference(await env.upstream.call<Record<string, number>>('seen'), seenBefore)
  }
}

/** Normal traffic: the plain route, and the openid-connect route with the one cached credential. */
function trafficJobs (gateway: BenchGateway, options: HostileOptions, durationS: number): LoadJob[] {
  const base = { connections: options.connections, durationS, rate: options.rate, timeoutS: 10 }
  return [
    { ...base, url: `${gateway.proxyUrl}/proxy`, credentials: { kind: 'none' } },
    { ...base, url: `${gateway.proxyUrl}/oidc`, credentials: { kind: 'fixed', set: HOT_SET, index: 0 } }
  ]
}

async function threads (gateway: BenchGateway, collect: boolean): Promise<ThreadDelay[] | null> {
  try {
    return await gateway.readEventLoopDelay(collect)
  } catch {
    return null
  }
}

async function tokenRequests (env: HostileEnv): Promise<number | null> {
  const real = await env.idp.call<number>('tokenRequests').catch(() => null)
  return real === null ? null : real + (env.drip?.tokenRequests ?? 0)
}

function memory (peakReset: boolean, before: MemorySample | null, after: MemorySample | null): MemoryResult {
  return {
    peakReset,
    hwmBeforeKiB: before?.hwmKiB ?? null,
    hwmAfterKiB: after?.hwmKiB ?? null,
    peakIncreaseMiB: before === null || after === null ? null : round((after.hwmKiB - before.hwmKiB) / 1024),
    rssBeforeKiB: before?.rssKiB ?? null,
    rssAfterKiB: after?.rssKiB ?? null
  }
}

function workers (delays: ThreadDelay[] | null, before: ThreadDelay[] | null, after: ThreadDelay[] | null): WorkerResult[] {
  const proxies = (list: ThreadDelay[] | null): ThreadDelay[] => (list ?? []).filter((t) => t.kind === 'proxy')
  const heap = (list: ThreadDelay[] | null, worker: number | null): ThreadDelay | undefined => proxies(list).find((t) => t.worker === worker)
  return proxies(delays).sort((a, b) => (a.worker ?? 0) - (b.worker ?? 0)).map((d) => {
    const b = heap(before, d.worker)
    const a = heap(after, d.worker)
    return {
      worker: d.worker,
      delayP99Ms: d.p99Ms,
      delayMaxMs: d.maxMs,
      heapBeforeMiB: b === undefined ? null : round(b.heapUsedBytes / MiB),
      heapAfterMiB: a === undefined ? null : round(a.heapUsedBytes / MiB),
      collected: (a?.collected ?? false) && (b?.collected ?? false)
    }
  })
}

function trafficResult (path: string, o: LoadOutcome, expected: number): TrafficResult {
  const client = percentilesOfEncoded(o.histograms.client_us, 1000)
  return {
    path,
    requests: o.requests,
    expected,
    p99Ms: client?.p99 ?? null,
    maxMs: client?.max ?? null,
    // autocannon counts a timeout as an error too
    errors: o.errors + o.non2xx,
    timeouts: o.timeouts,
    statusCodes: o.statusCodes
  }
}

function difference (after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [key, n] of Object.entries(after)) if (n - (before[key] ?? 0) > 0) out[key] = n - (before[key] ?? 0)
  return out
}

function round (value: number): number {
  return Math.round(value * 10) / 10
}
