// The openid-connect side of the suite: is the plugin there at all, and the plugin configs of the oidc
// scenarios. `oidc-hot` and `oidc-many` use Kong's client credentials grant (the caller's id and
// secret go to the IdP); `oidc-cold` uses Tollgate's broker mode (the gateway checks the caller's secret
// itself and authenticates with its own private_key_jwt assertion, signed in the piscina pool), with one
// configured client per credential, since the cache key is the caller's id and secret. The resource-server
// scenarios take a caller's access token: `bearer` (a JWT verified at the gateway against the IdP's JWKS)
// and `introspection` (RFC 7662, the gateway authenticating as the IdP's resource-server client).

import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/** no special characters, so a caller's Basic header needs no form-encoding decisions */
export const BENCH_CLIENT_SECRET = 'bench-client-secret'
export const OIDC_PLUGIN = 'openid-connect'

const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))

export interface PluginAvailability {
  readonly available: boolean
  /** why not, in one line; null when available */
  readonly reason: string | null
}

/**
 * Asks `tollgate check` about a config using the plugin: an unknown plugin name means it is not in this
 * build (skip the oidc scenarios); any other rejection is a bug in the suite's config and is thrown.
 */
export async function checkOidcPlugin (): Promise<PluginAvailability> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-bench-check-'))
  const file = join(dir, 'config.json')
  try {
    await writeFile(file, JSON.stringify({
      _format_version: '3.0',
      services: [{ name: 'probe', url: 'http://127.0.0.1:9', routes: [{ name: 'probe', paths: ['/'], plugins: [hotPluginConfig('http://127.0.0.1:9', 'check')] }] }]
    }))
    await promisify(execFile)(process.execPath, [BIN, 'check', '--config', file])
    return { available: true, reason: null }
  } catch (err) {
    const text = `${(err as { stderr?: string }).stderr ?? ''}${(err as Error).message}`
    if (text.includes(`plugin '${OIDC_PLUGIN}' not found`)) return { available: false, reason: `${OIDC_PLUGIN} plugin not available` }
    throw new Error(`tollgate check rejected the bench's ${OIDC_PLUGIN} config: ${text}`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Kong's client credentials set-up: the caller's Basic credentials are exchanged at the IdP and cached. */
export function hotPluginConfig (issuer: string, salt: string): Record<string, unknown> {
  return {
    name: OIDC_PLUGIN,
    config: {
      issuer,
      auth_methods: ['client_credentials'],
      client_credentials_param_type: ['header'],
      cache_tokens_salt: salt
    }
  }
}

/**
 * The client credentials set-up with openid-connect's cluster cache (Kong 3.15): tokens shared between
 * gateway nodes through the Redis on `redisPort`, the first level unchanged.
 */
export function clusterCachePluginConfig (issuer: string, salt: string, redisPort: number): Record<string, unknown> {
  const plugin = hotPluginConfig(issuer, salt)
  return {
    ...plugin,
    config: {
      ...(plugin.config as Record<string, unknown>),
      cluster_cache_strategy: 'redis',
      cluster_cache_redis: { host: '127.0.0.1', port: redisPort },
      cluster_cache_items: ['tokens']
    }
  }
}

/**
 * Broker mode for every listed client id: same secret for all, private_key_jwt to the IdP. Broker mode
 * needs an entry per client in each companion array (no fallback to the first one).
 */
export function brokerPluginConfig (issuer: string, salt: string, clientIds: readonly string[]): Record<string, unknown> {
  const plugin = hotPluginConfig(issuer, salt)
  return {
    ...plugin,
    config: {
      ...(plugin.config as Record<string, unknown>),
      client_id: clientIds,
      client_secret: clientIds.map(() => BENCH_CLIENT_SECRET),
      client_auth: clientIds.map(() => 'private_key_jwt')
    }
  }
}

/** Kong's bearer set-up: the caller's JWT access token is verified with the issuer's published keys. */
export function bearerPluginConfig (issuer: string): Record<string, unknown> {
  return { name: OIDC_PLUGIN, config: { issuer, auth_methods: ['bearer'] } }
}

/** Kong's introspection set-up: the gateway asks the IdP about the caller's token as this client. */
export function introspectionPluginConfig (issuer: string, clientId: string, clientSecret: string): Record<string, unknown> {
  return { name: OIDC_PLUGIN, config: { issuer, auth_methods: ['introspection'], client_id: [clientId], client_secret: [clientSecret] } }
}
