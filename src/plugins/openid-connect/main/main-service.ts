// The openid-connect services that exist once per gateway, on the main thread: issuer discovery (one
// fetch per issuer for all workers), the gateway's signing keys (persisted under `prefix`), the piscina
// signing pool, and the shared token cache buffers every worker maps. Also its Admin API routes.

import { MessageChannel } from 'node:worker_threads'
import { join } from 'node:path'
import { createTokenCache, releaseThreadFills, type TokenCacheHandle } from '../../../cache/index.ts'
import type { LoadedConfig, Plugin } from '../../../config/types.ts'
import type { AdminHandler } from '../../../admin/types.ts'
import { serveSigner } from '../../../workers/signer-client.ts'
import { createSignerPool, type SignerPool } from '../../../workers/signer-pool.ts'
import type { MainPluginService, MainServicesContext } from '../../main-thread-services.ts'
import { handleOpenIdConnectAdmin } from './admin.ts'
import { IssuerRegistry } from './issuers.ts'
import { GatewayKeys } from './keys.ts'
import { createIdpCallBuffer, oidcMetricsSource, SigningTimer } from '../shared/oidc-metrics.ts'
import { clusterCacheStatsByItem, createClusterCacheStatsBuffer } from '../shared/cluster-cache-stats.ts'
import type { SignRequest } from '../../../workers/signer-task.ts'
import { performance } from 'node:perf_hooks'
import { OIDC_PLUGIN, type OidcToMain, type OidcToWorker, type OidcWorkerData } from '../shared/messages.ts'

/** the gateway's key set in its prefix (keys.ts), exported for the two-node demo, which shares one set */
export const KEYS_FILE = 'openid-connect-jwks.json'

/** The validated config fields the main thread reads (schema.ts; test/unit/config/config-shapes.ts holds them to it). */
export interface OidcPluginConfig {
  readonly issuer: string
  readonly rediscovery_lifetime: number
  readonly timeout: number
  readonly ssl_verify: boolean
  readonly client_id: readonly string[] | null
  readonly client_secret: readonly string[] | null
  readonly client_auth: readonly string[] | null
}

export async function createOidcMainService (config: LoadedConfig, context: MainServicesContext): Promise<MainPluginService> {
  const settings = config.settings
  const logger = context.logger.child({ plugin: OIDC_PLUGIN })
  const registry = new IssuerRegistry({ logger: (level, event, fields) => logger.log(level, event, fields) })
  const cache: TokenCacheHandle = createTokenCache({ slots: settings.token_cache_slots, slotSize: settings.token_cache_slot_size })
  const keysFile = join(settings.prefix, KEYS_FILE)
  let keys: Promise<GatewayKeys> | null = null
  let pool: SignerPool | null = null
  const warned = new Set<string>()

  // Keys and signing threads only exist once a config uses the plugin: a gateway without it writes nothing.
  const openKeys = (): Promise<GatewayKeys> => (keys ??= GatewayKeys.open(keysFile))
  const signingPool = (): SignerPool => (pool ??= createSignerPool({ threads: settings.signing_threads, logger }))
  let loadedKeys: GatewayKeys | null = null

  const idpCalls = createIdpCallBuffer(settings.worker_processes)
  const introspectionCalls = createIdpCallBuffer(settings.worker_processes)
  const clusterCache = createClusterCacheStatsBuffer()
  const signing = new SigningTimer()
  const timedSign = async (request: SignRequest): Promise<string> => {
    const started = performance.now()
    try {
      return await signingPool().sign(request)
    } finally {
      signing.observe(performance.now() - started)
    }
  }

  registry.onChange((snapshot) => context.broadcast(OIDC_PLUGIN, { op: 'issuer', snapshot } satisfies OidcToWorker))
  registry.onForget((discoveryUrl) => context.broadcast(OIDC_PLUGIN, { op: 'issuer-forgotten', discoveryUrl } satisfies OidcToWorker))

  const admin: AdminHandler = async (req) => {
    const current = keys === null ? null : await keys
    return await handleOpenIdConnectAdmin(req.method, req.pathname, registry, current)
  }

  return {
    workerData (workerIndex) {
      const { port1, port2 } = new MessageChannel()
      serveSigner(port1, { sign: async (request) => await timedSign(request) }, (alg) => {
        if (loadedKeys === null) throw new Error('the gateway keys are not loaded yet')
        return loadedKeys.signingKey(alg)
      })
      port1.unref()
      const data: OidcWorkerData = { cache, signerPort: port2, snapshots: registry.snapshots(), idpCalls, introspectionCalls, clusterCache, lane: workerIndex }
      return { data, transfer: [port2] }
    },
    admin,
    metrics: oidcMetricsSource({ cache, idpCalls, introspectionCalls, clusterCache: clusterCacheStatsByItem(clusterCache), signing, signer: () => pool?.stats() ?? null }),
    onConfig (next) {
      const plugins = next.entities.plugins.filter((p) => p.name === OIDC_PLUGIN && p.enabled)
      if (plugins.length === 0) return
      openKeys().then((k) => { loadedKeys = k }, (err) => logger.log('error', 'oidc_keys_failed', { file: keysFile, error: err }))
      for (const plugin of plugins) {
        const conf = plugin.config as unknown as OidcPluginConfig
        registry.ensure(conf.issuer, {
          rediscoveryLifetimeSec: conf.rediscovery_lifetime ?? 30,
          timeoutMs: conf.timeout ?? 10000,
          sslVerify: conf.ssl_verify ?? true
        })
        warnKongGrant(plugin, conf, warned, logger)
      }
    },
    onWorkerMessage (payload, workerIndex) {
      const message = payload as OidcToMain
      if (message.op !== 'rediscover') return
      registry.rediscover(message.discoveryUrl, message.reason).then((snapshot) => {
        const reply: OidcToWorker = snapshot === null
          ? { op: 'issuer-unavailable', discoveryUrl: message.discoveryUrl }
          : { op: 'issuer', snapshot }
        context.send(OIDC_PLUGIN, workerIndex, reply)
      }, () => context.send(OIDC_PLUGIN, workerIndex, { op: 'issuer-unavailable', discoveryUrl: message.discoveryUrl } satisfies OidcToWorker))
    },
    onWorkerExit (threadId) {
      // fills a dead worker had claimed are released now rather than after the fill timeout
      releaseThreadFills(cache, threadId)
    },
    async close () {
      await registry.close()
      if (pool !== null) await pool.close()
    }
  }
}

/** Kong ignores client_auth for this grant; say once per plugin when private_key_jwt cannot be brokered. */
function warnKongGrant (plugin: Plugin, conf: OidcPluginConfig, warned: Set<string>, logger: MainServicesContext['logger']): void {
  const auth = conf.client_auth ?? []
  auth.forEach((method, i) => {
    const secret = conf.client_secret?.[i] ?? conf.client_secret?.[0]
    if (method !== 'private_key_jwt' || (secret !== undefined && secret !== null && secret !== '')) return
    const key = `${plugin.id}:${i}`
    if (warned.has(key)) return
    warned.add(key)
    logger.log('notice', 'oidc_private_key_jwt_not_brokered', {
      plugin: plugin.id,
      client_index: i,
      detail: 'client_auth private_key_jwt without client_secret: the client credentials grant uses the caller\'s own secret, as Kong does'
    })
  })
}
