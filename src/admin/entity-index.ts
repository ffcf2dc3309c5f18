// The running config's entities as the Admin API shows them (plugin secrets redacted), indexed by id and
// by endpoint key. Built once per loaded config and kept until that config is dropped.

import type {
  Acl, BasicAuthCredential, CaCertificate, Certificate, Consumer, ConsumerGroup, Entities, JwtSecret, KeyAuthCredential, LoadedConfig, Plugin,
  Route, Service, Sni, Target, Upstream,
} from '../config/types.ts'
import type { CredentialKind } from '../config/schema/credentials.ts'
import { redactedEntities } from '../config/redact-config.ts'
import { isUuid } from '../config/schema/typedefs.ts'

export type Kind = 'services' | 'routes' | 'consumers' | 'consumer_groups' | 'plugins' | 'upstreams' | 'targets' | CredentialKind |
  'certificates' | 'snis' | 'ca_certificates'
export type Entity = Service | Route | Consumer | ConsumerGroup | Plugin | KeyAuthCredential | BasicAuthCredential | JwtSecret | Acl | Upstream |
  Target | Certificate | Sni | CaCertificate

/**
 * Kong's endpoint_key per entity: what a non-UUID path segment is matched against. null: by id only, for
 * key-auth (its endpoint key is the key, a secret the Admin API does not show), acls (Kong has none) and
 * targets (their `target` is unique only within an upstream: upstream-endpoints.ts looks them up there).
 */
export const ENDPOINT_KEY: Readonly<Record<Kind, string | null>> = {
  services: 'name',
  routes: 'name',
  consumers: 'username',
  consumer_groups: 'name',
  plugins: 'instance_name',
  keyauth_credentials: null,
  basicauth_credentials: 'username',
  jwt_secrets: 'key',
  acls: null,
  upstreams: 'name',
  targets: null,
  // kong/api/routes/certificates.lua: /certificates/{sni name} finds the certificate of that SNI (found by
  // entity-endpoints.ts through the snis); snis.lua endpoint_key name; ca_certificates by id only
  certificates: null,
  snis: 'name',
  ca_certificates: null,
}

export class EntityIndex {
  readonly entities: Entities
  readonly #byId: Map<string, Entity>
  readonly #byKey: ReadonlyMap<Kind, ReadonlyMap<string, Entity>>

  constructor (entities: Entities) {
    this.entities = redactedEntities(entities)
    this.#byId = new Map()
    const byKey = new Map<Kind, Map<string, Entity>>()
    for (const kind of Object.keys(ENDPOINT_KEY) as Kind[]) {
      const keyed = new Map<string, Entity>()
      for (const entity of this.entities[kind]) {
        this.#byId.set(`${kind}:${entity.id}`, entity)
        const field = ENDPOINT_KEY[kind]
        const key = field === null ? null : (entity as unknown as Record<string, unknown>)[field]
        if (typeof key === 'string') keyed.set(key, entity)
      }
      byKey.set(kind, keyed)
    }
    this.#byKey = byKey
  }

  list (kind: Kind): readonly Entity[] {
    return this.entities[kind]
  }

  /** As Kong: a UUID is looked up as the id, anything else as the endpoint key (name, username, ...). */
  find (kind: Kind, key: string): Entity | null {
    if (isUuid(key)) return this.#byId.get(`${kind}:${key}`) ?? null
    return this.#byKey.get(kind)!.get(key) ?? null
  }
}

const indexes = new WeakMap<LoadedConfig, EntityIndex>()

export function entityIndex (config: LoadedConfig): EntityIndex {
  let index = indexes.get(config)
  if (index === undefined) {
    index = new EntityIndex(config.entities)
    indexes.set(config, index)
  }
  return index
}
