// Redis set-ups that can fail over, for the failover tests (processes from redis-server.ts, stopped in
// teardown like every other): a Sentinel set-up (a master, one replica, three Sentinels with quorum 2, as a
// minimal production one) and a Cluster with replicas (3 masters + 3 replicas). Both use short timeouts so
// a killed master is replaced within a few seconds:
//   - Sentinel: down-after-milliseconds 1000 (subjectively down), quorum 2 (objectively down), a leader
//     elected by the majority, failover-timeout 3000; the replica is promoted ~2-4 s after the kill.
//   - Cluster: cluster-node-timeout 1000; the replica of a failed master asks the other masters for votes
//     after ~0.5-1 s more and takes over its slots.

import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import { clusterNodeArgs, freePort, pong, redisCommand, redisReply, setup, spawnRedis, startProcess, waitFor, type RedisProcess, type RedisSetup } from './redis-server.ts'

const SENTINELS = 3
const QUORUM = 2
const FAILOVER_WAIT_MS = 15_000

export interface SentinelFailoverSetup extends RedisSetup {
  readonly masterName: string
  readonly master: RedisProcess
  readonly replica: RedisProcess
  readonly sentinelPorts: readonly number[]
  /** resolves once every Sentinel names `port` as the master */
  waitForMaster (port: number): Promise<void>
}

