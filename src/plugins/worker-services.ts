// Builds, once per proxy worker, the services plugins share inside that worker (for openid-connect: the
// shared token cache view, the signer client, the issuer snapshots pushed by the main thread).

import type { MessagePort } from 'node:worker_threads'
import type { Settings } from '../config/types.ts'
import type { Logger } from '../core/log.ts'
import type { PluginServices } from './types.ts'
import { OidcWorkerService } from './openid-connect/worker-service.ts'
import type { OidcWorkerData } from './openid-connect/messages.ts'

export interface WorkerPluginService {
  onMessage (payload: unknown): void
}

type ServiceFactory = (settings: Settings, data: unknown, port: MessagePort, logger: Logger) => Promise<WorkerPluginService> | WorkerPluginService

const FACTORIES: ReadonlyMap<string, ServiceFactory> = new Map<string, ServiceFactory>([
  ['openid-connect', (settings, data, port, logger) => new OidcWorkerService(settings, data as OidcWorkerData, port, logger)]
])

export async function setupPluginServices (settings: Settings, pluginData: Readonly<Record<string, unknown>>,
  port: MessagePort, logger: Logger): Promise<PluginServices> {
  const byPlugin = new Map<string, WorkerPluginService>()
  for (const [name, factory] of FACTORIES) {
    byPlugin.set(name, await factory(settings, pluginData[name], port, logger))
  }
  return {
    settings,
    byPlugin,
    onMessage (plugin: string, payload: unknown): void {
      byPlugin.get(plugin)?.onMessage(payload)
    }
  }
}
