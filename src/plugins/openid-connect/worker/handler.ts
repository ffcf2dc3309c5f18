// Kong's openid-connect plugin: the client credentials grant (the caller's client id and secret buy an
// access token from the IdP, cached in the shared token cache) and the resource server methods, bearer
// (a JWT verified at the gateway) and introspection (RFC 7662). As Kong's handler.lua, a bearer token is
// looked for first; a request without one goes on to the client credentials grant when it is enabled.
//
// The hot paths are the first blocks of `access`, keyed by the Authorization header string as it came:
// a memoised bearer grant (a map lookup and a clock read), a memoised introspection cache key (then the
// shared cache answers synchronously), or memoised client credentials (then the shared cache answers).
// No Promise, no crypto, no JSON on any of them. Everything else is in resource-flow.ts and
// token-flow.ts.

import type { Plugin } from '../../../config/types.ts'
import { HIT } from '../../../cache/index.ts'
import { clearConsumerHeaders } from '../../consumer-headers.ts'
import type { ConfigView, PhaseResult, PluginInstance, PluginServices, ProxyContext } from '../../types.ts'
import { OIDC_PLUGIN } from '../shared/messages.ts'
import { findAnonymous } from './consumer-mapping.ts'
import { createErrorResponder, type ErrorResponder } from './errors-response.ts'
import { createGrantBuilder, DOWNSTREAM, needsGrant, type HeaderPairs } from './grant.ts'
import { parseUpstreamTokenHeader } from './token-value.ts'
import type { OidcConfig } from './oidc-config.ts'
import { NO_TOKEN, ResourceFlow, type ResourceResult } from './resource-flow.ts'
import { OidcFlow } from './token-flow.ts'
import type { OidcWorkerService } from './worker-service.ts'

export function createOpenIdConnect (plugin: Plugin, priority: number, services: PluginServices, view: ConfigView): PluginInstance {
  const service = services.byPlugin.get(OIDC_PLUGIN) as OidcWorkerService
  const config = plugin.config as unknown as OidcConfig
  const anonymous = config.anonymous === null ? null : { configured: config.anonymous, consumer: findAnonymous(config.anonymous, view.consumers) }
  if (anonymous !== null && anonymous.consumer === null) {
    service.logger.log('warn', 'oidc_anonymous_not_found', { plugin: plugin.id, detail: 'a refused request gets a 500 until the consumer exists' })
  }
  const errors = createErrorResponder(config, config.issuer, anonymous)
  const methods = config.auth_methods ?? []
  const buildGrant = createGrantBuilder(config, view.consumers, parseUpstreamTokenHeader(config.upstream_access_token_header))
  const resource = methods.includes('bearer') || methods.includes('introspection')
    ? new ResourceFlow(config, service, plugin.id, errors, buildGrant, services.redis)
    : null
  const flow = methods.includes('client_credentials')
    ? new OidcFlow(config, service, plugin.id, errors, needsGrant(config) ? buildGrant : null, services.redis)
    : null
  const skipPreflight = !config.run_on_preflight

  // bearer / introspection hot path: the memos, when the header is the first place a token is looked for
  const bearerHeaderFirst = resource !== null && config.bearer_token_param_type[0] === 'header'
  const grants = resource?.grants ?? null
  const digests = resource?.introspectionCache === null ? null : resource?.digests ?? null
  const introspectionCache = resource?.introspectionCache ?? null

  // client credentials hot path
  const cache = flow?.cache ?? null
  const memo = flow?.memo ?? null
  const headerName = flow?.upstreamHeader ?? 'authorization'
  const ccHeaderFirst = flow !== null && config.client_credentials_param_type[0] === 'header'

  const withoutToken = flow === null
    ? (ctx: ProxyContext): PhaseResult => errors.unauthorized(ctx, 'no suitable authorization credentials were provided')
    : (ctx: ProxyContext): PhaseResult => flow.authenticate(ctx)

  function access (ctx: ProxyContext): PhaseResult {
    const headers = ctx.req.headers
    if (skipPreflight && ctx.req.method === 'OPTIONS') return
    // Kong: with `anonymous`, an earlier auth plugin's success means this one has nothing to do (logical OR)
    if (anonymous !== null && ctx.credential !== null) return
    const authorization = headers.authorization
    if (authorization !== undefined) {
      if (bearerHeaderFirst) {
        const grant = grants!.get(authorization)
        if (grant !== undefined && grant.expiresAt > Date.now()) return resource!.apply(ctx, grant, null)
        if (digests !== null) {
          const digest = digests.get(authorization)
          if (digest !== undefined) {
            const status = introspectionCache!.lookup(digest)
            if (status === HIT) return resource!.apply(ctx, introspectionCache!.value!, null)
            return resource!.resolveIntrospection(ctx, null, authorization.slice(7), digest, status)
          }
        }
      }
      if (ccHeaderFirst && cache !== null && headers['grant-type'] === undefined && headers['x-grant-type'] === undefined) {
        const known = memo!.get(authorization)
        if (known !== undefined) {
          const status = cache.lookup(known.digest, flow!.staleMs)
          if (status === HIT) {
            const token = cache.value!
            if (token.grant !== null) return flow!.serve(ctx, token.grant, 'header')
            const upstream = ctx.upstreamHeaders
            upstream[headerName] = token.upstreamValue
            clearConsumerHeaders(upstream)
            if (flow!.hideCredentials) flow!.hide(ctx, 'header')
            return
          }
          return flow!.resolve(ctx, known, status)
        }
      }
    }
    if (resource === null) return withoutToken(ctx)
    return afterBearerLookup(ctx, resource.authenticate(ctx))
  }

  function afterBearerLookup (ctx: ProxyContext, result: ResourceResult): PhaseResult {
    if (result === NO_TOKEN) return withoutToken(ctx)
    if (result instanceof Promise) return result.then((outcome) => outcome === NO_TOKEN ? withoutToken(ctx) : undefined)
    return result
  }

  const downstream = config.downstream_headers_names !== null || config.downstream_introspection_header !== null
  return Object.freeze({
    name: plugin.name,
    id: plugin.id,
    priority,
    access,
    headerFilter: downstream ? addDownstreamHeaders : null,
    bodyFilter: null,
    log: null,
    close: () => {
      flow?.close()
      resource?.close()
    }
  })
}

/** downstream_headers_* of the grant that let the request through (Kong appends, it never replaces). */
function addDownstreamHeaders (ctx: ProxyContext, _status: number, headers: Record<string, string | string[]>): void {
  const pairs = ctx.shared?.[DOWNSTREAM] as HeaderPairs | undefined
  if (pairs === undefined) return
  for (const [name, value] of pairs) {
    const existing = headers[name]
    if (existing === undefined) headers[name] = value
    else if (Array.isArray(existing)) existing.push(value)
    else headers[name] = [existing, value]
  }
}

export type { ErrorResponder }
