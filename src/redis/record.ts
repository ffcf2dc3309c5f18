// Kong's shared Redis record, normalised into one shape whichever plugin it came from: the OSS record of
// rate-limiting (kong/tools/redis/schema.lua: one `timeout`) and the Enterprise record that openid-connect
// embeds as `cluster_cache_redis` (kong/enterprise_edition/tools/redis/v2/schema.lua: connect/send/read
// timeouts, Sentinel and Cluster). Computed once at config load; clients.ts keys its shared connections
// by recordKey, so two plugins (or two reloads) with the same record share one connection per worker.

import { createHash } from 'node:crypto'

export interface RedisNode {
  readonly host: string
  readonly port: number
}

/** 'master' | 'slave' | 'any' (Kong's sentinel_role one_of) */
export type SentinelRole = 'master' | 'slave' | 'any'

export interface RedisRecord {
  readonly host: string | null
  readonly port: number
  readonly database: number
  readonly username: string | null
  readonly password: string | null
  readonly ssl: boolean
  readonly ssl_verify: boolean
  readonly server_name: string | null
  /** milliseconds */
  readonly connect_timeout: number
  readonly send_timeout: number
  readonly read_timeout: number
  readonly keepalive_pool_size: number | null
  readonly keepalive_backlog: number | null
  readonly sentinel_master: string | null
  readonly sentinel_role: SentinelRole | null
  readonly sentinel_nodes: readonly RedisNode[] | null
  readonly sentinel_username: string | null
  readonly sentinel_password: string | null
  readonly cluster_nodes: readonly RedisNode[] | null
  readonly cluster_max_redirections: number
  readonly connection_is_proxied: boolean
}

/** Kong's default timeout for every one of the three (DEFAULT_TIMEOUT in both schemas) */
export const DEFAULT_TIMEOUT_MS = 2000
/** kong/enterprise_edition/tools/redis/v2/schema.lua cluster_max_redirections default */
export const DEFAULT_MAX_REDIRECTIONS = 5

function text (value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function integer (value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

/** sentinel_nodes elements are {host, port}; cluster_nodes elements are {ip, port} (Kong's names). */
function nodes (value: unknown, hostField: 'host' | 'ip'): readonly RedisNode[] | null {
  if (!Array.isArray(value) || value.length === 0) return null
  return value.map((node: Record<string, unknown>) => ({ host: String(node[hostField]), port: integer(node.port, 6379) }))
}

/**
 * The record as validated by a plugin schema (defaults applied; absent fields null). A record with only
 * the OSS `timeout` gets it as all three timeouts, as the Enterprise shorthand of the same name does.
 */
export function redisRecord (config: Readonly<Record<string, unknown>>): RedisRecord {
  const timeout = integer(config.timeout, DEFAULT_TIMEOUT_MS)
  const role = text(config.sentinel_role)
  return Object.freeze({
    host: text(config.host),
    port: integer(config.port, 6379),
    database: integer(config.database, 0),
    username: text(config.username),
    // Kong sends no AUTH for an empty password (policies/init.lua is_present)
    password: text(config.password),
    ssl: config.ssl === true,
    ssl_verify: config.ssl_verify === true,
    server_name: text(config.server_name),
    connect_timeout: integer(config.connect_timeout, timeout),
    send_timeout: integer(config.send_timeout, timeout),
    read_timeout: integer(config.read_timeout, timeout),
    keepalive_pool_size: typeof config.keepalive_pool_size === 'number' ? config.keepalive_pool_size : null,
    keepalive_backlog: typeof config.keepalive_backlog === 'number' ? config.keepalive_backlog : null,
    sentinel_master: text(config.sentinel_master),
    sentinel_role: role === 'master' || role === 'slave' || role === 'any' ? role : null,
    sentinel_nodes: nodes(config.sentinel_nodes, 'host'),
    sentinel_username: text(config.sentinel_username),
    sentinel_password: text(config.sentinel_password),
    cluster_nodes: nodes(config.cluster_nodes, 'ip'),
    cluster_max_redirections: integer(config.cluster_max_redirections, DEFAULT_MAX_REDIRECTIONS),
    connection_is_proxied: config.connection_is_proxied === true,
  })
}

/**
 * What identifies a connection: a digest of every field (passwords included, so a changed password gets a
 * new connection), which reveals nothing when it shows up in a log or a heap snapshot.
 */
export function recordKey (record: RedisRecord): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('base64url')
}

/** Where it points, for log lines: never a password or a username. */
export function describeRecord (record: RedisRecord): string {
  if (record.cluster_nodes !== null && !record.connection_is_proxied) {
    return `cluster ${record.cluster_nodes.map((node) => `${node.host}:${node.port}`).join(',')}`
  }
  if (record.sentinel_master !== null && record.sentinel_nodes !== null) {
    return `sentinel ${record.sentinel_master}@${record.sentinel_nodes.map((node) => `${node.host}:${node.port}`).join(',')}`
  }
  return `${record.host ?? '127.0.0.1'}:${record.port}/${record.database}`
}
