// The running config as the /config endpoint shows it, plugin secrets redacted: GET /config's document
// (flat entity lists with ids and {id} references, which POST /config accepts back, settings left out as
// Kong's export leaves kong.conf out) and the 201 body of POST /config (Kong's: entities by type, then id).

import type { Entities, LoadedConfig } from '../config/types.ts'
import { entityIndex } from './entity-index.ts'

const KINDS = [
  'services', 'routes', 'consumers', 'consumer_groups', 'plugins', 'keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'acls',
  'upstreams', 'targets', 'certificates', 'snis', 'ca_certificates',
] as const

/** null-valued fields dropped, so the document reads as a config file and every field is one the schema takes */
function withoutNulls (entity: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entity).filter(([, value]) => value !== null))
}

/** a certificate's snis travel as the top-level snis entities (which name it by id), not twice */
function exported (kind: typeof KINDS[number], entity: object): Record<string, unknown> {
  const out = withoutNulls(entity)
  if (kind === 'certificates') delete out.snis
  return out
}

export function exportedDocument (config: LoadedConfig): Record<string, unknown> {
  const entities = entityIndex(config).entities
  const document: Record<string, unknown> = { _format_version: config.format_version, _transform: false }
  for (const kind of KINDS) {
    if (entities[kind].length > 0) document[kind] = entities[kind].map((entity) => exported(kind, entity))
  }
  // memberships travel as each group's `consumers` (decK's form), which POST /config reads back
  if (entities.consumer_group_consumers.length > 0) {
    document.consumer_groups = (document.consumer_groups as Array<Record<string, unknown>>).map((group) => {
      const members = entities.consumer_group_consumers.filter((row) => row.consumer_group.id === group.id)
      return members.length === 0 ? group : { ...group, consumers: members.map((row) => ({ id: row.consumer.id })) }
    })
  }
  return document
}

export function entitiesById (config: LoadedConfig): Record<string, Record<string, unknown>> {
  const entities: Entities = entityIndex(config).entities
  const out: Record<string, Record<string, unknown>> = {}
  for (const kind of KINDS) {
    if (entities[kind].length > 0) out[kind] = Object.fromEntries(entities[kind].map((entity) => [entity.id, entity]))
  }
  return out
}
