// Memory that several threads write, each to a region of its own, is padded so that no two regions share
// a cache line: otherwise every write on one core invalidates the other cores' copies of their own
// counters (false sharing). The unit is a pair of 64-byte lines, because the CPU's adjacent-line
// prefetcher fetches a line's pair along with it.

export const LINE_PAIR_BYTES = 128

/** `bytes` rounded up to whole line pairs: the stride of per-thread regions of that size. */
export function linePairPadded (bytes: number): number {
  return Math.ceil(bytes / LINE_PAIR_BYTES) * LINE_PAIR_BYTES
}
