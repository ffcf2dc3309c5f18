// The main-thread side: allocates the shared buffer once and describes it in a structured-cloneable
// handle (the buffer plus its sizing and timing options). The supervisor passes the same handle to
// every worker through workerData, and again to a restarted one, so the cache outlives both config
// reloads and worker restarts.

import {
  bufferBytes, DEFAULT_FILL_TIMEOUT_MS, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_RENEW_AHEAD_MS, DEFAULT_SLOT_SIZE,
  DEFAULT_SLOTS, DEFAULT_SPILL_SIZE, HEADER_MAGIC, HEADER_SLOT_SIZE, HEADER_SLOTS, HEADER_SPILL_SIZE,
  HEADER_VERSION, LAYOUT_MAGIC, LAYOUT_VERSION
} from './layout.ts'

export interface TokenCacheOptions {
  /** number of slots (default 4096) */
  readonly slots?: number
  /** bytes of inline value per slot (default 2048); larger values go to the spill ring */
  readonly slotSize?: number
  /** bytes of the spill ring shared by oversize values (default 1 MiB; 0 disables it) */
  readonly spillSize?: number
  /** how long before expiry one thread is asked to renew in the background (default 30 s, at most half the lifetime) */
  readonly renewAheadMs?: number
  /** a fill or renewal not finished by then is presumed dead and taken over (default 15 s) */
  readonly fillTimeoutMs?: number
  /** a slot or insert lock held this long belongs to a dead thread and is broken (default 1 s) */
  readonly lockTimeoutMs?: number
}

/** What workers receive: structured-cloneable (a SharedArrayBuffer and numbers only). */
export interface TokenCacheHandle {
  readonly buffer: SharedArrayBuffer
  readonly slots: number
  readonly slotSize: number
  readonly spillSize: number
  readonly renewAheadMs: number
  readonly fillTimeoutMs: number
  readonly lockTimeoutMs: number
}

function checkInt (name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`token cache option ${name} must be an integer in [${min}, ${max}], got ${value}`)
  }
  return value
}

/** Creates the shared cache. Call once on the main thread; hand the result to every worker. */
export function createTokenCache (options: TokenCacheOptions = {}): TokenCacheHandle {
  const slots = checkInt('slots', options.slots ?? DEFAULT_SLOTS, 1, 1 << 24)
  const slotSize = checkInt('slotSize', options.slotSize ?? DEFAULT_SLOT_SIZE, 0, 1 << 20)
  const spillSize = checkInt('spillSize', options.spillSize ?? DEFAULT_SPILL_SIZE, 0, 1 << 30)
  const renewAheadMs = checkInt('renewAheadMs', options.renewAheadMs ?? DEFAULT_RENEW_AHEAD_MS, 0, 2 ** 31)
  const fillTimeoutMs = checkInt('fillTimeoutMs', options.fillTimeoutMs ?? DEFAULT_FILL_TIMEOUT_MS, 1, 2 ** 31)
  const lockTimeoutMs = checkInt('lockTimeoutMs', options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, 1, 2 ** 31)
  const buffer = new SharedArrayBuffer(bufferBytes(slots, slotSize, spillSize))
  const header = new Int32Array(buffer)
  header[HEADER_MAGIC] = LAYOUT_MAGIC
  header[HEADER_VERSION] = LAYOUT_VERSION
  header[HEADER_SLOTS] = slots
  header[HEADER_SLOT_SIZE] = slotSize
  header[HEADER_SPILL_SIZE] = spillSize
  return { buffer, slots, slotSize, spillSize, renewAheadMs, fillTimeoutMs, lockTimeoutMs }
}
