// Kong's openid-connect plugin: the client credentials grant, and the bearer and introspection auth methods
// (the gateway as a resource server). One folder per time its code runs:
//   config/  config load: schema.ts (validation, main thread and Admin API) with auth-method-fields.ts,
//            cluster-cache-fields.ts, jwk-schema.ts, kong-fields*.ts and deprecated-fields.ts; a worker
//            building an instance reuses jwk-schema.ts
//   main/    main thread, once per gateway: main-service.ts (issuer discovery issuers.ts with
//            discovery-fetch.ts, gateway keys keys.ts, the signing pool, the token cache buffers) and its
//            Admin routes admin.ts
//   worker/  proxy workers: worker-service.ts (once per worker) and handler.ts (per plugin instance; the hot
//            paths), which delegates everything past a cached token to token-flow.ts (client credentials)
//            and resource-flow.ts (bearer, introspection; what a token grants: grant.ts) and the modules
//            they use; both share their fills between nodes through Redis (cluster-cache-items.ts,
//            cluster-cache.ts, cluster-cache-seal.ts)
//   shared/  both threads: messages.ts (what they send each other), oidc-metrics.ts (workers count IdP
//            calls, the main thread reports them), cluster-cache-stats.ts (the Redis level's counters),
//            issuer-url.ts, exchange-deadline.ts
// Each folder loads its own files and shared/'s, and worker/ loads config/jwk-schema.ts; main/ and worker/
// never load each other, and shared/ loads neither (the one crossing, IssuerSnapshot, is a type).
// test/plugins/openid-connect/18-layout.test.ts holds the folder to this map.

import type { PluginDescriptor } from '../types.ts'
import type { OidcWorkerData } from './shared/messages.ts'
import { openIdConnectSchema } from './config/schema.ts'

export const openIdConnect: PluginDescriptor = {
  name: 'openid-connect',
  // an Enterprise plugin (no handler.lua in Kong/kong); its PRIORITY is in Kong's plugin execution order
  // table, https://docs.konghq.com/konnect/reference/plugins/ (between basic-auth 1100 and hmac-auth 1030)
  PRIORITY: 1050,
  VERSION: '3.9.0',
  schema: openIdConnectSchema,
  handler: async () => (await import('./worker/handler.ts')).createOpenIdConnect,
  mainService: async () => (await import('./main/main-service.ts')).createOidcMainService,
  workerService: async () => {
    const { OidcWorkerService } = await import('./worker/worker-service.ts')
    return (settings, data, port, logger) => new OidcWorkerService(settings, data as OidcWorkerData, port, logger)
  }
}
