// Kong's openid-connect plugin, client credentials grant: the caller's client id and secret buy an access
// token from the IdP, cached in the shared token cache, and the upstream gets `Authorization: Bearer`.
//
// The hot path (access with a cached token) is the first block of `access`: the Authorization header
// string looks up the credentials already resolved for it (no base64, no hashing), the shared cache
// answers synchronously, and the precomputed header value is set. No Promise, no crypto, no JSON.
// Everything else (first sight of a credential, a miss, renewals, errors) is in token-flow.ts.

import type { Plugin } from '../../../config/types.ts'
import { HIT } from '../../../cache/index.ts'
import type { PhaseResult, PluginInstance, PluginServices, ProxyContext } from '../../types.ts'
import { OIDC_PLUGIN } from '../shared/messages.ts'
import type { OidcWorkerService } from './worker-service.ts'
import { OidcFlow } from './token-flow.ts'
import type { OidcConfig } from './oidc-config.ts'

export function createOpenIdConnect (plugin: Plugin, priority: number, services: PluginServices): PluginInstance {
  const service = services.byPlugin.get(OIDC_PLUGIN) as OidcWorkerService
  const config = plugin.config as unknown as OidcConfig
  const flow = new OidcFlow(config, service, plugin.id)
  const cache = flow.cache
  const memo = flow.memo.entries
  const headerName = flow.upstreamHeader
  const headerFirst = config.client_credentials_param_type[0] === 'header'
  const skipPreflight = !config.run_on_preflight

  function access (ctx: ProxyContext): PhaseResult {
    const headers = ctx.req.headers
    if (skipPreflight && ctx.req.method === 'OPTIONS') return
    const authorization = headers.authorization
    if (headerFirst && cache !== null && authorization !== undefined &&
        headers['grant-type'] === undefined && headers['x-grant-type'] === undefined) {
      const known = memo.get(authorization)
      if (known !== undefined) {
        const status = cache.lookup(known.digest, flow.staleMs)
        if (status === HIT) {
          ctx.upstreamHeaders[headerName] = cache.value!.upstreamValue
          if (flow.hideCredentials) flow.hide(ctx, 'header')
          return
        }
        return flow.resolve(ctx, known, status)
      }
    }
    return flow.authenticate(ctx)
  }

  return Object.freeze({
    name: plugin.name,
    id: plugin.id,
    priority,
    access,
    headerFilter: null,
    log: null,
    close: () => flow.close()
  })
}
