// The whole config.json: Kong's declarative format (as DB-less kong.yml or a decK dump holds it) plus the
// kong.conf-style settings beside it at the top level. Settings pass through here untyped and are parsed by
// settings.ts; everything else that is not listed is an "unknown field".

import { SETTING_NAMES } from '../settings.ts'
import { CREDENTIAL_KEYS, consumer } from './consumer.ts'
import { caCertificate, certificate, sni } from './certificate.ts'
import { consumerGroup } from './consumer-group.ts'
import { CREDENTIAL_SCHEMAS } from './credentials.ts'
import { annotations, tags, unsupported } from './typedefs.ts'
import { plugin } from './plugin.ts'
import { route } from './route.ts'
import { service } from './service.ts'
import { target } from './target.ts'
import { upstream } from './upstream.ts'
import type { FieldSchema, RecordField } from './engine.ts'

/** Kong entity types Tollgate has no use for: accepted only when empty, so nothing is silently dropped. */
const UNSUPPORTED_ENTITIES = [
  'vaults',
  'key_sets', 'keys', 'filter_chains', 'partials', 'custom_entities',
  ...CREDENTIAL_KEYS.filter((key) => !Object.hasOwn(CREDENTIAL_SCHEMAS, key)),
  // decK's Enterprise and Konnect entities (go-database-reconciler pkg/file/types.go, Content)
  'rbac_roles', 'service_packages', 'licenses', 'cloned_plugins', 'custom_plugins',
]

function isObject (value: unknown): string | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'expected a record'
}

/** Keys a default may set: the entity's own fields (decK fills only those). */
function defaultsFor (fields: Readonly<Record<string, FieldSchema>>, shorthands: readonly string[] = []): FieldSchema {
  return {
    type: 'any',
    custom: (value) => {
      if (isObject(value) !== null) return 'expected a record'
      const unknown = Object.keys(value as object).filter((key) => !Object.hasOwn(fields, key) && !shorthands.includes(key))
      return unknown.length === 0 ? null : `unknown field(s): ${unknown.join(', ')}`
    },
  }
}

/** decK's `_info` (go-database-reconciler pkg/file/types.go, Info); deck-file.ts applies select_tags and defaults. */
const info: RecordField = {
  type: 'record',
  omit: true,
  fields: {
    select_tags: tags,
    default_lookup_tags: { type: 'any', custom: isObject },
    defaults: {
      type: 'record',
      fields: {
        service: defaultsFor(service.fields, ['url']),
        route: defaultsFor(route.fields),
        upstream: defaultsFor(upstream.fields),
        target: defaultsFor(target.fields),
      },
    },
    consumer_group_policy_overrides: { type: 'boolean' },
    skip_hash_for_basic_auth: { type: 'boolean' },
    include_plugin_definitions: { type: 'boolean' },
  },
}

const fields: Record<string, FieldSchema> = {
  _format_version: { type: 'string', required: true, one_of: ['1.1', '2.1', '3.0'] },
  _transform: { type: 'boolean', default: true },
  ...annotations,
  // decK's own keys: the workspace and Konnect control plane a file is for mean nothing to one gateway
  _workspace: { type: 'string' },
  _konnect: { type: 'any', custom: isObject },
  _info: info,
  /** decK's shared plugin configs, by name; merged into the plugins that name one in `_config` (deck-file.ts) */
  _plugin_configs: { type: 'map', omit: true, keys: { type: 'string' }, values: { type: 'any', custom: isObject } },
  services: { type: 'array', elements: service },
  routes: { type: 'array', elements: route },
  consumers: { type: 'array', elements: consumer },
  consumer_groups: { type: 'array', elements: consumerGroup },
  plugins: { type: 'array', elements: plugin },
  upstreams: { type: 'array', elements: upstream },
  // top-level targets name their upstream (resolve-upstreams.ts)
  targets: { type: 'array', elements: target },
  certificates: { type: 'array', elements: certificate },
  // top-level snis name their certificate (resolve-certificates.ts)
  snis: { type: 'array', elements: sni },
  ca_certificates: { type: 'array', elements: caCertificate },
  // top-level credentials name their consumer (resolve-credentials.ts)
  ...Object.fromEntries(Object.entries(CREDENTIAL_SCHEMAS).map(([kind, schema]) => [kind, { type: 'array', elements: schema }])),
}
for (const entity of UNSUPPORTED_ENTITIES) fields[entity] = unsupported(`'${entity}' entities are`)
for (const setting of SETTING_NAMES) fields[setting] = { type: 'any' }

export const document: RecordField = { type: 'record', fields }
