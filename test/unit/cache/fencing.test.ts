// Fencing a stalled writer. A writer holding a slot's lock past lockTimeoutMs is presumed dead and its
// lock broken; if it only stalled, it resumes and stores into a slot another key may own by then. Each
// test stalls a writer of key A right before its stores (writeHooks.beforeStores), and meanwhile, as
// other threads would, breaks its lock, lets key B take the slot and be read; then lets A resume. No
// reader may ever get one key's value for the other, and A's publish must be refused and reported.

import t from 'tap'
import type { Test } from 'tap'
import { FILL, HIT, NEGATIVE, WAIT } from '../../../src/cache/lookup-status.ts'
import type { LookupStatus } from '../../../src/cache/lookup-status.ts'
import { readTokenCacheStats } from '../../../src/cache/stats.ts'
import type { TokenCache } from '../../../src/cache/token-cache.ts'
import { writeHooks } from '../../../src/cache/transitions.ts'
import { digestFor, encodeValue } from '../../helpers/cache-keys.ts'
import type { FakeClock, TestValue } from '../../helpers/cache-keys.ts'
import { setupCache } from '../../helpers/cache-setup.ts'

const HOME = 5
const A = digestFor(1, HOME)
const B = digestFor(2, HOME)
const LOCK_TIMEOUT_MS = 100

/** Runs `meanwhile` once, inside the next writeReady, after its fence check and before its stores. */
function stallNextWrite (meanwhile: () => void): void {
  writeHooks.beforeStores = () => {
    writeHooks.beforeStores = null
    meanwhile()
  }
}

/**
 * Thread b finds the slot (and, for a new entry, the home insert lock) held, sees each stuck for
 * lockTimeoutMs, breaks it and becomes B's filler in that slot.
 */
function breakAndFill (t: Test, b: TokenCache<TestValue>, clock: FakeClock): void {
  t.equal(b.lookup(B), WAIT, 'the stalled writer holds the slot')
  let status: LookupStatus = WAIT
  for (let look = 0; look < 4 && status === WAIT; look++) {
    clock.advance(LOCK_TIMEOUT_MS)
    status = b.lookup(B)
  }
  t.equal(status, FILL, 'its locks are broken and B takes the slot')
}

/** Looks `key` up and, whatever the status, checks that any value returned is that key's. */
function lookupOwn (t: Test, cache: TokenCache<TestValue>, key: Uint8Array, id: number): LookupStatus {
  const status = cache.lookup(key)
  if (cache.value !== null) {
    t.equal(cache.value.id, id, `a value returned for key ${id} is key ${id}'s`)
    t.ok(cache.value.intact)
  }
  return status
}

function setup (size: number) {
  const setup = setupCache({ slotSize: 128, spillSize: 4096, lockTimeoutMs: LOCK_TIMEOUT_MS })
  t.teardown(() => { writeHooks.beforeStores = null })
  return { ...setup, valueA: encodeValue(1, 1, size), valueB: encodeValue(2, 1, size) }
}

for (const [kind, size] of [['inline', 100], ['spilled', 300]] as const) {
  t.test(`${kind}: a stale writer of A resuming into B's slot is refused, and B's readers never get A's value`, async (t) => {
    const { cache: a, make, clock, handle, valueA, valueB } = setup(size)
    const b = make()
    const early = make()
    t.equal(a.lookup(A), FILL)
    stallNextWrite(() => {
      breakAndFill(t, b, clock)
      t.ok(b.complete(B, valueB, clock.time + 60_000))
      t.equal(lookupOwn(t, early, B, 2), HIT, 'B is served while A is stalled')
    })
    t.notOk(a.complete(A, valueA, clock.time + 60_000), 'A\'s publish is refused, and A is told')
    t.match(readTokenCacheStats(handle), { locksBroken: 1, fenced: 1, fills: 1 }, 'the refused write does not count as a fill')
    // A's stores landed in B's slot (B's digest, A's value): the seqlock cannot see them
    t.equal(lookupOwn(t, early, B, 2), HIT, 'a decoded copy of B keeps serving B')
    const late = make()
    t.equal(lookupOwn(t, late, B, 2), FILL, 'a reader decoding now finds the value fails B\'s seal and refetches')
    t.match(readTokenCacheStats(handle), kind === 'inline' ? { torn: 1 } : { spillLost: 1 })
    t.equal(lookupOwn(t, make(), A, 1), FILL, 'A has no entry: A\'s value is nowhere to be read')
    t.ok(late.complete(B, encodeValue(2, 2, size), clock.time + 60_000))
    t.equal(lookupOwn(t, make(), B, 2), HIT)
  })

  t.test(`${kind}: a stale writer that also moves the digest cannot make a decoded B serve A`, async (t) => {
    const { cache: a, make, clock, handle, valueA, valueB } = setup(size)
    const b = make()
    const reader = make()
    // A has no entry: its write takes a victim (the home slot) and stores A's digest there
    stallNextWrite(() => {
      breakAndFill(t, b, clock)
      t.ok(b.complete(B, valueB, clock.time + 60_000))
      t.equal(lookupOwn(t, reader, B, 2), HIT)
    })
    t.notOk(a.complete(A, valueA, clock.time + 60_000), 'refused')
    t.match(readTokenCacheStats(handle), { fenced: 1 })
    // the slot now holds A's digest, A's value and seal, and the generation B's value was decoded at
    const status = lookupOwn(t, reader, A, 1)
    t.equal(status, HIT, 'A\'s own stale write is whole and sealed for A: serving it is correct')
    t.equal(reader.value?.id, 1)
    t.not(lookupOwn(t, reader, B, 2), HIT, 'B\'s entry is gone: B is refetched, never answered with A\'s value')
  })
}

t.test('a stale writer of a refusal for A cannot make B look refused (no false 401)', async (t) => {
  const { cache: a, make, clock, handle, valueB } = setup(100)
  const b = make()
  const early = make()
  t.equal(a.lookup(A), FILL)
  stallNextWrite(() => {
    breakAndFill(t, b, clock)
    t.ok(b.complete(B, valueB, clock.time + 60_000))
    t.equal(lookupOwn(t, early, B, 2), HIT)
  })
  t.notOk(a.fail(A, 60_000), 'the IdP refused A, but A\'s write is refused: it was fenced')
  // B's slot now says NEGATIVE, with B's digest and the seal of A's refusal
  t.not(early.lookup(B), NEGATIVE, 'B is never answered as refused')
  t.not(make().lookup(B), NEGATIVE)
  t.match(readTokenCacheStats(handle), { fenced: 1, torn: 1 })
})

t.test('stray stores of a refused writer do not survive the new lock holder\'s publish', async (t) => {
  const { cache: a, make, clock, handle, valueA, valueB } = setup(100)
  const b = make()
  t.equal(a.lookup(A), FILL)
  // B becomes the slot's filler while A is stalled, but completes only after A's stray stores
  stallNextWrite(() => { breakAndFill(t, b, clock) })
  t.notOk(a.complete(A, valueA, clock.time + 60_000))
  t.ok(b.complete(B, valueB, clock.time + 60_000), 'B, the lock holder now, publishes over A\'s stray stores')
  t.equal(lookupOwn(t, make(), B, 2), HIT, 'and its value is whole')
  t.equal(lookupOwn(t, make(), A, 1), FILL)
  t.match(readTokenCacheStats(handle), { fenced: 1, fills: 1, torn: 0 })
})
