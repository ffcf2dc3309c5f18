// The shared token cache: one SharedArrayBuffer of fixed slots that every worker reads without locks,
// with single flight across workers. Main thread: createTokenCache, readTokenCacheStats,
// releaseThreadFills. Worker: TokenCache. Byte layout: layout.ts; statuses: lookup-status.ts.

export { createTokenCache } from './handle.ts'
export type { TokenCacheHandle, TokenCacheOptions } from './handle.ts'
export { readTokenCacheStats } from './stats.ts'
export type { TokenCacheStats } from './stats.ts'
export { releaseThreadFills } from './release.ts'
export { TokenCache } from './token-cache.ts'
export type { CompleteOptions, TokenCacheWorkerOptions } from './token-cache.ts'
export { FILL, HIT, NEGATIVE, RENEW, STALE, WAIT } from './lookup-status.ts'
export type { LookupStatus, WaitResult, WaitStatus } from './lookup-status.ts'
