// The deprecated fields of Kong's shared Redis record (kong/enterprise_edition/tools/redis/v2/schema.lua,
// shorthand_fields; the OSS record is kong/tools/redis/schema.lua): `timeout`, `sentinel_addresses` and
// `cluster_addresses`, kept until Kong 4.0. Kong writes them back into its own dumps (mirroring the fields
// that replace them), so a record that holds them must load; each is expanded into its replacement and
// announced once per load. Used by every plugin schema that embeds the record (openid-connect's `redis`
// and `cluster_cache_redis`).

import type { Shorthand } from '../config/schema/shorthand.ts'

/** "host:port", as Kong's validate_addresses requires (exactly one colon, a numeric port). */
function address (value: string): string | null {
  const parts = value.split(':')
  return parts.length === 2 && parts[1] !== '' && Number.isFinite(Number(parts[1])) ? null : `Invalid Redis host address: ${value}`
}

function split (value: string, host: 'host' | 'ip'): Record<string, unknown> {
  const [name, port] = value.split(':')
  return { [host]: name, port: Number(port) }
}

/** Kong's reverse mapping: the nodes written back as "host:port" strings (null when unset). */
function joined (nodes: unknown, host: 'host' | 'ip'): unknown {
  if (!Array.isArray(nodes)) return nodes
  return nodes.map((node: Record<string, unknown> | null) => `${String(node?.[host])}:${String(node?.port)}`)
}

const ADDRESSES = { type: 'array', len_min: 1, elements: { type: 'string', custom: address } } as const

function addresses (name: 'sentinel_addresses' | 'cluster_addresses', nodes: 'sentinel_nodes' | 'cluster_nodes', host: 'host' | 'ip'): Shorthand {
  return {
    name,
    schema: ADDRESSES,
    expand: (value) => ({ [nodes]: (value as string[]).map((item) => split(item, host)) }),
    deprecation: {
      message: `${name} is deprecated, please use ${nodes} instead`,
      replacedWith: [{ path: [nodes], reverse: (record) => joined(record[nodes], host) }],
    },
  }
}

export const REDIS_SHORTHANDS: readonly Shorthand[] = [
  {
    name: 'timeout',
    schema: { type: 'integer', between: [0, 2147483646] },
    expand: (value) => ({ connect_timeout: value, send_timeout: value, read_timeout: value }),
    deprecation: {
      message: 'redis schema field `timeout` is deprecated, use `connect_timeout`, `send_timeout` and `read_timeout`',
      replacedWith: [{ path: ['connect_timeout'] }, { path: ['send_timeout'] }, { path: ['read_timeout'] }],
    },
  },
  addresses('sentinel_addresses', 'sentinel_nodes', 'host'),
  addresses('cluster_addresses', 'cluster_nodes', 'ip'),
]
