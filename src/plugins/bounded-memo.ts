// A per-worker map from a request string (an Authorization header, a token) to what was already worked out
// for it, bounded by what it costs rather than by a count: 16,384 entries of ~15 KiB headers once grew a
// worker's heap by ~415 MiB per plugin instance. So:
// - a budget in bytes per instance, counting the key, what `sizeOf` says of the value and a fixed
//   per-entry overhead; the oldest entries go first when it is spent;
// - keys longer than `maxKeyLength` are never memoised (they still work, at full cost each time);
// - callers remember only what the IdP or a verification accepted, never a refusal, so a caller cycling
//   through bad credentials or tokens adds nothing.
// Eviction is FIFO, from a queue of the keys in insertion order: each entry is queued once and evicted at
// most once, so remember() is amortised O(1). Not `map.keys().next()`: V8 leaves a hole per deleted
// Map entry until its next rehash and a new iterator walks them all, so that costs O(holes) per eviction
// (~10 µs at 10,000 entries on Node 24, measured).
//
// `indexBy` (> 0): entries are found by the key's last `indexBy` characters, then compared whole. A Map
// lookup hashes its key, and a header string arrives new with every request, so its hash is computed
// each time: ~1.2 µs for an 800-character `Bearer <JWT>` on Node 24, ~0.1 µs for its last 32 characters
// plus the comparison (measured). A JWT's tail is its signature, so keys sharing a tail are rare, and
// only remembered keys (accepted tokens) share a chain; a chain is at most MAX_CHAIN long.

/** Bytes one instance's memo may hold in one worker, unless told otherwise. */
export const MEMO_BUDGET_BYTES = 4 * 1024 * 1024
/** Keys longer than this (characters) are not memoised, unless told otherwise. */
export const MAX_MEMO_KEY_LENGTH = 1024
// A Map slot and a small value object with a digest or a few strings: ~200 bytes on V8; counted so that
// many tiny entries cannot outgrow the budget either.
export const ENTRY_OVERHEAD_BYTES = 256
/** Keys sharing an index beyond this many are not remembered. */
export const MAX_CHAIN = 8

export interface BoundedMemoOptions<V> {
  /** bytes; 0 holds nothing */
  readonly budget?: number
  readonly maxKeyLength?: number
  /** bytes a value holds beyond ENTRY_OVERHEAD_BYTES (its strings, as characters) */
  readonly sizeOf: (value: V) => number
  /** find entries by the key's last `indexBy` characters (0: the whole key, the default) */
  readonly indexBy?: number
}

interface Slot<V> {
  readonly key: string
  readonly value: V
  next: Slot<V> | null
}

export class BoundedMemo<V> {
  readonly budget: number
  readonly maxKeyLength: number
  readonly #sizeOf: (value: V) => number
  readonly #indexBy: number
  readonly #slots = new Map<string, Slot<V>>()
  #size = 0
  #bytes = 0
  /** the keys remembered, oldest first from #head (slots before #head are spent) */
  #order: string[] = []
  #head = 0

  constructor (options: BoundedMemoOptions<V>) {
    this.budget = options.budget ?? MEMO_BUDGET_BYTES
    this.maxKeyLength = options.maxKeyLength ?? MAX_MEMO_KEY_LENGTH
    this.#sizeOf = options.sizeOf
    this.#indexBy = options.indexBy ?? 0
  }

  /** Bytes counted for what the memo holds now. */
  get bytes (): number {
    return this.#bytes
  }

  /** Entries held now. */
  get size (): number {
    return this.#size
  }

  /** What was remembered for `key`; the hot path's lookup (one Map.get, no allocation with indexBy 0). */
  get (key: string): V | undefined {
    const n = this.#indexBy
    let slot = this.#slots.get(n > 0 && key.length > n ? key.slice(-n) : key)
    while (slot !== undefined) {
      if (slot.key === key) return slot.value
      slot = slot.next ?? undefined
    }
    return undefined
  }

  /** The keys held, oldest first (not for the hot path: it walks the queue). */
  keys (): string[] {
    this.#compact()
    return [...this.#order]
  }

  has (key: string): boolean {
    return this.get(key) !== undefined
  }

  /** Remembers `value` for `key` unless the key is too long, already known, or larger than the budget. */
  remember (key: string, value: V): void {
    if (key.length > this.maxKeyLength || this.has(key)) return
    const size = this.#entrySize(key, value)
    if (size > this.budget) return
    const index = this.#indexOf(key)
    const head = this.#slots.get(index) ?? null
    if (head !== null && chainLength(head) >= MAX_CHAIN) return
    while (this.#bytes + size > this.budget && this.#size > 0) this.#evictOldest()
    this.#slots.set(index, { key, value, next: this.#slots.get(index) ?? null })
    this.#size++
    this.#order.push(key)
    this.#bytes += size
    // forget() leaves its key's slot in the queue: keep the queue within twice the live keys
    if (this.#order.length - this.#head > 2 * this.#size + 1024) this.#compact()
  }

  /** Drops one entry (an expired one, say); its queue slot is spent when eviction reaches it. */
  forget (key: string): void {
    const index = this.#indexOf(key)
    let previous: Slot<V> | null = null
    let slot = this.#slots.get(index) ?? null
    while (slot !== null && slot.key !== key) {
      previous = slot
      slot = slot.next
    }
    if (slot === null) return
    if (previous !== null) previous.next = slot.next
    else if (slot.next !== null) this.#slots.set(index, slot.next)
    else this.#slots.delete(index)
    this.#size--
    this.#bytes -= this.#entrySize(key, slot.value)
  }

  clear (): void {
    this.#slots.clear()
    this.#order = []
    this.#head = 0
    this.#size = 0
    this.#bytes = 0
  }

  #indexOf (key: string): string {
    const n = this.#indexBy
    return n > 0 && key.length > n ? key.slice(-n) : key
  }

  #entrySize (key: string, value: V): number {
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
      if (this.has(key) && !seen.has(key)) {
        seen.add(key)
        order.push(key)
      }
    }
    this.#order = order
    this.#head = 0
  }
}

function chainLength<V> (slot: Slot<V>): number {
  let length = 0
  for (let s: Slot<V> | null = slot; s !== null; s = s.next) length++
  return length
}
