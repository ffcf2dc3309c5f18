// Several gateway nodes sharing one Redis (openid-connect's cluster cache): separate gateway processes with
// two workers each, started on one config, ready once every node discovered its issuers and every worker's
// Redis client connected; and what the cluster cache tests read from them.

import type { Test } from 'tap'
import type { Redis } from 'ioredis'
import { send, startGateway, type Reply, type RunningGateway } from './gateway.ts'
import { waitForIssuers } from './oidc-stack.ts'

/** Starts `count` nodes of `config` (stopped in `t`'s teardown), each with 2 workers connected to Redis. */
export async function startNodes (t: Test, config: Record<string, unknown>, count = 2): Promise<RunningGateway[]> {
  const options = { settings: { worker_processes: 2 } }
  const nodes = await Promise.all(Array.from({ length: count }, async () => await startGateway(config, options)))
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => await node.stop())) })
  for (const node of nodes) {
    await waitForIssuers({ admin: async (path) => await send(node.adminUrl + path) })
    await node.waitForLog((line) => line.event === 'redis_connected' && line.worker === 0)
    await node.waitForLog((line) => line.event === 'redis_connected' && line.worker === 1)
  }
  return nodes
}

/** `count` concurrent requests to `path`, round robin over the nodes. */
export async function spread (nodes: readonly RunningGateway[], path: string, authorization: string, count: number): Promise<Reply[]> {
  return await Promise.all(Array.from({ length: count }, async (_, i) =>
    await send(`${nodes[i % nodes.length].proxyUrl}${path}`, { headers: { authorization } })))
}

export function statuses (replies: readonly Reply[]): number[] {
  return [...new Set(replies.map((reply) => reply.status))].sort()
}

export const CLUSTER_COUNTERS = ['hits', 'misses', 'writes', 'errors', 'lock_waits'] as const
export type ClusterCounters = Record<typeof CLUSTER_COUNTERS[number], number>

/** tollgate_cluster_cache_*_total{item} summed over the nodes' GET /metrics (each counts its own workers) */
export async function clusterCounters (nodes: readonly RunningGateway[], item: 'tokens' | 'introspection'): Promise<ClusterCounters> {
  const totals = { hits: 0, misses: 0, writes: 0, errors: 0, lock_waits: 0 }
  for (const node of nodes) {
    const text = (await send(`${node.adminUrl}/metrics`)).text
    for (const name of CLUSTER_COUNTERS) {
      const line = text.split('\n').find((l) => l.startsWith(`tollgate_cluster_cache_${name}_total{item="${item}"} `))
      totals[name] += Number(line?.split(' ')[1] ?? NaN)
    }
  }
  return totals
}

/**
 * Every key holding a value in Redis: named as `keyPattern` says (a digest, never a secret), a value
 * starting with its format version, revealing none of `secrets` in any encoding, expiring (`what`: with
 * what, for the assertion messages).
 */
export async function assertSealedEntries (t: Test, reader: Redis, keys: readonly string[], keyPattern: RegExp,
  secrets: readonly string[], what: string): Promise<void> {
  for (const key of keys) {
    t.match(key, keyPattern, 'a digest names the key')
    const value = await reader.getBuffer(key)
    if (value === null) continue
    t.equal(value[0], 1, 'the value starts with its format version')
    for (const text of [key, value.toString('latin1'), value.toString('utf8'), value.toString('base64'), value.toString('hex')]) {
      for (const secret of secrets) t.notOk(text.includes(secret), `${key} does not reveal a secret`)
    }
    const ttl = await reader.pttl(key)
    t.ok(ttl > 0, `the value expires with its ${what} (${ttl} ms)`)
  }
}
