// The fields Kong's Enterprise Redis record adds to the OSS one (kong/enterprise_edition/tools/redis/v2/
// schema.lua: per-operation timeouts, keepalive pool, Sentinel, Cluster, connection_is_proxied), as Tollgate
// schema fields, with the record's checks. A plugin schema spreads them beside its own OSS fields
// (host, port, timeout, username, password, database, ssl, ssl_verify, server_name), so its record is
// read by record.ts the same way openid-connect's cluster_cache_redis will be.

import type { ConfigIssue } from '../core/errors.ts'
import { isSet } from '../config/schema/checks.ts'
import type { FieldSchema } from '../config/schema/engine.ts'
import { host, port } from '../config/schema/typedefs.ts'

const TIMEOUT: FieldSchema = { type: 'integer', between: [0, 2147483646] }

export const redisRecordFields: Readonly<Record<string, FieldSchema>> = {
  /** null: the record's `timeout` */
  connect_timeout: TIMEOUT,
  send_timeout: TIMEOUT,
  read_timeout: TIMEOUT,
  /** accepted for Kong's dumps; ioredis multiplexes one connection per record per worker */
  keepalive_pool_size: { type: 'integer', default: 256, between: [1, 2147483646] },
  keepalive_backlog: { type: 'integer', between: [0, 2147483646] },
  sentinel_master: { type: 'string' },
  sentinel_role: { type: 'string', one_of: ['master', 'slave', 'any'] },
  sentinel_nodes: { type: 'array', len_min: 1, elements: { type: 'record', fields: { host: { ...host, required: true, default: '127.0.0.1' }, port: { ...port, default: 6379 } } } },
  sentinel_username: { type: 'string' },
  sentinel_password: { type: 'string', secret: true, len_min: 0 },
  cluster_nodes: { type: 'array', len_min: 1, elements: { type: 'record', fields: { ip: { ...host, required: true, default: '127.0.0.1' }, port: { ...port, default: 6379 } } } },
  cluster_max_redirections: { type: 'integer', default: 5 },
  connection_is_proxied: { type: 'boolean', default: false },
}

const SENTINEL = ['sentinel_master', 'sentinel_role', 'sentinel_nodes'] as const

/**
 * The Enterprise record's entity checks: the Sentinel fields all or none (mutually_required), and a
 * record is Sentinel or Cluster, not both (mutually_exclusive_sets).
 */
export function checkRedisRecord (record: Record<string, unknown>): ConfigIssue[] {
  const sentinel = SENTINEL.filter((name) => isSet(record[name])).length
  if (sentinel > 0 && sentinel < SENTINEL.length) {
    return [{ path: '', message: `all or none of these fields must be set: ${SENTINEL.map((name) => `'${name}'`).join(', ')}` }]
  }
  if (sentinel > 0 && isSet(record.cluster_nodes)) {
    return [{ path: '', message: "these sets are mutually exclusive: ('sentinel_master', 'sentinel_role', 'sentinel_nodes'), ('cluster_nodes')" }]
  }
  return []
}

/** Sentinel or Cluster: the record names its servers without host (rate-limiting's host check skips it). */
export function namesServers (record: Readonly<Record<string, unknown>>): boolean {
  return isSet(record.sentinel_nodes) || isSet(record.cluster_nodes)
}