async function startSentinel (dir: string, index: number, masterName: string, masterPort: number): Promise<RedisProcess> {
  const port = await freePort()
  // each Sentinel rewrites its own config file (its id, the other Sentinels, the replicas)
  const conf = join(dir, `sentinel-${index}.conf`)
  await writeFile(conf, [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} ${QUORUM}`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
    `sentinel failover-timeout ${masterName} 3000`,
    ''
  ].join('\n'))
  return spawnRedis(port, [conf, '--sentinel'])
}

/**
 * A master, its replica and three Sentinels (quorum 2) watching them as `masterName`. Resolves once every
 * Sentinel knows the replica and the two other Sentinels: a Sentinel that has not heard of the others
 * (their hello messages come every 2 s) could not reach the quorum, and the failover would never start.
 */
export async function startSentinelFailover (t: Test, masterName = 'tollgate'): Promise<SentinelFailoverSetup> {
  const base = await setup(t)
  // the replica's first sync starts at once, not after the default 5 s wait for more replicas
  const master = await startProcess({ dir: base.dir, args: ['--repl-diskless-sync-delay', '0'] })
  base.servers.push(master)
  await waitFor('the master', async () => await pong(master.port))
  const replicaDir = join(base.dir, 'replica')
  await mkdir(replicaDir)
  const replica = await startProcess({ dir: replicaDir, args: ['--replicaof', '127.0.0.1', String(master.port), '--repl-diskless-sync-delay', '0'] })
  base.servers.push(replica)
  await waitFor('the replica in sync', async () => (await redisCommand(replica.port, ['INFO', 'replication'])).includes('master_link_status:up'))
  const sentinels: RedisProcess[] = []
  for (let i = 0; i < SENTINELS; i++) sentinels.push(await startSentinel(base.dir, i, masterName, master.port))
  base.servers.push(...sentinels)
  for (const sentinel of sentinels) {
    await waitFor(`Sentinel ${sentinel.port} knowing the replica and the other Sentinels`, async () => {
      const state = await redisCommand(sentinel.port, ['SENTINEL', 'master', masterName])
      return state.includes('num-slaves,1,') && state.includes(`num-other-sentinels,${SENTINELS - 1},`)
    }, FAILOVER_WAIT_MS)
  }
  const sentinelPorts = sentinels.map((sentinel) => sentinel.port)
  return {
    ...base,
    masterName,
    master,
    replica,
    sentinelPorts,
    async waitForMaster (port: number) {
      for (const sentinelPort of sentinelPorts) {
        await waitFor(`Sentinel ${sentinelPort} naming ${port} the master`, async () =>
          (await redisCommand(sentinelPort, ['SENTINEL', 'get-master-addr-by-name', masterName])).endsWith(`,${port}`), FAILOVER_WAIT_MS)
      }
    }
  }
}

/** One line of CLUSTER NODES (https://redis.io/docs/latest/commands/cluster-nodes/). */
export interface ClusterNode {
  readonly id: string
  readonly port: number
  readonly flags: readonly string[]
  /** the id of its master; '-' for a master */
  readonly master: string
  /** the slot ranges it serves, [first, last] */
  readonly slots: ReadonlyArray<readonly [number, number]>
}

/**
 * CLUSTER NODES, not CLUSTER SLOTS: Redis 7 lists a replica in CLUSTER SLOTS only once it has reported a
 * replication offset, which an idle cluster does at the next replication ping (10 s).
 */
export async function clusterNodes (port: number): Promise<ClusterNode[]> {
  const text = await redisCommand(port, ['CLUSTER', 'NODES'])
  return text.trim().split('\n').map((line) => {
    const [id, address, flags, master, , , , , ...slots] = line.split(' ')
    return {
      id,
      port: Number(address.split('@')[0].split(':')[1]),
      flags: flags.split(','),
      master,
      slots: slots.filter((slot) => !slot.startsWith('[')).map((slot) => {
        const [first, last] = slot.split('-').map(Number)
        return [first, last ?? first] as const
      })
    }
  })
}

/** The healthy master serving `slot` and its healthy replica (-1 when none), as `nodes` say. */
function ownerOf (nodes: readonly ClusterNode[], slot: number): { master: number, replica: number } | null {
  const healthy = nodes.filter((node) => !node.flags.includes('fail') && !node.flags.includes('fail?'))
  const master = healthy.find((node) => node.flags.includes('master') && node.slots.some(([first, last]) => first <= slot && slot <= last))
  if (master === undefined) return null
  return { master: master.port, replica: healthy.find((node) => node.master === master.id)?.port ?? -1 }
}

export interface ClusterFailoverSetup extends RedisSetup {
  readonly ports: readonly number[]
  /** the process listening on `port` */
  server (port: number): RedisProcess
  /** the ports of the master owning `key`'s slot and of its replica, as `port` sees them */
  owner (port: number, key: string): Promise<{ readonly master: number, readonly replica: number }>
  /** resolves once `survivor` reports cluster_state:ok with `key`'s slot served by `master` */
  waitForOwner (survivor: number, key: string, master: number): Promise<void>
}

/** Three masters with one replica each (redis-cli --cluster create --cluster-replicas 1), all in sync. */
export async function startClusterFailover (t: Test): Promise<ClusterFailoverSetup> {
  const base = await setup(t)
  for (let i = 0; i < 6; i++) {
    const nodeDir = join(base.dir, `node-${i}`)
    await mkdir(nodeDir)
    base.servers.push(await startProcess({ dir: nodeDir, args: [...await clusterNodeArgs(1000), '--repl-diskless-sync-delay', '0'] }))
  }
  const ports = base.servers.map((server) => server.port)
  for (const port of ports) await waitFor(`cluster node ${port}`, async () => await pong(port))
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 20_000 })
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`)
  for (const port of ports) {
    await waitFor(`cluster node ${port} ready`, async () => {
      if (!(await redisCommand(port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok')) return false
      const replication = await redisCommand(port, ['INFO', 'replication'])
      if (!replication.includes('role:master') && !replication.includes('master_link_status:up')) return false
      // every node knows every master's replica (gossip), so the owner of a slot and its heir are known
      const nodes = await clusterNodes(port)
      return nodes.filter((node) => node.flags.includes('slave') && node.master !== '-').length === 3
    }, FAILOVER_WAIT_MS)
  }
  const owner = async (port: number, key: string): Promise<{ master: number, replica: number }> => {
    const slot = Number(await redisReply(port, ['CLUSTER', 'KEYSLOT', key]))
    const found = ownerOf(await clusterNodes(port), slot)
    if (found === null) throw new Error(`no healthy master serves slot ${slot}`)
    return found
  }
  return {
    ...base,
    ports,
    server (port: number) {
      const found = base.servers.find((server) => server.port === port)
      if (found === undefined) throw new Error(`no cluster node on ${port}`)
      return found
    },
    owner,
    async waitForOwner (survivor: number, key: string, master: number) {
      await waitFor(`${master} serving ${key}'s slot`, async () =>
        (await redisCommand(survivor, ['CLUSTER', 'INFO'])).includes('cluster_state:ok') && (await owner(survivor, key)).master === master, FAILOVER_WAIT_MS)
    }
  }
}
