// Every state transition of one entry, on a fake clock. Two TokenCache instances over one handle stand
// in for two workers.

import t from 'tap'
import { FILL, HIT, NEGATIVE, RENEW, STALE, WAIT } from '../../../src/cache/status.ts'
import { readTokenCacheStats } from '../../../src/cache/stats.ts'
import { releaseThreadFills } from '../../../src/cache/release.ts'
import { digestFor, encodeValue } from '../../helpers/cache-keys.ts'
import { setupCache } from '../../helpers/cache-setup.ts'

const d = digestFor(1)

t.test('cold miss: one filler, others wait, complete makes a ready hit for everyone', async (t) => {
  const { cache, make, clock, counter, handle } = setupCache()
  const other = make()
  t.equal(cache.lookup(d), FILL)
  t.equal(cache.value, null)
  t.equal(other.lookup(d), WAIT)
  const waited = other.wait(d)
  t.ok(cache.complete(d, encodeValue(1, 1), clock.time + 60_000))
  const outcome = await waited
  t.equal(outcome.status, HIT)
  t.match(outcome.value, { id: 1, version: 1, intact: true })
  t.equal(cache.lookup(d), HIT)
  const first = cache.value
  t.equal(cache.lookup(d), HIT)
  t.equal(cache.value, first, 'a hit returns the same decoded object')
  t.equal(counter.decodes, 2, 'one decode per worker')
  t.match(readTokenCacheStats(handle), { misses: 1, waits: 1, fills: 1, hits: 2, entries: 1, filling: 0 })
})

t.test('complete with the decoded value primes this worker: no decode', async (t) => {
  const { cache, clock, counter } = setupCache()
  cache.lookup(d)
  const value = { id: 1, version: 1, size: 64, intact: true }
  cache.complete(d, encodeValue(1, 1), clock.time + 60_000, { value })
  t.equal(cache.lookup(d), HIT)
  t.equal(cache.value, value)
  t.equal(counter.decodes, 0)
})

t.test('an entry at or past its expiry is a miss; stale only when asked for', async (t) => {
  const { cache, make, clock } = setupCache({ renewAheadMs: 0 })
  cache.lookup(d)
  cache.complete(d, encodeValue(1, 1), clock.time + 10_000)
  clock.advance(9_999)
  t.equal(cache.lookup(d), HIT)
  clock.advance(1)
  t.equal(cache.lookup(d), FILL, 'expired: the asker refills')
  t.equal(cache.value, null, 'no stale value unless allowed')
  const other = make()
  t.equal(other.lookup(d), WAIT, 'the first refill after expiry is waited for, never served stale')
  t.equal(other.lookup(d, 60_000), WAIT, 'even with staleness allowed, until a fill fails')
  cache.complete(d, encodeValue(1, 2), clock.time + 10_000)
  t.equal(other.lookup(d), HIT)
  t.equal(other.value?.version, 2)
})

t.test('a caller that already has the time passes it instead of the clock', async (t) => {
  const { cache, clock } = setupCache({ renewAheadMs: 0 })
  cache.lookup(d)
  cache.complete(d, encodeValue(1, 1), clock.time + 10_000)
  t.equal(cache.lookup(d, 0, clock.time + 9_999), HIT)
  t.equal(cache.lookup(d, 0, clock.time + 10_000), FILL, 'expired at the time given, whatever the clock says')
})

t.test('renew-ahead: exactly one claim, the value keeps being served, complete renews', async (t) => {
  const { cache, make, clock, handle } = setupCache({ renewAheadMs: 1000, fillTimeoutMs: 500 })
  const other = make()
  const expires = clock.time + 100_000
  cache.lookup(d)
  cache.complete(d, encodeValue(1, 1), expires)
  clock.advance(98_999)
  t.equal(cache.lookup(d), HIT)
  t.equal(other.lookup(d), HIT)
  clock.advance(1)
  t.equal(other.lookup(d), RENEW, 'the first asker in the window wins the claim')
  t.equal(other.value?.version, 1, 'and gets the still-valid value')
  t.equal(cache.lookup(d), HIT, 'everyone else keeps hitting')
  t.equal(other.lookup(d), HIT, 'the winner too, once claimed')
  t.ok(other.fail(d, 0), 'a failed renewal keeps the valid value')
  t.equal(cache.lookup(d), HIT)
  clock.advance(500)
  t.equal(cache.lookup(d), RENEW, 'a claim not completed within fillTimeoutMs can be taken again')
  t.ok(cache.complete(d, encodeValue(1, 2), expires + 100_000))
  t.equal(other.lookup(d), HIT)
  t.equal(other.value?.version, 2)
  t.match(readTokenCacheStats(handle), { renewals: 2, misses: 1, fills: 2 })
})

