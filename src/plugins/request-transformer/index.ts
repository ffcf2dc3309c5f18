// Kong's request-transformer plugin (kong/plugins/request-transformer/): rewrites the request sent upstream
// (method, path, headers, query, JSON and form bodies) with remove / rename / replace / add / append rules
// whose values may be templates.
//   schema.ts     config schema, templates parsed and refused at load (main thread and Admin API)
//   template.ts   the template subset: parsed at load, rendered per request
//   pairs.ts      "name:value" entries and header name checks (shared with response-transformer)
//   compile.ts    config to rule lists, once per instance (proxy workers)
//   transform.ts  the transformations, pure
//   args.ts       query and form arguments, encoded as kong.service.request.set_query
//   handler.ts    the access phase (proxy workers)

import type { PluginDescriptor } from '../types.ts'
import { requestTransformerSchema } from './schema.ts'

export const requestTransformer: PluginDescriptor = {
  name: 'request-transformer',
  // kong/plugins/request-transformer/handler.lua: PRIORITY = 801
  PRIORITY: 801,
  VERSION: '3.9.0',
  schema: requestTransformerSchema,
  handler: async () => (await import('./handler.ts')).createRequestTransformer,
  mainService: null,
  workerService: null
}
