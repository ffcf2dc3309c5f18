// What config loading needs of every bundled plugin (bundled.ts), by Kong name: its config schema,
// PRIORITY, VERSION and whether it may be scoped to a consumer and to a consumer group. Importing this loads schema code only,
// never a handler, so validating a config on the main thread or in the Admin API stays light.

import { BUNDLED_PLUGINS } from './bundled.ts'
import type { PluginSchemaInfo } from './types.ts'

export type { PluginSchemaInfo } from './types.ts'

export const pluginSchemas: ReadonlyMap<string, PluginSchemaInfo> = new Map(BUNDLED_PLUGINS.map((plugin) => [plugin.name, {
  name: plugin.name,
  PRIORITY: plugin.PRIORITY,
  VERSION: plugin.VERSION,
  noConsumer: plugin.schema.noConsumer,
  consumerGroups: plugin.schema.consumerGroups === true,
  configSchema: plugin.schema.configSchema
}]))
