// A cache on a fake clock for single-thread tests: several TokenCache instances over one handle stand
// in for several workers (each has its own decoded-value cache), and decodes are counted.

import { createTokenCache } from '../../src/cache/handle.ts'
import type { TokenCacheOptions } from '../../src/cache/handle.ts'
import { TokenCache } from '../../src/cache/token-cache.ts'
import { decodeValue, FakeClock } from './cache-keys.ts'
import type { TestValue } from './cache-keys.ts'

export function setupCache (options: TokenCacheOptions = {}) {
  const clock = new FakeClock()
  const handle = createTokenCache({
    slots: 64, slotSize: 128, spillSize: 4096, renewAheadMs: 1000, fillTimeoutMs: 5000, lockTimeoutMs: 100, ...options
  })
  const counter = { decodes: 0 }
  const decode = (bytes: Uint8Array): TestValue => {
    counter.decodes++
    return decodeValue(bytes)
  }
  const make = (): TokenCache<TestValue> => new TokenCache(handle, { decode, now: clock.now })
  return { clock, handle, counter, cache: make(), make }
}
