// Kong's cors plugin (kong/plugins/cors/): answers CORS preflight requests and adds the CORS response
// headers to the others.
//   schema.ts      config schema (config load, main thread and Admin API)
//   origins.ts     which origin is allowed: compiled once per instance, matched per request (workers)
//   lua-number.ts  Lua's tostring for max_age (workers, at instance creation)
//   handler.ts     the access and header_filter phases (proxy workers)
// No main-thread or worker service, no Admin routes.

import type { PluginDescriptor } from '../types.ts'
import { corsSchema } from './schema.ts'

export const cors: PluginDescriptor = {
  name: 'cors',
  // kong/plugins/cors/handler.lua: PRIORITY = 2000, before the auth plugins, so that a preflight (which
  // carries no credentials) is answered before they could refuse it
  PRIORITY: 2000,
  VERSION: '3.9.0',
  schema: corsSchema,
  handler: async () => (await import('./handler.ts')).createCors,
  mainService: null,
  workerService: null
}
