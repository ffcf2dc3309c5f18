// The handler side of every bundled plugin (bundled.ts), for a proxy worker. A worker imports the
// handler modules of the plugins its config uses, before compiling that config, so that compiling (and
// building each route's chain) stays synchronous and a request never looks a plugin up. A reload that
// uses a plugin no config of this worker used before imports its module first (http-worker.ts prepare).
// A handler module can be heavy (openid-connect's, with jose, takes 60 to 100 ms to load on Node 24):
// a worker whose config does not use it does not pay for it at each start.

import type { LoadedConfig } from '../config/types.ts'
import { BUNDLED_PLUGINS } from './bundled.ts'
import type { PluginDescriptor, PluginModule } from './types.ts'

/** Every bundled plugin's module (tests, and any caller that wants them all). */
export async function loadPluginModules (
  plugins: readonly PluginDescriptor[] = BUNDLED_PLUGINS
): Promise<ReadonlyMap<string, PluginModule>> {
  const loaded = new PluginModules(plugins)
  await loaded.load(plugins.map((plugin) => plugin.name))
  return loaded.modules
}

/** The plugins a config instantiates: its enabled plugin entities' names. */
export function pluginNamesIn (config: LoadedConfig): Set<string> {
  const names = new Set<string>()
  for (const plugin of config.entities.plugins) if (plugin.enabled) names.add(plugin.name)
  return names
}

/** A worker's plugin modules: those loaded so far, by name; `load` adds more. */
export class PluginModules {
  /** what compileRuntime looks plugins up in (CompileDeps.plugins): grows as `load` adds modules */
  readonly modules = new Map<string, PluginModule>()
  readonly #descriptors: ReadonlyMap<string, PluginDescriptor>

  constructor (plugins: readonly PluginDescriptor[] = BUNDLED_PLUGINS) {
    this.#descriptors = new Map(plugins.map((plugin) => [plugin.name, plugin]))
  }

  /** true when every bundled plugin among `names` is loaded (an unknown name is compileRuntime's error) */
  has (names: Iterable<string>): boolean {
    for (const name of names) if (!this.modules.has(name) && this.#descriptors.has(name)) return false
    return true
  }

  async load (names: Iterable<string>): Promise<void> {
    for (const name of names) {
      const plugin = this.#descriptors.get(name)
      if (plugin === undefined || this.modules.has(name)) continue
      const factory = await plugin.handler()
      const { PRIORITY, VERSION, schema } = plugin
      this.modules.set(name, {
        name,
        PRIORITY,
        VERSION,
        configSchema: schema.configSchema,
        noConsumer: schema.noConsumer,
        create: (entity, services, view) => factory(entity, PRIORITY, services, view)
      })
    }
  }
}
