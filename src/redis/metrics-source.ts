// GET /metrics: the Redis connections of every proxy worker (stats.ts), as tollgate_redis_* families. Named
// for the client, not the feature: rate-limiting's policy redis and openid-connect's cluster cache share them.

import type { MetricFamily, MetricsSource } from '../metrics/types.ts'
import { CLIENTS_OPEN, CLIENTS_READY, COMMAND_ERRORS, CONNECTION_ERRORS, CONNECTIONS_LOST, CONNECTIONS_RESTORED, type RedisStats } from './stats.ts'

export function redisMetricsSource (stats: RedisStats): MetricsSource {
  return {
    collect: (): MetricFamily[] => {
      const open = stats.read(CLIENTS_OPEN)
      const ready = stats.read(CLIENTS_READY)
      return [
        {
          name: 'tollgate_redis_clients',
          help: 'Redis clients held by proxy workers (one per distinct Redis record per worker), by state',
          type: 'gauge',
          samples: [{ labels: { state: 'ready' }, value: ready }, { labels: { state: 'down' }, value: Math.max(0, open - ready) }],
        },
        {
          name: 'tollgate_redis_errors_total',
          help: 'Redis errors seen by proxy workers: failed commands and connection errors',
          type: 'counter',
          samples: [{ labels: { kind: 'command' }, value: stats.read(COMMAND_ERRORS) }, { labels: { kind: 'connection' }, value: stats.read(CONNECTION_ERRORS) }],
        },
        {
          name: 'tollgate_redis_connection_changes_total',
          help: 'Redis connections lost and restored',
          type: 'counter',
          samples: [{ labels: { change: 'lost' }, value: stats.read(CONNECTIONS_LOST) }, { labels: { change: 'restored' }, value: stats.read(CONNECTIONS_RESTORED) }],
        },
      ]
    }
  }
}
