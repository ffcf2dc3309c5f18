// The per-worker, per-instance memo behind the hot path: Authorization header string -> credentials
// already resolved for it, so that a cached-token request needs no base64 decoding and no hashing.
//
// What it may hold is bounded by what it costs, not by a count: 16,384 entries of ~15 KiB headers once
// grew a worker's heap by ~415 MiB per plugin instance. So:
// - a budget in bytes per instance (MEMO_BUDGET_BYTES), counting the header, the decoded id and secret
//   and a fixed per-entry overhead; the oldest entries go first when it is spent;
// - headers longer than MAX_MEMO_KEY_LENGTH are never memoised: a Basic header of a UUID client id and a
//   128-character secret is ~230 characters, 1 KiB leaves room for ~760 bytes of id and secret. A longer
//   one still works; it is decoded and hashed on each request and its token still comes from the cache;
// - the flow remembers a header only once the IdP (or the broker check and the shared cache) accepted
//   its credentials, never on a refusal: a caller cycling through wrong secrets adds nothing.
// Eviction is FIFO, from a queue of the keys in insertion order: each entry is queued once and evicted at
// most once, so remember() is amortised O(1). Not `entries.keys().next()`: V8 leaves a hole per deleted
// Map entry until its next rehash and a new iterator walks them all, so that costs O(holes) per eviction
// (~10 µs at 10,000 entries on Node 24, measured). The hot path reads `entries` directly: a plain Map.get,
// no allocation.

import type { KnownCredential } from './token-flow.ts'

/** Bytes one instance's memo may hold in one worker (headers + ids + secrets + overhead). */
export const MEMO_BUDGET_BYTES = 4 * 1024 * 1024
/** Authorization values longer than this (characters) are not memoised. */
export const MAX_MEMO_KEY_LENGTH = 1024
// A Map slot, the KnownCredential object and its 32-byte digest Buffer (with its ArrayBuffer): ~200 bytes
// on V8; counted so that many tiny entries cannot outgrow the budget either.
const ENTRY_OVERHEAD_BYTES = 256

export class CredentialMemo {
  /** read by the hot path (handler.ts); written only through remember() and clear() */
  readonly entries = new Map<string, KnownCredential>()
  readonly budget: number
  #bytes = 0
  /** the keys of `entries`, oldest first from #head (slots before #head are spent) */
  #order: string[] = []
  #head = 0

  constructor (budget: number = MEMO_BUDGET_BYTES) {
    this.budget = budget
  }

  /** Bytes counted for what the memo holds now. */
  get bytes (): number {
    return this.#bytes
  }

  /** Remembers credentials that were accepted for `authorization` (see the top of this file). */
  remember (authorization: string, known: KnownCredential): void {
    if (authorization.length > MAX_MEMO_KEY_LENGTH || this.entries.has(authorization)) return
    const size = entrySize(authorization, known)
    if (size > this.budget) return
    while (this.#bytes + size > this.budget && this.entries.size > 0) this.#evictOldest()
    this.entries.set(authorization, known)
    this.#order.push(authorization)
    this.#bytes += size
  }

  clear (): void {
    this.entries.clear()
    this.#order = []
    this.#head = 0
    this.#bytes = 0
  }

  #evictOldest (): void {
    const key = this.#order[this.#head]
    this.#order[this.#head++] = ''
    // drop the spent front once it is half the queue: amortised O(1), memory at most twice the live keys
    if (this.#head >= 1024 && this.#head * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#head)
      this.#head = 0
    }
    const known = this.entries.get(key)
    if (known === undefined) return
    this.entries.delete(key)
    this.#bytes -= entrySize(key, known)
  }
}

function entrySize (authorization: string, known: KnownCredential): number {
  return authorization.length + known.clientId.length + known.clientSecret.length + ENTRY_OVERHEAD_BYTES
}
