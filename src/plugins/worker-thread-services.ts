// Builds, once per proxy worker, the services plugins share inside that worker (for openid-connect: the
// shared token cache view, the signer client, the issuer snapshots pushed by the main thread): one per
// bundled plugin (bundled.ts) whose descriptor has a workerService.

import type { MessagePort } from 'node:worker_threads'
import type { Settings } from '../config/types.ts'
import type { Logger } from '../core/log.ts'
import type { RedisClients } from '../redis/clients.ts'
import { BUNDLED_PLUGINS } from './bundled.ts'
import type { PluginDescriptor, PluginServices } from './types.ts'

export interface WorkerPluginService {
  onMessage (payload: unknown): void
}

export async function setupPluginServices (settings: Settings, pluginData: Readonly<Record<string, unknown>>,
  port: MessagePort, logger: Logger, plugins: readonly PluginDescriptor[] = BUNDLED_PLUGINS,
  redis: RedisClients | null = null): Promise<PluginServices> {
  const byPlugin = new Map<string, WorkerPluginService>()
  for (const plugin of plugins) {
    if (plugin.workerService === null) continue
    const factory = await plugin.workerService()
    byPlugin.set(plugin.name, await factory(settings, pluginData[plugin.name], port, logger))
  }
  return {
    settings,
    byPlugin,
    redis,
    onMessage (plugin: string, payload: unknown): void {
      byPlugin.get(plugin)?.onMessage(payload)
    }
  }
}
