// Kong's acl plugin (kong/plugins/acl/): lets a request through, or not, by the groups of the consumer an
// auth plugin identified (the acls of the config) or the groups another plugin authenticated.
//   schema.ts   config schema (config load, main thread and Admin API)
//   verdict.ts  the allow / deny decision for a list of groups (pure, proxy workers)
//   handler.ts  the access phase (proxy workers)
// The acls are entities (src/config/schema/credentials.ts), grouped by consumer per compile
// (config/credential-index.ts). No main-thread or worker service, no Admin routes of its own
// (/acls is src/admin/entity-endpoints.ts).

import type { PluginDescriptor } from '../types.ts'
import { aclSchema } from './schema.ts'

export const acl: PluginDescriptor = {
  name: 'acl',
  // kong/plugins/acl/handler.lua: ACLHandler.PRIORITY = 950
  PRIORITY: 950,
  VERSION: '3.9.0',
  schema: aclSchema,
  handler: async () => (await import('./handler.ts')).createAcl,
  mainService: null,
  workerService: null
}
