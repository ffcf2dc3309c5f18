// Kong's basic-auth plugin (kong/plugins/basic-auth/): identifies the consumer by a username and password in
// a Basic Authorization (or Proxy-Authorization) header, checked against the basicauth_credentials of the config.
//   schema.ts        config schema (config load, main thread and Admin API)
//   basic-header.ts  the header parsed as Kong's retrieve_credentials (pure, proxy workers)
//   handler.ts       the access phase (proxy workers)
// The credentials are entities (src/config/schema/credentials.ts), their passwords hashed at load
// (config/resolve-credentials.ts) and indexed by username per compile (config/credential-index.ts).
// No main-thread or worker service, no Admin routes of its own (/basic-auths is src/admin/entity-endpoints.ts).

import type { PluginDescriptor } from '../types.ts'
import { basicAuthSchema } from './schema.ts'

export const basicAuth: PluginDescriptor = {
  name: 'basic-auth',
  // kong/plugins/basic-auth/handler.lua: PRIORITY = 1100
  PRIORITY: 1100,
  VERSION: '3.9.0',
  schema: basicAuthSchema,
  handler: async () => (await import('./handler.ts')).createBasicAuth,
  mainService: null,
  workerService: null
}
