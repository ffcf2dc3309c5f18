// Kong's correlation-id plugin (kong/plugins/correlation-id/): gives every request an id in a header
// (kept when the client sent one), for upstreams and logs, and optionally echoes it to the client.
//   schema.ts      config schema (config load, main thread and Admin API)
//   handler.ts     the access and header_filter phases (proxy workers)
//   generators.ts  uuid, uuid#counter and tracker, per worker thread (proxy workers)
// No main-thread or worker service, no Admin routes.

import type { PluginDescriptor } from '../types.ts'
import { correlationIdSchema } from './schema.ts'

export const correlationId: PluginDescriptor = {
  name: 'correlation-id',
  // kong/plugins/correlation-id/handler.lua: PRIORITY = 100001, the first plugin to run, so the id
  // exists before any other plugin (auth included) may answer or log
  PRIORITY: 100001,
  VERSION: '3.9.0',
  schema: correlationIdSchema,
  handler: async () => (await import('./handler.ts')).createCorrelationId,
  mainService: null,
  workerService: null
}
