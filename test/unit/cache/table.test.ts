// Keys that share slots, eviction of a full window, values larger than a slot, and locks left by a
// thread that died while holding them.

import t from 'tap'
import { HEADER_SPILL_HEAD_BYTE, SLOT_INSERT_LOCK, SLOT_SEQ, SLOT_VALUE } from '../../../src/cache/layout.ts'
import { FILL, HIT, NEGATIVE, WAIT } from '../../../src/cache/lookup-status.ts'
import { readTokenCacheStats } from '../../../src/cache/stats.ts'
import { openViews, slotByte } from '../../../src/cache/views.ts'
import { digestFor, encodeValue } from '../../helpers/cache-keys.ts'
import { setupCache } from '../../helpers/cache-setup.ts'

const HOME = 5

function fill (cache: ReturnType<typeof setupCache>['cache'], id: number, expiresAt: number, size = 64, home = HOME): Uint8Array {
  const digest = digestFor(id, home)
  if (cache.lookup(digest) !== FILL) throw new Error(`key ${id} was not a miss`)
  if (!cache.complete(digest, encodeValue(id, 1, size), expiresAt)) throw new Error(`key ${id} not stored`)
  return digest
}

t.test('keys with the same home slot each get their own value, never another key\'s', async (t) => {
  const { cache, make, clock } = setupCache()
  const digests = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => fill(cache, id, clock.time + 60_000))
  const other = make()
  for (let i = 0; i < digests.length; i++) {
    t.equal(other.lookup(digests[i]), HIT)
    t.match(other.value, { id: i + 1, intact: true })
  }
  t.equal(other.lookup(digestFor(99, HOME)), FILL, 'an absent key with the same home misses')
  const near = Uint8Array.from(digests[0])
  near[31] ^= 1
  t.equal(other.lookup(near), FILL, 'a digest differing in its last byte is another key')
})

t.test('a full window evicts the entry with the nearest expiry, expired ones first', async (t) => {
  const { cache, clock, handle } = setupCache({ renewAheadMs: 0 })
  // key 3 expires soonest, then key 1, key 2, ...
  const expiry = (id: number): number => clock.time + (id === 3 ? 30_000 : 60_000 + id * 1000)
  const digests = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => fill(cache, id, expiry(id)))
  const hits = (ids: number[]): void => {
    for (const id of ids) t.equal(cache.lookup(digests[id - 1]), HIT, `key ${id} still cached`)
  }
  fill(cache, 9, clock.time + 100_000)
  t.match(readTokenCacheStats(handle), { evictions: 1 })
  hits([1, 2, 4, 5, 6, 7, 8])
  t.equal(cache.lookup(digests[2]), FILL, 'key 3, expiring soonest, was evicted; asking again evicts key 1')
  t.ok(cache.complete(digests[2], encodeValue(3, 2), clock.time + 100_000))
  hits([2, 3, 4, 5, 6, 7, 8])
  t.match(readTokenCacheStats(handle), { evictions: 2 })
  clock.advance(62_000) // key 2 has expired, all others are live
  fill(cache, 10, clock.time + 100_000)
  hits([3, 4, 5, 6, 7, 8])
  t.match(readTokenCacheStats(handle), { evictions: 2 }, 'key 2 made room, and displacing an expired entry is no eviction')
  t.equal(readTokenCacheStats(handle).entries, 8)
})

t.test('entries that never expire are evicted last, but are evicted', async (t) => {
  const { cache, clock } = setupCache()
  const digests = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => fill(cache, id, id === 4 ? clock.time + 1000 : Infinity))
  fill(cache, 9, Infinity)
  t.equal(cache.lookup(digests[3]), FILL, 'the one with a finite expiry went first')
  t.ok(cache.complete(digests[3], encodeValue(4, 2), Infinity), 'a full window of never-expiring entries still takes a new key')
  t.equal(cache.lookup(digestFor(9, HOME)), HIT)
})

t.test('fills in progress are never evicted; a key whose window is all fills is served uncached', async (t) => {
  const { cache, make, clock, handle } = setupCache()
  const filling = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => digestFor(id, HOME))
  for (const digest of filling) t.equal(cache.lookup(digest), FILL)
  const extra = digestFor(9, HOME)
  t.equal(cache.lookup(extra), FILL, 'the caller still fills')
  t.notOk(cache.complete(extra, encodeValue(9, 1), clock.time + 1000), 'but nothing is stored')
  t.equal(make().lookup(filling[0]), WAIT, 'the fills were left alone')
  t.match(readTokenCacheStats(handle), { uncached: 2, evictions: 0, filling: 8 })
})

t.test('a tiny table: windows wrap around and eviction stays bounded', async (t) => {
  const { cache, clock, handle } = setupCache({ slots: 3 })
  for (let id = 1; id <= 20; id++) {
    const digest = digestFor(id)
    t.equal(cache.lookup(digest), FILL)
    t.ok(cache.complete(digest, encodeValue(id, 1), clock.time + id * 1000))
    t.equal(cache.lookup(digest), HIT)
    t.equal(cache.value?.id, id)
  }
  t.equal(readTokenCacheStats(handle).entries, 3)
})

t.test('a value larger than a slot goes through the spill ring, intact for every worker', async (t) => {
  const { cache, make, clock, handle } = setupCache({ slotSize: 128, spillSize: 4096 })
  const digest = fill(cache, 1, clock.time + 60_000, 1000)
  const other = make()
  t.equal(other.lookup(digest), HIT)
  t.match(other.value, { id: 1, size: 1000, intact: true })
  const exact = fill(cache, 2, clock.time + 60_000, 128)
  t.equal(other.lookup(exact), HIT)
  t.match(other.value, { size: 128, intact: true }, 'exactly slotSize stays inline')
  t.match(readTokenCacheStats(handle), { spills: 1 })
})