t.test('a failed renewal is retried after RENEW_RETRY_MS (1 s), not on every request', async (t) => {
  const { cache, make, clock } = setupCache({ renewAheadMs: 10_000, fillTimeoutMs: 8000 })
  const other = make()
  cache.lookup(d)
  cache.complete(d, encodeValue(1, 1), clock.time + 100_000)
  clock.advance(95_000)
  t.equal(cache.lookup(d), RENEW)
  t.ok(cache.fail(d, 0))
  t.equal(other.lookup(d), HIT)
  clock.advance(999)
  t.equal(other.lookup(d), HIT)
  clock.advance(1)
  t.equal(other.lookup(d), RENEW)
})

t.test('renew-ahead never starts before half the lifetime', async (t) => {
  const { cache, clock } = setupCache({ renewAheadMs: 30_000 })
  cache.lookup(d)
  cache.complete(d, encodeValue(1, 1), clock.time + 1000)
  clock.advance(499)
  t.equal(cache.lookup(d), HIT)
  clock.advance(1)
  t.equal(cache.lookup(d), RENEW)
})

t.test('an entry that never expires is never renewed', async (t) => {
  const { cache, clock } = setupCache()
  cache.lookup(d)
  cache.complete(d, encodeValue(1, 1), Infinity)
  clock.advance(1e12)
  t.equal(cache.lookup(d), HIT)
})

t.test('negative entries: the refusal is shared with waiters and remembered for its TTL', async (t) => {
  const { cache, make, clock, handle } = setupCache()
  const other = make()
  t.equal(cache.lookup(d), FILL)
  t.equal(other.lookup(d), WAIT)
  const waited = other.wait(d)
  t.ok(cache.fail(d, 2000))
  t.same(await waited, { status: NEGATIVE, value: null })
  t.equal(other.lookup(d), NEGATIVE)
  clock.advance(1999)
  t.equal(cache.lookup(d), NEGATIVE)
  clock.advance(1)
  t.equal(cache.lookup(d), FILL, 'expired negative: ask again')
  t.match(readTokenCacheStats(handle), { negativeHits: 2, failures: 1, negativeEntries: 0, filling: 1 })
})

t.test('fail(0) with nothing cached: waiters learn the failure, the next asker retries', async (t) => {
  const { cache, make } = setupCache()
  const other = make()
  cache.lookup(d)
  t.equal(other.lookup(d), WAIT)
  const waited = other.wait(d)
  t.ok(cache.fail(d, 0))
  t.same(await waited, { status: NEGATIVE, value: null }, 'the waiter does not refill itself')
  t.equal(other.lookup(d), FILL, 'a new request retries')
})

t.test('a negative result can be recorded for a key with no entry', async (t) => {
  const { cache } = setupCache()
  t.ok(cache.fail(d, 1000))
  t.equal(cache.lookup(d), NEGATIVE)
  t.notOk(cache.fail(digestFor(2), 0), 'fail(0) of an unknown key changes nothing')
})

