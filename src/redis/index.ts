// Redis for features that span gateway nodes (rate-limiting's policy redis; openid-connect's cluster cache
// builds on the same clients). Which file runs where:
//   record.ts          config load: Kong's Redis record (OSS or Enterprise) normalised, its identity key
//   options.ts         config load: the record as ioredis options (standalone, Sentinel, Cluster)
//   clients.ts         proxy workers, once per worker: one shared client per distinct record, refcounted
//                      by the plugin instances that use it; state changes logged once and counted
//   stats.ts           shared memory: the counters workers add to (made by the supervisor)
//   metrics-source.ts  main thread: tollgate_redis_* for GET /metrics
//   schema.ts          config load: the record's fields for a plugin schema

export { RedisClients, SharedRedis } from './clients.ts'
export { redisRecord, recordKey, type RedisRecord, type RedisNode } from './record.ts'
export { RedisStats, createRedisStatsBuffer } from './stats.ts'
export { redisMetricsSource } from './metrics-source.ts'
export { redisRecordFields, checkRedisRecord, namesServers } from './schema.ts'
