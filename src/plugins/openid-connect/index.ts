// Kong's openid-connect plugin, client credentials grant. Which file runs where:
//   config load (main thread, Admin API): schema.ts, with jwk-schema.ts, kong-fields*.ts
//   main thread, once per gateway: main-service.ts (issuer discovery issuers.ts, gateway keys keys.ts,
//     the signing pool, the token cache buffers, oidc-metrics.ts) and its Admin routes admin.ts
//   proxy workers: worker-service.ts (once per worker) and handler.ts (per plugin instance; the hot path),
//     which delegates everything past a cached token to token-flow.ts and the modules it uses
//   messages.ts: what the main thread and the workers send each other

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
