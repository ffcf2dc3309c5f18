// Messages between the openid-connect services on the main thread and in each proxy worker (carried
// inside the supervisor's { type: 'plugin', plugin, payload } envelope), and the worker's start data.

import type { MessagePort } from 'node:worker_threads'
import type { TokenCacheHandle } from '../../../cache/index.ts'
import type { IssuerSnapshot } from '../main/issuers.ts'

export const OIDC_PLUGIN = 'openid-connect'

export interface OidcWorkerData {
  readonly cache: TokenCacheHandle
  /** this worker's own channel to the main thread's signing pool (transferred) */
  readonly signerPort: MessagePort
  /** every issuer discovered so far, so a restarted worker starts warm */
  readonly snapshots: readonly IssuerSnapshot[]
  /** token endpoint call counters (oidc-metrics.ts), and this worker's lane in them */
  readonly idpCalls: SharedArrayBuffer
  /** introspection endpoint call counters, same layout and lane */
  readonly introspectionCalls: SharedArrayBuffer
  /** the Redis level's counters (cluster-cache-stats.ts), shared by every worker */
  readonly clusterCache: SharedArrayBuffer
  readonly lane: number
}

export type OidcToWorker =
  | { readonly op: 'issuer', readonly snapshot: IssuerSnapshot }
  /** a rediscovery this worker asked for found nothing (IdP unreachable): stop waiting */
  | { readonly op: 'issuer-unavailable', readonly discoveryUrl: string }
  /** Admin deleted the issuer's discovery: drop the snapshot, so the next request rediscovers */
  | { readonly op: 'issuer-forgotten', readonly discoveryUrl: string }

export type OidcToMain = { readonly op: 'rediscover', readonly discoveryUrl: string, readonly reason: string }
