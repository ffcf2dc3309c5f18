// A per-worker Map from a request string (an Authorization header, a token) to what was already worked out
// for it, bounded by what it costs rather than by a count: 16,384 entries of ~15 KiB headers once grew a
// worker's heap by ~415 MiB per plugin instance. So:
// - a budget in bytes per instance, counting the key, what `sizeOf` says of the value and a fixed
//   per-entry overhead; the oldest entries go first when it is spent;
// - keys longer than `maxKeyLength` are never memoised (they still work, at full cost each time);
// - callers remember only what the IdP or a verification accepted, never a refusal, so a caller cycling
//   through bad credentials or tokens adds nothing.
// Eviction is FIFO, from a queue of the keys in insertion order: each entry is queued once and evicted at
// most once, so remember() is amortised O(1). Not `entries.keys().next()`: V8 leaves a hole per deleted
// Map entry until its next rehash and a new iterator walks them all, so that costs O(holes) per eviction
// (~10 µs at 10,000 entries on Node 24, measured). The hot path reads `entries` directly: a plain Map.get,
// no allocation.

/** Bytes one instance's memo may hold in one worker, unless told otherwise. */
export const MEMO_BUDGET_BYTES = 4 * 1024 * 1024
/** Keys longer than this (characters) are not memoised, unless told otherwise. */
export const MAX_MEMO_KEY_LENGTH = 1024
// A Map slot and a small value object with a digest or a few strings: ~200 bytes on V8; counted so that
// many tiny entries cannot outgrow the budget either.
export const ENTRY_OVERHEAD_BYTES = 256

export interface BoundedMemoOptions<V> {
  /** bytes; 0 holds nothing */
  readonly budget?: number
  readonly maxKeyLength?: number
  /** bytes a value holds beyond ENTRY_OVERHEAD_BYTES (its strings, as characters) */
  readonly sizeOf: (value: V) => number
}

export class BoundedMemo<V> {
  /** read by the hot path; written only through remember(), forget() and clear() */
  readonly entries = new Map<string, V>()
  readonly budget: number
  readonly maxKeyLength: number
  readonly #sizeOf: (value: V) => number
  #bytes = 0
  /** the keys of `entries`, oldest first from #head (slots before #head are spent) */
  #order: string[] = []
  #head = 0

  constructor (options: BoundedMemoOptions<V>) {
    this.budget = options.budget ?? MEMO_BUDGET_BYTES
    this.maxKeyLength = options.maxKeyLength ?? MAX_MEMO_KEY_LENGTH
    this.#sizeOf = options.sizeOf
  }

  /** Bytes counted for what the memo holds now. */
  get bytes (): number {
    return this.#bytes
  }

  /** Remembers `value` for `key` unless the key is too long, already known, or larger than the budget. */
  remember (key: string, value: V): void {
    if (key.length > this.maxKeyLength || this.entries.has(key)) return
    const size = this.#size(key, value)
    if (size > this.budget) return
    while (this.#bytes + size > this.budget && this.entries.size > 0) this.#evictOldest()
    this.entries.set(key, value)
    this.#order.push(key)
    this.#bytes += size
    // forget() leaves its key's slot in the queue: keep the queue within twice the live keys
    if (this.#order.length - this.#head > 2 * this.entries.size + 1024) this.#compact()
  }

  /** Drops one entry (an expired one, say); its queue slot is spent when eviction reaches it. */
  forget (key: string): void {
    const value = this.entries.get(key)
    if (value === undefined) return
    this.entries.delete(key)
    this.#bytes -= this.#size(key, value)
  }

  clear (): void {
    this.entries.clear()
    this.#order = []
    this.#head = 0
    this.#bytes = 0
  }

  #size (key: string, value: V): number {
    return key.length + this.#sizeOf(value) + ENTRY_OVERHEAD_BYTES
  }

  #evictOldest (): void {
    const key = this.#order[this.#head]
    this.#order[this.#head++] = ''
    // drop the spent front once it is half the queue: amortised O(1), memory at most twice the live keys
    if (this.#head >= 1024 && this.#head * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#head)
      this.#head = 0
    }
    // a key forgotten and remembered again is queued twice: its older slot evicts it a little early,
    // which costs a recomputation, never a wrong answer or a wrong count
    this.forget(key)
  }

  /** The queue rebuilt from the live keys, oldest first, each once. */
  #compact (): void {
    const seen = new Set<string>()
    const order: string[] = []
    for (let i = this.#head; i < this.#order.length; i++) {
      const key = this.#order[i]
      if (this.entries.has(key) && !seen.has(key)) {
        seen.add(key)
        order.push(key)
      }
    }
    this.#order = order
    this.#head = 0
  }
}
