// The one bundled list (bundled.ts) and what is derived from it: the schemas config loading uses, the
// main-thread services (which serve the Admin routes), the per-worker services. A plugin is one folder
// whose index.ts exports its descriptor, named as the folder.

import t from 'tap'
import { readdirSync, statSync } from 'node:fs'
import { MessageChannel } from 'node:worker_threads'
import { BUNDLED_PLUGINS } from '../../../src/plugins/bundled.ts'
import { pluginSchemas } from '../../../src/plugins/schemas.ts'
import { setupMainPluginServices, type MainPluginService } from '../../../src/plugins/main-thread-services.ts'
import { setupPluginServices } from '../../../src/plugins/worker-thread-services.ts'
import type { PluginDescriptor } from '../../../src/plugins/types.ts'
import type { LoadedConfig, Settings } from '../../../src/config/types.ts'
import { createLogger } from '../../../src/core/log.ts'

const PLUGINS_DIR = new URL('../../../src/plugins/', import.meta.url)

t.test('every plugin folder is bundled, under its own name, and every bundled plugin has a folder', async (t) => {
  const folders = readdirSync(PLUGINS_DIR).filter((name) => statSync(new URL(name, PLUGINS_DIR)).isDirectory()).sort()
  t.strictSame(BUNDLED_PLUGINS.map((p) => p.name).sort(), folders)
  for (const plugin of BUNDLED_PLUGINS) {
    const index = await import(new URL(`${plugin.name}/index.ts`, PLUGINS_DIR).href) as Record<string, unknown>
    t.ok(Object.values(index).includes(plugin), `${plugin.name}/index.ts exports the bundled descriptor`)
    t.equal(plugin.schema.name, plugin.name, `${plugin.name}: the schema has the plugin's name`)
  }
  t.equal(new Set(BUNDLED_PLUGINS.map((p) => p.name)).size, BUNDLED_PLUGINS.length, 'no name twice')
})

t.test('the schemas config loading uses are the bundled plugins\'', async (t) => {
  t.strictSame([...pluginSchemas.keys()], BUNDLED_PLUGINS.map((p) => p.name), 'same plugins, same order')
  for (const plugin of BUNDLED_PLUGINS) {
    t.strictSame(pluginSchemas.get(plugin.name), {
      name: plugin.name,
      PRIORITY: plugin.PRIORITY,
      VERSION: plugin.VERSION,
      noConsumer: plugin.schema.noConsumer,
      consumerGroups: plugin.schema.consumerGroups === true,
      configSchema: plugin.schema.configSchema
    })
  }
})

t.test('main-thread and worker services exist for the descriptors that declare them, under their names', async (t) => {
  const made: string[] = []
  const mainService = (name: string): MainPluginService => ({
    workerData: () => ({ data: `data of ${name}`, transfer: [] }),
    admin: null,
    metrics: null,
    onConfig () {},
    onWorkerMessage () {},
    onWorkerExit () {},
    close: async () => {}
  })
  const descriptor = (name: string, services: boolean): PluginDescriptor => ({
    name,
    PRIORITY: 1,
    VERSION: '0',
    schema: { name, noConsumer: false, configSchema: { type: 'record', fields: {} } },
    handler: async () => { throw new Error('not loaded here') },
    mainService: services ? async () => async () => { made.push(`main ${name}`); return mainService(name) } : null,
    workerService: services
      ? async () => (_settings, data) => { made.push(`worker ${name} got ${String(data)}`); return { onMessage () {} } }
      : null
  })
  const plugins = [descriptor('with-services', true), descriptor('plain', false)]
  const logger = createLogger('error')
  const main = await setupMainPluginServices({} as LoadedConfig, { logger, broadcast () {}, send () {} }, plugins)
  t.strictSame([...main.keys()], ['with-services'])
  const { port1, port2 } = new MessageChannel()
  t.teardown(() => { port1.close(); port2.close() })
  const worker = await setupPluginServices({} as Settings, { 'with-services': main.get('with-services')!.workerData(0).data }, port1, logger, plugins)
  t.strictSame([...worker.byPlugin.keys()], ['with-services'])
  t.strictSame(made, ['main with-services', 'worker with-services got data of with-services'])
})

t.test('of the bundled plugins, openid-connect and rate-limiting have main-thread and worker services', async (t) => {
  t.strictSame(BUNDLED_PLUGINS.filter((p) => p.mainService !== null).map((p) => p.name), ['openid-connect', 'rate-limiting'])
  t.strictSame(BUNDLED_PLUGINS.filter((p) => p.workerService !== null).map((p) => p.name), ['openid-connect', 'rate-limiting'])
})

t.test('the plugins that may be scoped to a consumer group (Kong Enterprise\'s plugin scopes reference)', async (t) => {
  const allowed = BUNDLED_PLUGINS.filter((p) => p.schema.consumerGroups === true).map((p) => p.name).sort()
  t.strictSame(allowed, ['rate-limiting', 'request-termination', 'request-transformer', 'response-transformer'])
})
