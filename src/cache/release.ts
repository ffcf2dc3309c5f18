// Prompt release of a dead worker's fills. The supervisor calls this from the worker's 'exit' event:
// every fill the worker had claimed is abandoned (writeAbandoned: its waiters wake at once and one of
// them takes the fill over; the death of a thread says nothing about the credentials, so no waiter is
// told the fill failed), its renewal claims are dropped and its stats lane is freed for later workers.
// Without this call the same happens when each fill's deadline (fillTimeoutMs) passes.

import { threadId } from 'node:worker_threads'
import type { TokenCacheHandle } from './handle.ts'
import { SLOT_CLAIM_UNTIL, SLOT_OWNER, SLOT_SEQ, SLOT_STATE, STATE_FILLING, STATE_READY } from './layout.ts'
import { tryLock, unlock } from './seqlock.ts'
import { releaseLanes, STAT_FILL_TIMEOUTS, StatsLane } from './stats.ts'
import { writeAbandoned, writeClaim } from './transitions.ts'
import { openViews, slotByte } from './views.ts'

/** Releases what thread `deadThreadId` held; returns how many fills it ended. */
export function releaseThreadFills (handle: TokenCacheHandle, deadThreadId: number, now = Date.now()): number {
  const v = openViews(handle)
  const owner = deadThreadId + 1
  let released = 0
  for (let slot = 0; slot < v.slots; slot++) {
    const byte = slotByte(v, slot)
    const seq = Atomics.load(v.i32, (byte + SLOT_SEQ) >> 2)
    if ((seq & 1) !== 0 || v.i32[(byte + SLOT_OWNER) >> 2] !== owner) continue
    const state = v.i32[(byte + SLOT_STATE) >> 2]
    const claimed = state === STATE_READY && v.f64[(byte + SLOT_CLAIM_UNTIL) >> 3] > now
    if (state !== STATE_FILLING && !claimed) continue
    // locking from the seq read before the fields proves they were that version's
    if (!tryLock(v, byte, seq)) continue
    if (state === STATE_FILLING) writeAbandoned(v, byte)
    else writeClaim(v, byte, 0, 0)
    if (unlock(v, byte, seq) && state === STATE_FILLING) released++
  }
  releaseLanes(v, owner)
  const stats = new StatsLane(v, threadId + 1)
  for (let i = 0; i < released; i++) stats.add(STAT_FILL_TIMEOUTS)
  return released
}
