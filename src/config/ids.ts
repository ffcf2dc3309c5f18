// Stable ids for entities given without one, as Kong DB-less makes them (kong/db/schema/others/
// declarative_config.lua generate_uuid): a name-based UUID v5 in a per-entity-type namespace, itself
// derived from Kong's namespace. A named service therefore gets the same id here as in Kong, and every
// reload of an unchanged config gives the same ids.

import { createHash } from 'node:crypto'

/** kong/constants.lua DECLARATIVE_DEFAULT_WORKSPACE_ID: part of the cache keys Kong derives some ids from */
export const DEFAULT_WORKSPACE = '0dc6f45b-8f8d-40d2-a504-473544ee190b'

/** Kong's root namespace for declarative entity ids. */
const KONG_NAMESPACE = 'fd02801f-0957-4a15-a55a-c8d9606f30b5'

/** RFC 9562 UUID version 5: SHA-1 of namespace bytes and name, with version and variant bits set. */
export function uuidV5 (namespace: string, name: string): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name).digest()
  bytes[6] = (bytes[6] & 0x0f) | 0x50
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = bytes.toString('hex', 0, 16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const namespaces = new Map<string, string>()

/** The id Kong gives an entity of `entity` type ("services", ...) whose identifying key is `key`. */
export function generatedId (entity: string, key: string): string {
  let namespace = namespaces.get(entity)
  if (namespace === undefined) {
    namespace = uuidV5(KONG_NAMESPACE, entity)
    namespaces.set(entity, namespace)
  }
  return uuidV5(namespace, key)
}
