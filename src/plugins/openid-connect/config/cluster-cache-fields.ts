// Kong 3.15's cluster cache fields of openid-connect (Kong's published plugin schema, 3.15: the 3.15
// additions kong-fields.ts lists): cluster_cache_strategy `off` | `redis`, cluster_cache_redis (Kong's
// shared Enterprise Redis record, kong/enterprise_edition/tools/redis/v2/schema.lua, as
// src/redis/schema.ts gives it, with its deprecated shorthands) and cluster_cache_items (`tokens`,
// `introspection`; Kong's default ["introspection"]).
// What Tollgate shares (worker/cluster-cache-items.ts): each listed item, `tokens` (the client credentials
// tokens) and `introspection` (the introspection answers), so a Kong file with Kong's default items and
// strategy redis loads and shares as Kong does. No cross-field check is left: an item whose auth method is
// off has nothing to share and is accepted as Kong accepts it, and an empty list shares nothing.

import type { FieldSchema } from '../../../config/schema/engine.ts'
import { host, port } from '../../../config/schema/typedefs.ts'
import { checkRedisRecord, redisRecordFields } from '../../../redis/schema.ts'
import { REDIS_SHORTHANDS } from '../../redis-shorthands.ts'
import { CLOUD_AUTHENTICATION } from './kong-fields.ts'
import { kongFieldSchemas } from './kong-fields-schema.ts'

/** Kong's DEFAULT_TIMEOUT for this record, in ms */
const TIMEOUT: FieldSchema = { type: 'integer', default: 2000, between: [0, 2147483646] }

export const CLUSTER_CACHE_ITEMS = ['tokens', 'introspection']

export const CLUSTER_CACHE_FIELDS: Readonly<Record<string, FieldSchema>> = {
  cluster_cache_strategy: { type: 'string', default: 'off', one_of: ['off', 'redis'] },
  cluster_cache_redis: {
    type: 'record',
    checks: checkRedisRecord,
    shorthands: REDIS_SHORTHANDS,
    fields: {
      host: { ...host, default: '127.0.0.1' },
      port: { ...port, default: 6379 },
      username: { type: 'string' },
      password: { type: 'string', secret: true, len_min: 0 },
      database: { type: 'integer', default: 0 },
      ssl: { type: 'boolean', default: false },
      // Kong 3.15's default (false in 3.4-3.9, kong-fields.ts)
      ssl_verify: { type: 'boolean', default: true },
      server_name: { type: 'string' },
      ...redisRecordFields,
      // Kong's default timeouts for this record (DEFAULT_TIMEOUT)
      connect_timeout: TIMEOUT,
      send_timeout: TIMEOUT,
      read_timeout: TIMEOUT,
      // cloud (IAM) authentication to Redis is not implemented: accepted only unset, as every Kong field
      ...kongFieldSchemas([CLOUD_AUTHENTICATION]),
    },
  },
  cluster_cache_items: {
    type: 'array', default: ['introspection'], elements: { type: 'string', one_of: CLUSTER_CACHE_ITEMS }
  },
}
