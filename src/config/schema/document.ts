// The whole config.json: Kong's declarative format (as DB-less kong.yml or a decK dump holds it) plus the
// kong.conf-style settings beside it at the top level. Settings pass through here untyped and are parsed by
// settings.ts; everything else that is not listed is an "unknown field".

import { SETTING_NAMES } from '../settings.ts'
import { CREDENTIAL_KEYS, consumer } from './consumer.ts'
import { annotations, unsupported } from './fields.ts'
import { plugin } from './plugin.ts'
import { route } from './route.ts'
import { service } from './service.ts'
import type { FieldSchema, RecordField } from './typedefs.ts'

/** Kong entity types Tollgate has no use for: accepted only when empty, so nothing is silently dropped. */
const UNSUPPORTED_ENTITIES = [
  'upstreams', 'targets', 'certificates', 'ca_certificates', 'snis', 'vaults', 'consumer_groups',
  'key_sets', 'keys', 'filter_chains', 'partials', 'custom_entities', ...CREDENTIAL_KEYS,
]

const fields: Record<string, FieldSchema> = {
  _format_version: { type: 'string', required: true, one_of: ['1.1', '2.1', '3.0'] },
  _transform: { type: 'boolean', default: true },
  ...annotations,
  // decK's own keys, meaningless to the gateway
  _workspace: { type: 'string' },
  _info: { type: 'any' },
  _konnect: { type: 'any' },
  services: { type: 'array', elements: service },
  routes: { type: 'array', elements: route },
  consumers: { type: 'array', elements: consumer },
  plugins: { type: 'array', elements: plugin },
}
for (const entity of UNSUPPORTED_ENTITIES) fields[entity] = unsupported(`'${entity}' entities are`)
for (const setting of SETTING_NAMES) fields[setting] = { type: 'any' }

export const document: RecordField = { type: 'record', fields }