t.test('a spilled value overwritten in the ring: decoded copies keep serving, one worker refills', async (t) => {
  const { cache, make, clock, handle } = setupCache({ slotSize: 128, spillSize: 4096, renewAheadMs: 0 })
  const digest = fill(cache, 1, clock.time + 60_000, 1500)
  t.equal(cache.lookup(digest), HIT)
  for (let id = 2; id <= 4; id++) fill(cache, id, clock.time + 60_000, 1500, 20 + id)
  const fresh = make()
  const third = make()
  t.equal(fresh.lookup(digest), FILL, 'its bytes are gone: this worker refetches')
  t.equal(third.lookup(digest), WAIT, 'others without a decoded copy wait for that refetch')
  const waited = third.wait(digest)
  t.equal(cache.lookup(digest), HIT, 'a worker with a decoded copy still hits')
  t.match(cache.value, { id: 1, intact: true })
  t.ok(fresh.complete(digest, encodeValue(1, 2, 1500), clock.time + 60_000))
  t.match((await waited).value, { id: 1, version: 2, intact: true })
  t.match(readTokenCacheStats(handle), { spillLost: 3 }, 'fresh, third, and third again inside wait()')
})

t.test('spilled bytes overwritten by a lapped writer (head unchanged) are caught by the checksum', async (t) => {
  const { cache, make, clock, handle } = setupCache({ slotSize: 128, spillSize: 4096 })
  const digest = fill(cache, 1, clock.time + 60_000, 1000)
  const v = openViews(handle)
  v.u8[v.spillOffset + 500] ^= 0x5a // a writer that reserved long ago copies over these bytes now
  const fresh = make()
  t.equal(fresh.lookup(digest), FILL, 'the corrupt copy is treated as lost and refetched, never decoded')
  t.match(readTokenCacheStats(handle), { spillLost: 1 })
})

t.test('a value larger than the spill ring is not cached and its waiters are released', async (t) => {
  const { cache, make, clock, handle } = setupCache({ slotSize: 128, spillSize: 1024 })
  const digest = digestFor(1)
  const other = make()
  cache.lookup(digest)
  t.equal(other.lookup(digest), WAIT)
  const waited = other.wait(digest)
  t.notOk(cache.complete(digest, encodeValue(1, 1, 2000), clock.time + 60_000))
  t.equal((await waited).status, NEGATIVE)
  t.match(readTokenCacheStats(handle), { uncached: 1, spills: 0 })
})

t.test('the spill head is a 64-bit position: ring offsets wrap without losing values', async (t) => {
  const { cache, handle, clock } = setupCache({ slotSize: 16, spillSize: 1000 })
  openViews(handle).spillHead[0] = BigInt(2 ** 40 - 10)
  t.equal(HEADER_SPILL_HEAD_BYTE % 8, 0)
  const digest = fill(cache, 1, clock.time + 60_000, 300)
  t.equal(cache.lookup(digest), HIT)
  t.match(cache.value, { intact: true, size: 300 })
})

t.test('a slot left locked by a dead writer is broken after lockTimeoutMs and emptied', async (t) => {
  const { cache, make, clock, handle } = setupCache({ lockTimeoutMs: 100 })
  const digest = fill(cache, 1, clock.time + 60_000, 64, 0)
  const v = openViews(handle)
  const seqIndex = (slotByte(v, 0) + SLOT_SEQ) >> 2
  const seq = Atomics.add(v.i32, seqIndex, 1) + 1 // a writer took the lock...
  v.u8[slotByte(v, 0) + SLOT_VALUE + 20] ^= 0xff // ...and died halfway through the value
  const other = make()
  t.equal(other.lookup(digest), WAIT, 'a locked slot is never read')
  clock.advance(99)
  t.equal(other.lookup(digest), WAIT)
  clock.advance(1)
  t.equal(other.lookup(digest), FILL, 'the lock is broken, the torn entry dropped, the key refilled')
  t.equal(Atomics.load(v.i32, seqIndex), seq + 5, 'broken (published empty at seq + 3), then refilled (+ 2)')
  t.equal(cache.lookup(digest), WAIT, 'no thread sees the half-written value')
  t.match(readTokenCacheStats(handle), { locksBroken: 1 })
})

t.test('a waiter on a locked slot wakes when the writer publishes', async (t) => {
  const { cache, make, clock, handle } = setupCache()
  const digest = fill(cache, 1, clock.time + 60_000, 64, 0)
  const v = openViews(handle)
  const seqIndex = (slotByte(v, 0) + SLOT_SEQ) >> 2
  const seq = Atomics.add(v.i32, seqIndex, 1) + 1
  const other = make()
  t.equal(other.lookup(digest), WAIT)
  const waited = other.wait(digest)
  setImmediate(() => {
    Atomics.store(v.i32, seqIndex, seq + 1)
    Atomics.notify(v.i32, seqIndex)
  })
  t.match(await waited, { status: HIT, value: { id: 1, intact: true } })
})

t.test('an insert lock left by a dead thread is broken after lockTimeoutMs', async (t) => {
  const { cache, clock, handle } = setupCache({ lockTimeoutMs: 100 })
  const v = openViews(handle)
  const lockIndex = (slotByte(v, HOME) + SLOT_INSERT_LOCK) >> 2
  v.i32[lockIndex] = 12345
  const digest = digestFor(1, HOME)
  t.equal(cache.lookup(digest), WAIT)
  clock.advance(100)
  t.equal(cache.lookup(digest), FILL)
  t.equal(v.i32[lockIndex], 0)
  t.match(readTokenCacheStats(handle), { locksBroken: 1 })
})
