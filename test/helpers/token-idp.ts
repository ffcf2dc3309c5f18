// The IdP side of the tests of openid-connect's cluster cache across gateway nodes (test/integration/redis/):
// the test IdP behind a token proxy that counts and can slow the token answers, services whose plugin
// shares its tokens through a given Redis record, and the wait for each node to discover the issuer.

import type { Test } from 'tap'
import { send, type RunningGateway } from './gateway.ts'
import { startIdp, type TestIdp } from './idp.ts'
import { clientBasic, howToConfig, oidcService, waitForIssuers } from './oidc-stack.ts'
import { startTokenProxy, type TokenProxy } from './oidc-token-proxy.ts'

export interface TokenIdp {
  readonly idp: TestIdp
  readonly tokens: TokenProxy
  /** what a client sends: its client credentials (exchanged by the gateway at the token endpoint) */
  readonly authorization: string
  /**
   * A service with a route `/<name>` whose openid-connect shares its tokens through `redis` (Kong's
   * cluster_cache_redis record); each name has its own cache_tokens_salt, so each route starts cold.
   */
  service (name: string, upstreamUrl: string, redis: Record<string, unknown>): Record<string, unknown>
  /** resolves once every node's Admin lists the discovered issuer */
  discovered (nodes: readonly RunningGateway[]): Promise<void>
}

/** The test IdP and a token proxy in front of it, both closed in t's teardown. */
export async function startTokenIdp (t: Test): Promise<TokenIdp> {
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const tokens = await startTokenProxy(idp.url)
  t.teardown(() => tokens.close())
  return {
    idp,
    tokens,
    authorization: clientBasic(idp.clients.secret),
    service: (name, upstreamUrl, redis) => oidcService(name, upstreamUrl, `/${name}`, {
      ...howToConfig(idp),
      token_endpoint: tokens.tokenEndpoint,
      cache_tokens_salt: `salt-${name}`,
      cluster_cache_strategy: 'redis',
      cluster_cache_items: ['tokens'],
      cluster_cache_redis: redis,
    }),
    async discovered (nodes) {
      for (const node of nodes) await waitForIssuers({ admin: async (path) => await send(node.adminUrl + path) })
    }
  }
}
