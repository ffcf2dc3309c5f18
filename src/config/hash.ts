// The configuration hash (Kong's configuration_hash): md5 over a canonical JSON of the settings and
// entities, timestamps left out since they are set at load, so an unchanged config hashes the same.

import { createHash } from 'node:crypto'
import type { Entities, Settings } from './types.ts'

/** JSON with object keys sorted at every level. */
export function canonicalJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

function untimed (list: ReadonlyArray<{ readonly created_at: number, readonly updated_at?: number }>): unknown[] {
  return list.map(({ created_at: _created, updated_at: _updated, ...rest }) => rest)
}

export function configHash (settings: Settings, entities: Entities): string {
  const timeless = {
    services: untimed(entities.services),
    routes: untimed(entities.routes),
    plugins: untimed(entities.plugins),
    consumers: untimed(entities.consumers),
    consumer_groups: untimed(entities.consumer_groups),
    consumer_group_consumers: entities.consumer_group_consumers,
    keyauth_credentials: untimed(entities.keyauth_credentials),
    basicauth_credentials: untimed(entities.basicauth_credentials),
    jwt_secrets: untimed(entities.jwt_secrets),
    acls: untimed(entities.acls),
    // only when present: a config without them hashes as it did before they were supported
    ...(entities.upstreams.length > 0 ? { upstreams: untimed(entities.upstreams) } : {}),
    ...(entities.targets.length > 0 ? { targets: untimed(entities.targets) } : {}),
  }
  return createHash('md5').update(canonicalJson({ settings, entities: timeless })).digest('hex')
}
