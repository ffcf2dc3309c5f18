// Entities as they may be shown (Admin API output, logs): each plugin's secret config fields, as its schema
// marks them, replaced by "<redacted>".

import { pluginSchemas } from '../plugins/schemas.ts'
import type { Entities, Plugin } from './types.ts'
import { redact } from './schema/engine.ts'

function redactPlugin (plugin: Plugin): Plugin {
  const info = pluginSchemas.get(plugin.name)
  // a loaded config only holds known plugins; should one slip through, show none of its config
  const config = info === undefined ? {} : redact(info.configSchema, plugin.config) as Record<string, unknown>
  return { ...plugin, config }
}

export function redactedEntities (entities: Entities): Entities {
  return { ...entities, plugins: entities.plugins.map(redactPlugin) }
}
