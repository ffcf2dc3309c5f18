// Kong's prometheus plugin as an entity (kong/plugins/prometheus/): its flags choose which per-request
// families are recorded for the requests it applies to and which GET /metrics writes
// (metrics/families.ts says how, and how Tollgate differs when no prometheus plugin is configured).
//   schema.ts   config schema (config load, main thread and Admin API)
//   handler.ts  the log phase (proxy workers)
// GET /metrics itself is the Admin API's (admin/metrics-endpoint.ts), with or without this plugin.

import type { PluginDescriptor } from '../types.ts'
import { prometheusSchema } from './schema.ts'

export const prometheus: PluginDescriptor = {
  name: 'prometheus',
  // kong/plugins/prometheus/handler.lua: PRIORITY = 13
  PRIORITY: 13,
  VERSION: '3.9.0',
  schema: prometheusSchema,
  handler: async () => (await import('./handler.ts')).createPrometheus,
  mainService: null,
  workerService: null
}
