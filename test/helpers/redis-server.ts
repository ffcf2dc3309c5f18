// Real Redis servers for tests: redis-server processes on free loopback ports, each in its own temp
// directory, waited on until they answer (standalone), until the Cluster reports cluster_state:ok, or
// until the Sentinel knows its master; stopped (SIGKILL, no snapshot) and cleaned in teardown.
// Without redis-server on the PATH a test file calls `redisOrSkip(t)`, which skips it with one loud line
// saying how to install it, except under CI (the CI variable set), where a missing server fails the test.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { freePort } from '../../src/demo/redis-server.ts'
import { Redis } from 'ioredis'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import type { Test } from 'tap'

const HOW = 'install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis); CI installs it in .ci/run'
const INSTALL = `redis-server is not on the PATH: the Redis tests are SKIPPED; ${HOW}`

export function redisAvailable (): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

/** true when the tests may run; otherwise skips `t` loudly (or fails it under CI). */
export function redisOrSkip (t: Test): boolean {
  if (redisAvailable()) return true
  if (process.env.CI !== undefined && process.env.CI !== '') {
    t.fail(`redis-server is not on the PATH and CI is set, where the Redis tests never skip: ${HOW}`)
    return false
  }
  console.error(`\n*** ${INSTALL} ***\n`)
  t.plan(0, INSTALL)
  return false
}

export { freePort }

/** One command on a fresh connection that never retries; the reply as ioredis gives it (arrays stay arrays). */
export async function redisReply (port: number, args: readonly string[], password?: string): Promise<unknown> {
  const client = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
  client.on('error', () => {})
  try {
    await client.connect()
    return await client.call(args[0], ...args.slice(1))
  } finally {
    client.disconnect()
  }
}

/** One command on a fresh connection that never retries (probing whether a server is up yet). */
export async function redisCommand (port: number, args: readonly string[], password?: string): Promise<string> {
  return String(await redisReply(port, args, password))
}

export async function waitFor (what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export interface RedisProcess {
  readonly port: number
  readonly child: ChildProcess
  /** kills it (SIGKILL: as a crash would) and waits for the exit */
  kill (): Promise<void>
}

// Teardown does not run when a test process dies (an uncaught exception, process.exit): every server
// still running is then killed on the way out, so a failing test never leaves redis-server behind.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Spawns redis-server with `args`; the handle kills it (SIGKILL: as a crash would) and waits for the exit. */
export function spawnRedis (port: number, args: readonly string[]): RedisProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' })
  running.add(child)
  const exited = once(child, 'exit').finally(() => running.delete(child))
  return {
    port,
    child,
    async kill () {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGKILL')
      await exited
    }
  }
}

export interface StartOptions {
  readonly port?: number
  readonly args?: readonly string[]
  readonly dir: string
}

export async function startProcess (options: StartOptions): Promise<RedisProcess> {
  const port = options.port ?? await freePort()
  return spawnRedis(port, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', options.dir, ...(options.args ?? [])])
}

export async function pong (port: number, password?: string): Promise<boolean> {
  return (await redisCommand(port, ['PING'], password)).includes('PONG')
}

export interface RedisSetup {
  readonly servers: RedisProcess[]
  readonly dir: string
  stop (): Promise<void>
}

/** A temp directory and the list of processes stopped (and the directory removed) in t's teardown. */
export async function setup (t: Test): Promise<{ dir: string, servers: RedisProcess[], stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-redis-'))
  const servers: RedisProcess[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map(async (server) => await server.kill()))
    await rm(dir, { recursive: true, force: true })
  }
  t.teardown(stop)
  return { dir, servers, stop }
}

export interface StandaloneRedis extends RedisSetup {
  readonly port: number
  /** kills the server (the port stays free for restart) */
  kill (): Promise<void>
  /** starts it again on the same port and waits until it answers */
  restart (): Promise<void>
}

/** One redis-server; `password` sets requirepass. Stopped in t's teardown. */
export async function startRedis (t: Test, options: { password?: string } = {}): Promise<StandaloneRedis> {
  const base = await setup(t)
  const args = options.password === undefined ? [] : ['--requirepass', options.password]
  const first = await startProcess({ dir: base.dir, args })
  base.servers.push(first)
  await waitFor(`redis-server on ${first.port}`, async () => await pong(first.port, options.password))
  return {
    ...base,
    port: first.port,
    async kill () {
      await Promise.all(base.servers.map(async (server) => await server.kill()))
    },
    async restart () {
      const again = await startProcess({ dir: base.dir, port: first.port, args })
      base.servers.push(again)
      await waitFor(`redis-server back on ${first.port}`, async () => await pong(first.port, options.password))
    }
  }
}

/**
 * redis-server's arguments for a cluster node. Its cluster bus listens on the client port + 10000 unless
 * told otherwise (redis.conf, cluster-port), a port nobody checked: when something holds it, the node
 * logs "Failed listening on port ... (cluster), aborting" and exits, and the test times out waiting for
 * it. So the bus gets a free port of its own.
 */
export async function clusterNodeArgs (nodeTimeoutMs: number): Promise<string[]> {
  return ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs),
    '--cluster-port', String(await freePort())]
}

/** Three masters, no replicas, made with redis-cli --cluster create; waits for cluster_state:ok. */
export async function startRedisCluster (t: Test): Promise<RedisSetup & { readonly ports: number[] }> {
  const base = await setup(t)
  const ports: number[] = []
  for (let i = 0; i < 3; i++) {
    const nodeDir = join(base.dir, `node-${i}`)
    await mkdir(nodeDir)
    const server = await startProcess({ dir: nodeDir, args: await clusterNodeArgs(2000) })
    base.servers.push(server)
    ports.push(server.port)
  }
  for (const port of ports) await waitFor(`cluster node ${port}`, async () => await pong(port))
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 20_000 })
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`)
  for (const port of ports) {
    await waitFor(`cluster_state:ok on ${port}`, async () => (await redisCommand(port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'))
  }
  return { ...base, ports }
}

/** A master, one replica and one Sentinel watching them as `masterName`; waits until the Sentinel knows the master. */
export async function startRedisSentinel (t: Test, masterName = 'tollgate'): Promise<RedisSetup & { readonly masterPort: number, readonly replicaPort: number, readonly sentinelPort: number }> {
  const base = await setup(t)
  // the replica's first sync starts at once, not after the default 5 s wait for more replicas
  const master = await startProcess({ dir: base.dir, args: ['--repl-diskless-sync-delay', '0'] })
  base.servers.push(master)
  await waitFor('sentinel master', async () => await pong(master.port))
  const replicaDir = join(base.dir, 'replica')
  await mkdir(replicaDir)
  const replica = await startProcess({ dir: replicaDir, args: ['--replicaof', '127.0.0.1', String(master.port)] })
  base.servers.push(replica)
  await waitFor('sentinel replica', async () => (await redisCommand(replica.port, ['INFO', 'replication'])).includes('master_link_status:up'))
  const sentinelPort = await freePort()
  const conf = join(base.dir, 'sentinel.conf')
  await writeFile(conf, [
    `port ${sentinelPort}`,
    'bind 127.0.0.1',
    `dir ${base.dir}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
    `sentinel failover-timeout ${masterName} 3000`,
    ''
  ].join('\n'))
  base.servers.push(spawnRedis(sentinelPort, [conf, '--sentinel']))
  await waitFor('sentinel', async () => (await redisCommand(sentinelPort, ['SENTINEL', 'get-master-addr-by-name', masterName])).includes(String(master.port)))
  return { ...base, masterPort: master.port, replicaPort: replica.port, sentinelPort }
}
