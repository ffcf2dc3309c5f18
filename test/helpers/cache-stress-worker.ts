// Worker for the multi-thread stress test.
// workerData: { handle, base, keys, homes, spread, ops, clients, seed }.
// `clients` concurrent loops make `ops` random operations in all over `keys` keys whose digests are
// forced onto `homes` home slots `spread` apart, so keys collide, share windows and evict each other.
// Fills complete after a short async gap with short expiries (so entries expire, refill and renew all
// the time), some values spill, some fills fail. Every value served is checked: intact (no torn
// read), of the key asked for, and unexpired unless served stale within the allowed staleness. The
// report lists each torn value and, for each lost wake-up, what the table held for that key.

import { parentPort, workerData } from 'node:worker_threads'
import { setImmediate as yieldLoop, setTimeout as delay } from 'node:timers/promises'
import { TokenCache } from '../../src/cache/token-cache.ts'
import { FILL, HIT, NEGATIVE, RENEW, STALE, WAIT } from '../../src/cache/lookup-status.ts'
import { decodeValue, digestFor, encodeValue } from './cache-keys.ts'
import type { TestValue } from './cache-keys.ts'
import { openViews, slotByte } from '../../src/cache/views.ts'
import { homeSlot } from '../../src/cache/probe.ts'
import { READ_OTHER, readSlot, Snapshot } from '../../src/cache/seqlock.ts'

const { handle, base, keys, homes, spread, ops, clients, seed } = workerData
/** a wait not resolved after this long is reported as a lost wake-up (fills and locks time out after an hour here) */
const LOST_WAKEUP_MS = 10_000
const MAX_STALE_MS = 20

let lastNow = 0
const cache = new TokenCache<TestValue>(handle, { decode: decodeValue, now: () => (lastNow = Date.now() - base) })
const digests = Array.from({ length: keys }, (_, id) => digestFor(id, (id % homes) * spread))
const lost: object[][] = []
const torn: object[] = []
const counts = { ops: 0, hits: 0, renews: 0, stale: 0, negative: 0, fills: 0, waits: 0, torn: 0, wrongKey: 0, expired: 0, lostWakeups: 0 }

let state = seed >>> 0
function rand (n: number): number {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0
  return state % n
}

/**
 * `at`: the clock of the lookup that produced the value, or for a waited outcome the clock when the
 * wait began (other clients move the clock while it sleeps; the outcome's own time is no earlier).
 */
function check (status: number, value: TestValue | null, id: number, maxStale: number, at: number): void {
  if (status === NEGATIVE || status === FILL) return
  if (value === null || !value.intact) {
    counts.torn++
    torn.push({ status, id, value })
    if (value === null) return
  }
  if (value.id !== id) counts.wrongKey++
  // the value's version is its expiry: served fresh it must lie ahead of the lookup's clock
  if (status === STALE ? value.version + maxStale < at : value.version <= at) counts.expired++
  if (status === HIT) counts.hits++
  else if (status === RENEW) counts.renews++
  else counts.stale++
}

async function waitFor (digest: Uint8Array, maxStale: number): Promise<{ status: number, value: TestValue | null }> {
  counts.waits++
  let timer: NodeJS.Timeout | undefined
  const watchdog = new Promise<null>((resolve) => { timer = setTimeout(resolve, LOST_WAKEUP_MS, null) })
  const waited = cache.wait(digest, maxStale)
  const first = await Promise.race([waited, watchdog])
  clearTimeout(timer)
  if (first !== null) return first
  counts.lostWakeups++
  lost.push(describe(digest))
  return { status: NEGATIVE, value: null } // give up on it, so the report still comes
}

/** What the shared table holds for a key, for the report of a lost wake-up. */
function describe (digest: Uint8Array): object[] {
  const v = openViews(handle)
  const key = new Int32Array(Uint8Array.from(digest).buffer)
  const home = homeSlot(v, key)
  const found: object[] = []
  for (let p = 0; p < v.window; p++) {
    const byte = slotByte(v, (home + p) % v.slots)
    const snap = new Snapshot()
    if (readSlot(v, byte, key, snap) !== READ_OTHER) found.push({ slot: (home + p) % v.slots, now: Date.now() - base, ...snap })
  }
  return found
}

function fill (id: number, digest: Uint8Array): void {
  const roll = rand(10)
  if (roll < 2) { cache.fail(digest, 0); return } // IdP unreachable
  if (roll === 2) { cache.fail(digest, 3); return } // IdP refused
  const expiresAt = Date.now() - base + 2 + rand(30)
  const size = rand(5) === 0 ? 300 + rand(300) : 16 + rand(100) // slotSize is 128: one in five spills
  cache.complete(digest, encodeValue(id, expiresAt, size), expiresAt)
}

async function operation (): Promise<void> {
  const id = rand(keys)
  const digest = digests[id]
  const maxStale = rand(4) === 0 ? MAX_STALE_MS : 0
  let status: number = cache.lookup(digest, maxStale)
  let value = cache.value
  const at = lastNow
  if (status === WAIT) {
    ({ status, value } = await waitFor(digest, maxStale))
  }
  check(status, value, id, maxStale, at)
  if (status === NEGATIVE) counts.negative++
  if (status === FILL) {
    counts.fills++
    // the fetch takes up to a few ms, as an IdP call does: meanwhile others find the fill in progress,
    // and after a failed one (one in five fails transiently) those that accept a stale value get STALE.
    // With a gap of one event-loop turn that happened only by the run's own slowness: a fast run on
    // a quiet machine served no stale value, and the check that it did failed
    await delay(rand(4))
    fill(id, digest)
  } else if (status === RENEW) {
    setImmediate(fill, id, digest)
  }
  counts.ops++
}

async function client (n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await operation()
    if ((i & 7) === 0) await yieldLoop()
  }
}

await Promise.all(Array.from({ length: clients }, () => client(Math.ceil(ops / clients))))
await yieldLoop() // let background renewals finish
parentPort!.postMessage({ ...counts, lost, tornValues: torn, localEntries: cache.localEntries, heapUsed: process.memoryUsage().heapUsed })
