// The main-thread side of plugins: what exists once per gateway rather than once per worker (for
// openid-connect: issuer discovery, the gateway's signing keys, the piscina signing pool, the shared
// token cache buffers) and the Admin API routes a plugin adds.

import type { LoadedConfig } from '../config/types.ts'
import type { Logger } from '../core/log.ts'
import type { AdminHandler } from '../admin/types.ts'

export interface MainPluginService {
  /** structured-cloneable data every worker receives in workerData.pluginData[name] */
  readonly workerData: unknown
  /** Admin API routes the plugin adds (e.g. /openid-connect/issuers), or null */
  readonly admin: AdminHandler | null
  /** a config became live (at start and after each reload) */
  onConfig (config: LoadedConfig): void
  /** a worker sent this plugin a message */
  onWorkerMessage (payload: unknown, workerIndex: number): void
  close (): Promise<void>
}

export interface MainServicesContext {
  readonly logger: Logger
  /** sends a payload to this plugin's services in every worker */
  broadcast (plugin: string, payload: unknown): void
  /** sends a payload to this plugin's services in one worker */
  send (plugin: string, workerIndex: number, payload: unknown): void
}

type MainServiceFactory = (config: LoadedConfig, context: MainServicesContext) => Promise<MainPluginService>

const FACTORIES: ReadonlyMap<string, MainServiceFactory> = new Map<string, MainServiceFactory>()

export async function setupMainPluginServices (config: LoadedConfig, context: MainServicesContext): Promise<Map<string, MainPluginService>> {
  const services = new Map<string, MainPluginService>()
  for (const [name, factory] of FACTORIES) services.set(name, await factory(config, context))
  return services
}
