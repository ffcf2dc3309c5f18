// `npm run demo -- --nodes 2`: the how-to's configuration on two gateway nodes (two processes, each with
// its own ports and prefix) that share client credentials tokens through one Redis: openid-connect's
// cluster cache (cluster_cache_strategy "redis", cluster_cache_items ["tokens"]; Kong 3.15). Started here:
// redis-server from the PATH on a free port, the dev IdP, the echo upstream and both nodes. Both nodes
// sign private_key_jwt assertions with one key set, as the machines of one cluster would: the demo writes
// it into node 1's prefix and copies it into node 2's before they start, so either node may ask the IdP.

import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { GatewayKeys } from '../plugins/openid-connect/main/keys.ts'
import { KEYS_FILE } from '../plugins/openid-connect/main/main-service.ts'
import { readConfigDocument } from './config-document.ts'
import { startDemoBackends } from './backends.ts'
import { Cleanups, endDemo } from './demo-end.ts'
import { GatewayNode } from './gateway-node.ts'
import { walkNodes, type NodesEndpoints } from './node-steps.ts'
import { redisServerMissing, startLocalRedis, type LocalRedis } from './redis-server.ts'

type Print = (line?: string) => void

export interface NodesOptions {
  readonly once: boolean
  /** the config file (config.json or config.yaml) */
  readonly config: string
}

const PLUGIN = 'openid-connect'

/** Walks the two-node steps; 0 when every step answered as expected (or after Ctrl-C), 1 otherwise. */
export async function runNodes (options: NodesOptions, out: Print): Promise<number> {
  const missing = redisServerMissing()
  if (missing !== null) {
    process.stderr.write(`Demo --nodes 2 needs Redis: ${missing}\n`)
    return 1
  }
  const cleanups = new Cleanups()
  const cleanup = cleanups.run
  try {
    out('Tollgate demo: OpenID Connect client credentials on two gateway nodes sharing tokens through Redis')
    out()
    const redis = await startLocalRedis()
    cleanups.push(redis.stop)
    const { upstream, idp, client, env } = await startDemoBackends(cleanups)
    const base = options.once ? await mkdtemp(join(tmpdir(), 'tollgate-demo-nodes-')) : resolve('.tollgate', 'nodes')
    if (options.once) cleanups.push(async () => await rm(base, { recursive: true, force: true }))
    const prefixes = [join(base, 'node-1'), join(base, 'node-2')] as const
    await shareKeys(prefixes)
    out(`  redis-server              127.0.0.1:${redis.port}`)
    out(`  dev IdP (oidc-provider)   ${idp.issuer}   client '${client.id}' authenticates with private_key_jwt`)
    out(`  echo upstream             ${upstream.url}`)
    const document = withClusterCache(await readConfigDocument(options.config), redis)
    const nodes = await startNodes(document, prefixes, env, cleanups)
    // the IdP fetches the client's keys from node 1's Admin API; node 2 publishes the same set
    await idp.setJwtClientJwksUri(`${nodes[0].admin}/openid-connect/jwks`)
    nodes.forEach((node, i) => out(`  ${`tollgate node ${i + 1}`.padEnd(26)}proxy ${node.proxy}   admin ${node.admin}   prefix ${prefixes[i]}`))
    out('  both nodes: openid-connect with cluster_cache_strategy "redis", cluster_cache_items ["tokens"]')
    out()
    const endpoints: NodesEndpoints = {
      nodes: [{ proxy: nodes[0].proxy, admin: nodes[0].admin }, { proxy: nodes[1].proxy, admin: nodes[1].admin }],
      clientId: client.id,
      clientSecret: client.secret,
      idp,
      redis: redis.client()
    }
    await walkNodes(endpoints, out)
    return await endDemo(options.once, [
      'Both nodes are up. Try it yourself:',
      ...nodes.map((node) => `  curl -i -u '${client.id}:${client.secret}' ${node.proxy}/example-route/anything`),
      `  redis-cli -p ${redis.port} --scan --pattern 'tollgate:oidc:*'`,
      `  curl -s ${nodes[1].admin}/metrics | grep tollgate_cluster_cache`
    ], out, cleanup)
  } catch (err) {
    process.stderr.write(`\nDemo failed: ${(err as Error).message}\n`)
    await cleanup()
    return 1
  }
}

/** One key set in both prefixes (made in node 1's if it has none yet). */
async function shareKeys (prefixes: readonly [string, string]): Promise<void> {
  for (const prefix of prefixes) await mkdir(prefix, { recursive: true, mode: 0o700 })
  const keys = await GatewayKeys.open(join(prefixes[0], KEYS_FILE))
  await copyFile(keys.file, join(prefixes[1], KEYS_FILE))
}

async function startNodes (document: Record<string, unknown>, prefixes: readonly [string, string], env: Record<string, string>,
  cleanups: Cleanups): Promise<[GatewayNode, GatewayNode]> {
  const started = await Promise.allSettled(prefixes.map(async (prefix, i) =>
    await GatewayNode.start({ name: `node ${i + 1}`, document, prefix, env })))
  for (const one of started) if (one.status === 'fulfilled') cleanups.push(async () => await one.value.stop())
  const failed = started.find((one) => one.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  return started.map((one) => (one as PromiseFulfilledResult<GatewayNode>).value) as [GatewayNode, GatewayNode]
}

/** The document with the cluster cache on in every openid-connect plugin it configures. */
function withClusterCache (document: Record<string, unknown>, redis: LocalRedis): Record<string, unknown> {
  const copy = structuredClone(document)
  let found = 0
  const visit = (plugins: unknown): void => {
    if (!Array.isArray(plugins)) return
    for (const plugin of plugins as Array<Record<string, unknown>>) {
      if (plugin.name !== PLUGIN) continue
      found++
      plugin.config = {
        ...(plugin.config as Record<string, unknown> | undefined),
        cluster_cache_strategy: 'redis',
        cluster_cache_redis: { host: redis.host, port: redis.port },
        cluster_cache_items: ['tokens']
      }
    }
  }
  visit(copy.plugins)
  for (const service of list(copy.services)) {
    visit(service.plugins)
    for (const route of list(service.routes)) visit(route.plugins)
  }
  for (const route of list(copy.routes)) visit(route.plugins)
  if (found === 0) throw new Error(`the config has no ${PLUGIN} plugin to share tokens between nodes`)
  return copy
}

function list (value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value as Array<Record<string, unknown>> : []
}