t.test('resurrect: a stale value is served only after a fill failed, and only within the staleness', async (t) => {
  const { cache, make, clock, handle } = setupCache()
  const other = make()
  cache.lookup(d)
  cache.complete(d, encodeValue(1, 1), clock.time + 10_000)
  clock.advance(10_000 + 1000)
  t.equal(cache.lookup(d, 60_000), FILL)
  t.equal(cache.value?.version, 1, 'the filler holds the stale value to serve if its fetch fails')
  t.equal(other.lookup(d, 60_000), WAIT)
  const waited = other.wait(d, 60_000)
  t.ok(cache.fail(d, 0), 'IdP unreachable')
  const outcome = await waited
  t.equal(outcome.status, STALE)
  t.equal(outcome.value?.version, 1)
  t.equal(other.lookup(d, 60_000), FILL, 'the next request retries the IdP, holding the stale value')
  t.equal(other.value?.version, 1)
  t.equal(cache.lookup(d, 60_000), STALE, 'while a retry runs after a failure, others are served stale')
  t.equal(cache.value?.version, 1)
  t.equal(cache.lookup(d, 999), WAIT, 'but not beyond their allowed staleness')
  t.equal(cache.lookup(d), WAIT, 'nor when they allow none')
  t.ok(other.complete(d, encodeValue(1, 2), clock.time + 10_000))
  t.equal(cache.lookup(d, 60_000), HIT)
  t.equal(cache.value?.version, 2)
  clock.advance(10_000)
  t.equal(cache.lookup(d, 60_000), FILL)
  t.equal(other.lookup(d, 60_000), WAIT, 'a successful fill cleared the failure: back to waiting')
  t.match(readTokenCacheStats(handle), { staleHits: 1 })
})

t.test('a negative answer drops the old value: never served stale after a refusal', async (t) => {
  const { cache, make, clock } = setupCache()
  const other = make()
  cache.lookup(d)
  cache.complete(d, encodeValue(1, 1), clock.time + 1000)
  clock.advance(1000)
  t.equal(cache.lookup(d, 60_000), FILL)
  cache.fail(d, 500)
  t.equal(other.lookup(d, 60_000), NEGATIVE)
  clock.advance(500)
  t.equal(other.lookup(d, 60_000), FILL)
  t.equal(other.value, null)
})

t.test('a fill past its deadline is presumed dead and taken over', async (t) => {
  const { cache, make, clock, handle } = setupCache({ fillTimeoutMs: 5000 })
  const other = make()
  t.equal(cache.lookup(d), FILL)
  clock.advance(4999)
  t.equal(other.lookup(d), WAIT)
  clock.advance(1)
  t.equal(other.lookup(d), FILL, 'the deadline passed: this asker fills')
  t.equal(cache.lookup(d), WAIT, 'and the new fill is waited for')
  t.match(readTokenCacheStats(handle), { fillTimeouts: 1 })
})

t.test('a waiter whose filler times out becomes the filler', async (t) => {
  const { cache, make, clock } = setupCache({ fillTimeoutMs: 20 })
  const other = make()
  cache.lookup(d)
  t.equal(other.lookup(d), WAIT)
  const waited = other.wait(d)
  clock.advance(20) // the waiter sleeps until the deadline (real ms), then looks again on this clock
  t.same(await waited, { status: FILL, value: null })
})

t.test('releaseThreadFills ends the fills and renewal claims of an exited thread at once', async (t) => {
  const { cache, make, clock, handle } = setupCache({ fillTimeoutMs: 60_000 })
  const other = make()
  const renewed = digestFor(2)
  cache.lookup(renewed)
  cache.complete(renewed, encodeValue(2, 1), clock.time + 100_000)
  t.equal(cache.lookup(d), FILL)
  t.equal(other.lookup(d), WAIT)
  const waited = other.wait(d)
  clock.advance(99_500)
  t.equal(cache.lookup(renewed), RENEW)
  t.equal(other.lookup(renewed), HIT)
  t.equal(releaseThreadFills(handle, 0, clock.time), 1, 'this test runs on thread 0: its one fill')
  t.same(await waited, { status: NEGATIVE, value: null })
  t.equal(other.lookup(d), FILL)
  t.equal(other.lookup(renewed), RENEW, 'the dead renewer\'s claim was dropped')
})

t.test('wait resolves when the fill completes later', async (t) => {
  const { cache, make, clock } = setupCache()
  const other = make()
  cache.lookup(d)
  t.equal(other.lookup(d), WAIT)
  const waited = other.wait(d)
  setImmediate(() => cache.complete(d, encodeValue(1, 7), clock.time + 1000))
  const outcome = await waited
  t.equal(outcome.status, HIT)
  t.equal(outcome.value?.version, 7)
})

t.test('arguments are checked', async (t) => {
  const { cache } = setupCache()
  t.throws(() => cache.lookup(new Uint8Array(31)), TypeError)
  t.throws(() => cache.complete(d, encodeValue(1, 1), NaN), TypeError)
})
