// What each cluster_cache_items entry shares through Redis (cluster-cache.ts), and the one place a plugin
// instance gets its Redis level for an item: Kong 3.15's cluster_cache_strategy `redis` with the item
// listed in cluster_cache_items (Kong's default ["introspection"]). An item not listed has no second level:
// `tokens` only leaves introspection answers to each node, `introspection` only leaves client credentials
// tokens to each node. Each item seals under its own namespace (cluster-cache-seal.ts) and counts under its
// own `item` label (shared/cluster-cache-stats.ts).

import type { RedisClients } from '../../../redis/clients.ts'
import { redisRecord } from '../../../redis/record.ts'
import type { ClusterItemName } from '../shared/cluster-cache-stats.ts'
import { ClusterCache, type ClusterItem } from './cluster-cache.ts'
import { INTROSPECTION_NAMESPACE, TOKENS_NAMESPACE } from './cluster-cache-seal.ts'
import { introspectionValueExpiresAt } from './introspection-value.ts'
import type { OidcConfig } from './oidc-config.ts'
import { tokenValueExpiresAt } from './token-value.ts'
import type { OidcWorkerService } from './worker-service.ts'

/** client credentials tokens (token-value.ts bytes) */
export const TOKENS_ITEM: ClusterItem = Object.freeze({ namespace: TOKENS_NAMESPACE, expiresAt: tokenValueExpiresAt })

/** introspection answers and inactive marks (introspection-value.ts bytes) */
export const INTROSPECTION_ITEM: ClusterItem = Object.freeze({ namespace: INTROSPECTION_NAMESPACE, expiresAt: introspectionValueExpiresAt })

const ITEMS: Readonly<Record<ClusterItemName, ClusterItem>> = { tokens: TOKENS_ITEM, introspection: INTROSPECTION_ITEM }

/**
 * The instance's Redis level for `item`; null when the config does not share it or the worker has no Redis
 * clients. The caller releases it (redis.release(cache.redis)) when the instance closes.
 */
export function createClusterCache (config: OidcConfig, service: OidcWorkerService, pluginId: string,
  redis: RedisClients | null, item: ClusterItemName): ClusterCache | null {
  if (config.cluster_cache_strategy !== 'redis' || !(config.cluster_cache_items ?? []).includes(item)) return null
  if (redis === null) return null
  // the instance salt of both first-level keys (cache-key.ts, resource-flow.ts): cache_tokens_salt, else the plugin id
  const salt = typeof config.cache_tokens_salt === 'string' && config.cache_tokens_salt !== '' ? config.cache_tokens_salt : pluginId
  const shared = redis.acquire(redisRecord(config.cluster_cache_redis ?? {}))
  return new ClusterCache(shared, service.clusterCache[item], { item: ITEMS[item], salt, timeoutMs: config.timeout })
}
