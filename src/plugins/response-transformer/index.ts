// Kong's response-transformer plugin (kong/plugins/response-transformer/): rewrites the response headers
// and, for JSON responses, the body, with remove / rename / replace / add / append rules.
//   schema.ts     config schema (config load, main thread and Admin API)
//   transform.ts  rules compiled once per instance, and the transformations, pure
//   handler.ts    header_filter and the JSON body filter (proxy workers; buffering in proxy/body-filter.ts)

import type { PluginDescriptor } from '../types.ts'
import { responseTransformerSchema } from './schema.ts'

export const responseTransformer: PluginDescriptor = {
  name: 'response-transformer',
  // kong/plugins/response-transformer/handler.lua: PRIORITY = 800
  PRIORITY: 800,
  VERSION: '3.9.0',
  schema: responseTransformerSchema,
  handler: async () => (await import('./handler.ts')).createResponseTransformer,
  mainService: null,
  workerService: null
}
