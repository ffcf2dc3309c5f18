// Kong's rate-limiting plugin (kong/plugins/rate-limiting/) with policy local, its counters shared by
// every proxy worker so that a limit holds exactly across them. Which file runs where:
//   schema.ts          config schema (config load: main thread and Admin API)
//   main-service.ts    main thread, once per gateway: allocates the counters' SharedArrayBuffer
//   worker-service.ts  proxy workers, once per worker: maps it (counters/table.ts) and keeps the windows
//   handler.ts         proxy workers, per plugin instance: the access and header_filter phases, with
//                      identifier.ts (limit_by), headers.ts (what the client is told), windows.ts
//   counters/          the shared table: layout.ts (byte layout, allocation), table.ts (counting), hash.ts

import type { PluginDescriptor } from '../types.ts'
import { rateLimitingSchema } from './schema.ts'
import type { RateLimitingWorkerData } from './worker-service.ts'

export const rateLimiting: PluginDescriptor = {
  name: 'rate-limiting',
  // kong/plugins/rate-limiting/handler.lua: PRIORITY = 910, after the auth plugins (so limit_by consumer
  // sees the consumer), before request-termination (2)
  PRIORITY: 910,
  VERSION: '3.9.0',
  schema: rateLimitingSchema,
  handler: async () => (await import('./handler.ts')).createRateLimiting,
  mainService: async () => (await import('./main-service.ts')).createRateLimitingMainService,
  workerService: async () => {
    const { RateLimitingWorkerService } = await import('./worker-service.ts')
    return (_settings, data, _port, logger) => new RateLimitingWorkerService(data as RateLimitingWorkerData, logger)
  }
}
