// Waiting for another thread without blocking the event loop: Atomics.waitAsync on the word the other
// thread changes (a slot's seq or an insert lock) and notifies after it publishes. The value check and
// the sleep are one atomic step, so a wake-up between "saw it busy" and "started waiting" is not lost.

/** Longest single sleep; the caller looks again after it in any case. */
const MAX_SLEEP_MS = 60_000

/**
 * Resolves when i32[index] no longer holds `expected` (after a notify) or after `ms`; undefined when
 * it already changed. Never rejects.
 */
export function sleepOn (i32: Int32Array, index: number, expected: number, ms: number): Promise<void> | undefined {
  const timeout = Math.max(1, Math.min(Math.ceil(ms), MAX_SLEEP_MS))
  const result = Atomics.waitAsync(i32, index, expected, timeout)
  if (!result.async) return undefined
  const settled = result.value
  return new Promise((resolve) => {
    // A pending waitAsync holds no ref on the event loop (nodejs/node#61941): this timer keeps a thread
    // whose only work is this wait alive, and bounds the wait should a notify never come.
    const timer = setTimeout(resolve, timeout + 1)
    settled.then(() => {
      clearTimeout(timer)
      resolve()
    }, resolve)
  })
}
