// Kong's Redis record → ioredis options, as data (no connection made here, so the mapping is unit-tested).
// Which mode, as Kong's Enterprise connector chooses it (kong/enterprise_edition/tools/redis/v2): Cluster
// when cluster_nodes is set and the connection is not proxied; Sentinel when sentinel_master and
// sentinel_nodes are set; else one host. What every mode shares, and why:
//   - commandTimeout = read_timeout: a command never waits longer for its reply (Kong's read timeout);
//     send_timeout has no counterpart (a write goes to the socket buffer and never blocks a request).
//   - enableOfflineQueue false, maxRetriesPerRequest 0, autoResendUnfulfilledCommands false: while the
//     connection is down a command fails at once instead of queueing, so an outage costs a request nothing
//     beyond the timeouts (the caller decides: fault_tolerant lets it through).
//   - retryStrategy: exponential backoff from 50 ms, capped at 1 s, forever (reconnect when Redis is back).
//   - keepalive_pool_size / keepalive_backlog have no counterpart: ioredis multiplexes one connection per
//     record per worker (clients.ts), where lua-resty-redis pools one socket per request.

import type { ConnectionOptions } from 'node:tls'
import type { ClusterOptions, RedisOptions } from 'ioredis'
import type { RedisNode, RedisRecord } from './record.ts'

export const BACKOFF_FIRST_MS = 50
export const BACKOFF_MAX_MS = 1000

/** The delay before reconnect attempt `times` (1-based). */
export function backoff (times: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** Math.min(times - 1, 10), BACKOFF_MAX_MS)
}

export type ClientPlan =
  | { readonly mode: 'standalone', readonly options: RedisOptions }
  | { readonly mode: 'sentinel', readonly options: RedisOptions }
  | { readonly mode: 'cluster', readonly nodes: readonly RedisNode[], readonly options: ClusterOptions }

/** ssl_verify false is Kong's default for the OSS record: no certificate check, as lua-resty-redis does. */
function tls (record: RedisRecord): ConnectionOptions | undefined {
  if (!record.ssl) return undefined
  const options: ConnectionOptions = { rejectUnauthorized: record.ssl_verify }
  if (record.server_name !== null) options.servername = record.server_name
  return options
}

/** Options of one connection to one Redis server (a standalone one, a Sentinel's master, a Cluster node). */
function connection (record: RedisRecord): RedisOptions {
  const options: RedisOptions = {
    connectTimeout: record.connect_timeout,
    commandTimeout: record.read_timeout,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true,
    lazyConnect: false,
  }
  if (record.username !== null) options.username = record.username
  if (record.password !== null) options.password = record.password
  const secure = tls(record)
  if (secure !== undefined) options.tls = secure
  return options
}

export function clientPlan (record: RedisRecord): ClientPlan {
  if (record.cluster_nodes !== null && !record.connection_is_proxied) {
    return {
      mode: 'cluster',
      nodes: record.cluster_nodes,
      options: {
        redisOptions: connection(record),
        maxRedirections: record.cluster_max_redirections,
        enableOfflineQueue: false,
        enableReadyCheck: true,
        clusterRetryStrategy: backoff,
        slotsRefreshTimeout: record.connect_timeout,
      },
    }
  }
  const options: RedisOptions = { ...connection(record), db: record.database, enableOfflineQueue: false, retryStrategy: backoff }
  if (record.sentinel_master !== null && record.sentinel_nodes !== null) {
    options.name = record.sentinel_master
    options.sentinels = record.sentinel_nodes.map((node) => ({ host: node.host, port: node.port }))
    // ioredis connects to one role; Kong's 'any' (any node may answer) is served by the master, which
    // takes the writes rate-limiting and the token cache need
    options.role = record.sentinel_role === 'slave' ? 'slave' : 'master'
    if (record.sentinel_username !== null) options.sentinelUsername = record.sentinel_username
    if (record.sentinel_password !== null) options.sentinelPassword = record.sentinel_password
    options.sentinelRetryStrategy = backoff
    options.sentinelCommandTimeout = record.read_timeout
    return { mode: 'sentinel', options }
  }
  options.host = record.host ?? '127.0.0.1'
  options.port = record.port
  return { mode: 'standalone', options }
}
