// Gateway nodes sharing one Redis (standalone, Sentinel or Cluster), for the tests of rate-limiting policy
// redis and openid-connect's cluster cache across nodes and through failovers: N gateway processes with one
// config (each a node, as N Kong nodes on one Redis), rate-limited routes, and the ways the tests send
// load over the nodes. The IdP side is token-idp.ts (kept apart: it loads oidc-provider).

import type { Test } from 'tap'
import type { Agent } from 'node:http'
import { send, startGateway, type Reply, type RunningGateway } from './gateway.ts'
import { waitFor } from './redis-server.ts'
import { startUpstream, type TestUpstream } from './upstream.ts'

/** The echo upstream, closed in t's teardown. */
export async function upstreamFor (t: Test): Promise<TestUpstream> {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  return upstream
}

/** A route `/<name>` limited by rate-limiting policy redis, keyed by the X-Key header. */
export function limitedRoute (name: string, redis: Record<string, unknown>, config: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    paths: [`/${name}`],
    plugins: [{ name: 'rate-limiting', config: { limit_by: 'header', header_name: 'X-Key', policy: 'redis', redis, ...config } }]
  }
}

/**
 * `count` gateway processes with one config (`workers` workers each), stopped in t's teardown; resolves
 * once each worker of each node has connected to Redis.
 */
export async function startGatewayNodes (t: Test, count: number, config: Record<string, unknown>, workers = 1): Promise<RunningGateway[]> {
  const settings = { worker_processes: workers }
  const started = await Promise.allSettled(Array.from({ length: count }, async () => await startGateway(config, { settings })))
  const nodes = started.flatMap((result) => result.status === 'fulfilled' ? [result.value] : [])
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => await node.stop())) })
  for (const result of started) if (result.status === 'rejected') throw result.reason
  for (const node of nodes) {
    for (let worker = 0; worker < workers; worker++) {
      await node.waitForLog((line) => line.event === 'redis_connected' && line.worker === worker)
    }
  }
  return nodes
}

/** `count` concurrent requests to `path`, the i-th to node i mod N (over agent i mod M when given). */
export async function spread (nodes: readonly RunningGateway[], path: string, headers: Record<string, string>, count: number,
  agents: readonly Agent[] = []): Promise<Reply[]> {
  return await Promise.all(Array.from({ length: count }, async (_, i) =>
    await send(`${nodes[i % nodes.length].proxyUrl}${path}`, { headers, agent: agents.length === 0 ? undefined : agents[i % agents.length] })))
}

/** How many replies had each status: { 200: 5, 429: 3 }. */
export function statusCounts (replies: readonly Reply[]): Record<number, number> {
  const out: Record<number, number> = {}
  for (const reply of replies) out[reply.status] = (out[reply.status] ?? 0) + 1
  return out
}

/**
 * Resolves once a request to `node` on `path` is limited again (it carries X-RateLimit-Limit-Day): with
 * fault_tolerant, a request Redis could not count passes without rate-limit headers. Each probe counts in
 * the key of `headers`, so probe with a key the test does not assert on.
 */
export async function untilLimiting (node: RunningGateway, path: string, headers: Record<string, string>, timeoutMs = 15_000): Promise<Reply> {
  let limited: Reply | null = null
  await waitFor(`${path} limited again on ${node.proxyUrl}`, async () => {
    const reply = await send(`${node.proxyUrl}${path}`, { headers })
    if (reply.headers['x-ratelimit-limit-day'] !== undefined) limited = reply
    return limited !== null
  }, timeoutMs)
  return limited!
}

export interface LoadTarget {
  readonly path: string
  readonly headers: Record<string, string>
}

export interface Load {
  /** stops sending and resolves with every reply received */
  stop (): Promise<Reply[]>
}

/**
 * `lanes` loops, each sending one request after the other, round-robin over the nodes and the targets,
 * until stop() (or t's teardown, when a test fails before stopping it). A request that gets no answer at
 * all (refused, reset) is recorded as status 0, so the test sees it.
 */
export function startLoad (t: Test, nodes: readonly RunningGateway[], targets: readonly LoadTarget[], lanes = 4): Load {
  const replies: Reply[] = []
  const state = { running: true, sent: 0 }
  const lane = async (): Promise<void> => {
    while (state.running) {
      const i = state.sent++
      const target = targets[i % targets.length]
      replies.push(await send(`${nodes[i % nodes.length].proxyUrl}${target.path}`, { headers: target.headers }).catch(noAnswer))
    }
  }
  const all = Promise.all(Array.from({ length: lanes }, lane))
  const stop = async (): Promise<Reply[]> => {
    state.running = false
    await all
    return replies
  }
  t.teardown(stop)
  return { stop }
}

function noAnswer (err: Error): Reply {
  const text = `no answer: ${err.message}`
  return { status: 0, headers: {}, rawHeaders: [], body: Buffer.from(text), text, json: () => { throw err } }
}

const DAY_MS = 86_400_000

/** The day windows are fixed: if this one ends within a minute, wait for the next one (exact counts stay exact). */
export async function awayFromDayEnd (): Promise<void> {
  const left = DAY_MS - (Date.now() % DAY_MS)
  if (left < 60_000) await new Promise((resolve) => setTimeout(resolve, left + 100))
}
