// The main-thread side of plugins: what exists once per gateway rather than once per worker (for
// openid-connect: issuer discovery, the gateway's signing keys, the piscina signing pool, the shared
// token cache buffers) and the Admin API routes a plugin adds. One per bundled plugin (bundled.ts) whose
// descriptor has a mainService.

import type { TransferListItem } from 'node:worker_threads'
import type { LoadedConfig } from '../config/types.ts'
import type { Logger } from '../core/log.ts'
import type { AdminHandler } from '../admin/types.ts'
import type { MetricsSource } from '../metrics/types.ts'
import { BUNDLED_PLUGINS } from './bundled.ts'
import type { PluginDescriptor } from './types.ts'

export interface MainPluginService {
  /**
   * What a starting worker receives in workerData.pluginData[name] (structured-cloneable), with the
   * objects to transfer rather than copy (e.g. a MessagePort of its own). Called at every worker start.
   */
  workerData (workerIndex: number): { readonly data: unknown, readonly transfer: readonly TransferListItem[] }
  /** Admin API routes the plugin adds (e.g. /openid-connect/issuers), or null */
  readonly admin: AdminHandler | null
  /** what the plugin adds to GET /metrics, or null */
  readonly metrics: MetricsSource | null
  /** a config became live (at start and after each reload) */
  onConfig (config: LoadedConfig): void
  /** a worker sent this plugin a message */
  onWorkerMessage (payload: unknown, workerIndex: number): void
  /** a worker thread ended (crash or stop): release what it held in shared state */
  onWorkerExit (threadId: number): void
  close (): Promise<void>
}

export interface MainServicesContext {
  readonly logger: Logger
  /** sends a payload to this plugin's services in every worker */
  broadcast (plugin: string, payload: unknown): void
  /** sends a payload to this plugin's services in one worker */
  send (plugin: string, workerIndex: number, payload: unknown): void
}

export async function setupMainPluginServices (config: LoadedConfig, context: MainServicesContext,
  plugins: readonly PluginDescriptor[] = BUNDLED_PLUGINS): Promise<Map<string, MainPluginService>> {
  const services = new Map<string, MainPluginService>()
  for (const plugin of plugins) {
    if (plugin.mainService === null) continue
    const factory = await plugin.mainService()
    services.set(plugin.name, await factory(config, context))
  }
  return services
}
