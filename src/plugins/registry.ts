// Plugins this build ships, by Kong name: the schema side (src/plugins/schemas.ts, used on the main thread
// to validate configs) joined with the handler side that proxy workers instantiate.

import type { Plugin } from '../config/types.ts'
import { pluginSchemas } from './schemas.ts'
import type { PluginInstance, PluginModule, PluginServices } from './types.ts'
import { createRequestTermination } from './request-termination/handler.ts'
import { createOpenIdConnect } from './openid-connect/handler.ts'

type Factory = (plugin: Plugin, priority: number, services: PluginServices) => PluginInstance

const FACTORIES: ReadonlyMap<string, Factory> = new Map<string, Factory>([
  ['request-termination', createRequestTermination],
  ['openid-connect', createOpenIdConnect]
])

export function pluginModules (): ReadonlyMap<string, PluginModule> {
  const modules = new Map<string, PluginModule>()
  for (const [name, info] of pluginSchemas) {
    const factory = FACTORIES.get(name)
    if (factory === undefined) continue
    modules.set(name, {
      name,
      PRIORITY: info.PRIORITY,
      VERSION: info.VERSION,
      configSchema: info.configSchema,
      noConsumer: info.noConsumer,
      create: (plugin, services) => factory(plugin, info.PRIORITY, services)
    })
  }
  return modules
}
