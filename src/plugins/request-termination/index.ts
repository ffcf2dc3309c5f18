// Kong's request-termination plugin (kong/plugins/request-termination/): answers requests itself with a
// fixed status and message or body, or echoes them back, optionally only when a trigger is present.
//   schema.ts   config schema and Kong's custom_validator (config load, main thread and Admin API)
//   handler.ts  the access phase (proxy workers)
// No main-thread or worker service, no Admin routes.

import type { PluginDescriptor } from '../types.ts'
import { requestTerminationSchema } from './schema.ts'

export const requestTermination: PluginDescriptor = {
  name: 'request-termination',
  // kong/plugins/request-termination/handler.lua: PRIORITY = 2, among the last to run in access
  PRIORITY: 2,
  VERSION: '3.9.0',
  schema: requestTerminationSchema,
  handler: async () => (await import('./handler.ts')).createRequestTermination,
  mainService: null,
  workerService: null
}
