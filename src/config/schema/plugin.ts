// The plugin entity (Kong's kong/db/schema/entities/plugins.lua). `config` is only checked to be a record
// here: it is validated against the named plugin's own schema once the name is known (config/plugins.ts).

import { annotations, foreign, name, pluginProtocols, tags, timestamp, unsupported, uuid } from './typedefs.ts'
import type { RecordField } from './engine.ts'

function isRecord (value: unknown): string | null {
  return value === null || (typeof value === 'object' && !Array.isArray(value)) ? null : 'expected a record'
}

export const plugin: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    name: { type: 'string', required: true },
    instance_name: name,
    config: { type: 'any', custom: isRecord },
    enabled: { type: 'boolean', required: true, default: true },
    protocols: pluginProtocols,
    tags,
    /** scope: a name or id string, `{name}` or `{id}`; or given by nesting under that entity */
    service: foreign,
    route: foreign,
    consumer: foreign,
    /** Kong Enterprise: a consumer group, for the plugins that allow that scope (config/plugins.ts) */
    consumer_group: foreign,
    ordering: unsupported('dynamic plugin ordering is'),
    partials: unsupported('partials are'),
    /** decK: the name of a shared config in the file's `_plugin_configs`, merged under `config` (deck-file.ts) */
    _config: { type: 'string', omit: true },
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
}
