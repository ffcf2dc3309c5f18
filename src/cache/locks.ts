// The insert lock, and how any lock held by a dead thread is recognised.
//
// Creating a key's entry takes the insert lock of the key's home slot, so two threads missing on the
// same cold key cannot both create an entry (both would become fillers). Different keys land in
// different homes and do not contend; a slot both want is arbitrated by its seqlock. The lock word
// holds a ticket unique per acquisition (HEADER_TICKET), so an observer can tell "the same holder for a
// long time" from "busy with many short holds".
//
// A worker can be terminated between taking a lock and releasing it. Every hold is a short copy with
// no await or allocation, so a lock seen unchanged for lockTimeoutMs is presumed dead and broken.

import { HEADER_TICKET, SLOT_INSERT_LOCK } from './layout.ts'
import type { Views } from './views.ts'

export function insertLockIndex (homeByte: number): number {
  return (homeByte + SLOT_INSERT_LOCK) >> 2
}

/** Returns the ticket now holding the lock, or 0 when another thread holds it. */
export function tryInsertLock (v: Views, homeByte: number): number {
  let ticket = (Atomics.add(v.i32, HEADER_TICKET, 1) + 1) | 0
  if (ticket === 0) ticket = 1
  return Atomics.compareExchange(v.i32, insertLockIndex(homeByte), 0, ticket) === 0 ? ticket : 0
}

/** Releases (or, for a presumed-dead holder, breaks) the lock if `ticket` still holds it; wakes waiters. */
export function releaseInsertLock (v: Views, homeByte: number, ticket: number): boolean {
  const index = insertLockIndex(homeByte)
  const released = Atomics.compareExchange(v.i32, index, ticket, 0) === ticket
  Atomics.notify(v.i32, index)
  return released
}

/**
 * This thread's observations of busy lock words: a word seen holding the same value for at least
 * `timeoutMs` (by this thread's clock) is stuck. Bounded by the number of lock words.
 */
export class StuckWatch {
  readonly #value = new Map<number, number>()
  readonly #since = new Map<number, number>()

  stuck (index: number, value: number, now: number, timeoutMs: number): boolean {
    if (this.#value.get(index) !== value) {
      this.#value.set(index, value)
      this.#since.set(index, now)
      return false
    }
    if (now - (this.#since.get(index) ?? now) < timeoutMs) return false
    this.#value.delete(index)
    this.#since.delete(index)
    return true
  }
}
