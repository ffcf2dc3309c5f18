// The handler side of every bundled plugin (bundled.ts), for a proxy worker: each handler module is
// imported once when the worker starts, so that compiling a config (and building each route's chain)
// stays synchronous and a request never looks a plugin up.

import { BUNDLED_PLUGINS } from './bundled.ts'
import type { PluginDescriptor, PluginModule } from './types.ts'

export async function loadPluginModules (
  plugins: readonly PluginDescriptor[] = BUNDLED_PLUGINS
): Promise<ReadonlyMap<string, PluginModule>> {
  const modules = new Map<string, PluginModule>()
  for (const plugin of plugins) {
    const factory = await plugin.handler()
    const { name, PRIORITY, VERSION, schema } = plugin
    modules.set(name, {
      name,
      PRIORITY,
      VERSION,
      configSchema: schema.configSchema,
      noConsumer: schema.noConsumer,
      create: (entity, services, view) => factory(entity, PRIORITY, services, view)
    })
  }
  return modules
}
