// Every plugin the gateway knows, by Kong name, with what config loading needs: its config schema,
// priority, version and whether it may be scoped to a consumer. Kept apart from the handlers (registry.ts)
// so that validating a config on the main thread or in the Admin API never loads handler code.

import type { FieldSchema } from '../config/schema/typedefs.ts'
import { requestTerminationSchema } from './request-termination/schema.ts'
import { openIdConnectSchema } from './openid-connect/schema.ts'

export interface PluginSchemaInfo {
  /** Kong's name, e.g. "request-termination" */
  readonly name: string
  readonly PRIORITY: number
  readonly VERSION: string
  /** schema of the plugin entity's `config` record */
  readonly configSchema: FieldSchema
  /** Kong's no_consumer: the plugin cannot be scoped to a consumer */
  readonly noConsumer: boolean
}

const all: readonly PluginSchemaInfo[] = [
  requestTerminationSchema,
  openIdConnectSchema
]

export const pluginSchemas: ReadonlyMap<string, PluginSchemaInfo> = new Map(all.map((info) => [info.name, info]))
