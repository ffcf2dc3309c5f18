// Kong's key-auth plugin (kong/plugins/key-auth/): identifies the consumer by an API key sent in a header,
// a query argument or the body, looked up in the keyauth_credentials of the config.
//   schema.ts      config schema (config load, main thread and Admin API)
//   key-lookup.ts  where a key is found in a request and how it is removed (pure, proxy workers)
//   handler.ts     the access phase (proxy workers)
// The credentials are entities (src/config/schema/credentials.ts), indexed per compile (config/credential-index.ts).
// No main-thread or worker service, no Admin routes of its own (/key-auths is src/admin/entity-endpoints.ts).

import type { PluginDescriptor } from '../types.ts'
import { keyAuthSchema } from './schema.ts'

export const keyAuth: PluginDescriptor = {
  name: 'key-auth',
  // kong/plugins/key-auth/handler.lua: PRIORITY = 1250
  PRIORITY: 1250,
  VERSION: '3.9.0',
  schema: keyAuthSchema,
  handler: async () => (await import('./handler.ts')).createKeyAuth,
  mainService: null,
  workerService: null
}
