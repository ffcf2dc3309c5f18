// The second level of the token and introspection caches: values shared between gateway nodes through
// Redis (Kong 3.15's cluster_cache_strategy "redis"; one ClusterCache per plugin instance and
// cluster_cache_items entry, cluster-cache-items.ts: `tokens`, the client credentials tokens of
// token-flow.ts, and `introspection`, the introspection answers of resource-flow.ts). The first level, the
// shared-memory cache of one node (src/cache), is untouched: a first-level hit never gets here. Only the
// worker filling (or renewing) a first-level entry talks to Redis, in this order (obtain()):
//   1. read: a sealed value (cluster-cache-seal.ts) still valid, and newer than the value being renewed,
//      is the node's value; no IdP call.
//   2. lock: SET <lock> <random fencing token> NX PX <plugin timeout>. The winner reads the value once
//      more (a lock free just after a winner released it would otherwise cost a second fetch), asks the IdP, writes the
//      sealed value with its expiry (SET PX), then releases the lock only if it still holds it (a
//      compare-and-delete script with its fencing token: a lock that lapsed and was taken by another node
//      is not released by the late one).
//   3. a loser polls (value and lock in one MGET, backoff 20 ms to 200 ms, at most the plugin's timeout)
//      until the winner's value appears; when the lock goes without a value (the winner failed) or the
//      time is up, it falls back to its own IdP call.
// Redis down, slow or refusing: every command is bounded by the record's read_timeout (src/redis/options.ts;
// no offline queue, so a disconnected client fails at once), any failure is counted and the fill goes on
// to the IdP as if the level were off; the connection's state changes are logged once by src/redis.
// What is shared is the item's choice (its caller hands obtain() the value bytes and their expiry): a
// refused client credential is not (each node learns it from the IdP and caches it negatively itself); an
// inactive introspection answer is (resource-flow.ts says why); an IdP failure never is (nothing to write).

import { randomBytes } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import type { SharedRedis } from '../../../redis/clients.ts'
import { CLUSTER_ERRORS, CLUSTER_HITS, CLUSTER_LOCK_WAITS, CLUSTER_MISSES, CLUSTER_WRITES, type ClusterCacheStats } from '../shared/cluster-cache-stats.ts'
import { open, seal, sealKeys, type SealKeys, type SealNamespace } from './cluster-cache-seal.ts'

/** lock(): another node holds the lock */
export const BUSY = 'busy'
/** lock(): Redis could not be asked */
export const UNAVAILABLE = 'unavailable'

const FIRST_POLL_MS = 20
const MAX_POLL_MS = 200
/** a value without an expiry stays in Redis this long (the first level keeps it; a node refetches after) */
const MAX_TTL_MS = 86_400_000
/** the derived keys of this many credentials are memoised per instance (the fill path derives them once) */
const MAX_MEMO = 10_000

const UNLOCK_COMMAND = 'tollgateOidcUnlock'
// KEYS[1] the lock, ARGV[1] the fencing token it was taken with: deleted only while it still holds that token
const UNLOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`

interface UnlockCommand {
  tollgateOidcUnlock (key: string, token: string): Promise<number>
}

function unlockCommand (client: Redis | Cluster): UnlockCommand {
  if (!(UNLOCK_COMMAND in client)) client.defineCommand(UNLOCK_COMMAND, { numberOfKeys: 1, lua: UNLOCK_SCRIPT })
  return client as unknown as UnlockCommand
}

async function sleep (ms: number): Promise<void> {
  return await new Promise((resolve) => setTimeout(resolve, ms))
}

/** What one cluster_cache_items entry shares: where in Redis, and how its value bytes say their expiry. */
export interface ClusterItem {
  readonly namespace: SealNamespace
  /** the expiry (ms since the epoch) of value bytes of this item, read without decoding; null: not one */
  expiresAt (plain: Uint8Array): number | null
}

/** What a fill shares: the first level's value bytes and when they expire. */
export interface Shareable {
  readonly bytes: Uint8Array
  readonly expiresAt: number
}

/** The value bytes in `sealed` when it opens with `keys` and expires after `notBefore` and now. */
function valid (item: ClusterItem, keys: SealKeys, sealed: Buffer | null, notBefore: number): Buffer | null {
  const plain = sealed === null ? null : open(keys, sealed)
  const expiresAt = plain === null ? null : item.expiresAt(plain)
  return expiresAt === null || expiresAt <= notBefore || expiresAt <= Date.now() ? null : plain
}

export interface ClusterCacheOptions {
  /** the item shared (cluster-cache-items.ts) */
  readonly item: ClusterItem
  /** the instance salt (cache_tokens_salt, else the plugin id): part of every derived key */
  readonly salt: string
  /** the plugin's timeout (ms): how long a lock lives and how long a loser waits for the winner */
  readonly timeoutMs: number
}

export class ClusterCache {
  readonly redis: SharedRedis
  readonly #client: Redis | Cluster
  readonly #unlock: UnlockCommand
  readonly #stats: ClusterCacheStats
  readonly #options: ClusterCacheOptions
  readonly #keys = new Map<string, SealKeys>()

  constructor (redis: SharedRedis, stats: ClusterCacheStats, options: ClusterCacheOptions) {
    this.redis = redis
    this.#client = redis.client
    this.#unlock = unlockCommand(redis.client)
    this.#stats = stats
    this.#options = options
  }

  /** The Redis names and value key of the credential whose first-level key is `digest`. */
  keysFor (digest: Uint8Array): SealKeys {
    const id = Buffer.from(digest.buffer, digest.byteOffset, digest.length).toString('base64')
    let keys = this.#keys.get(id)
    if (keys === undefined) {
      if (this.#keys.size >= MAX_MEMO) this.#keys.clear()
      keys = sealKeys(digest, this.#options.salt, this.#options.item.namespace)
      this.#keys.set(id, keys)
    }
    return keys
  }

  /**
   * The value for a first-level fill or renewal: another node's (expiring after `notBefore`, made into the
   * caller's value by `fromShared`; null: unusable, as if absent) when Redis has one; else `fetch`'s, one
   * node at a time (the lock's winner fetches, the others wait for its value, bounded by the plugin's
   * timeout, then fetch themselves), shared when fetched. A fetch that throws shares nothing.
   */
  async obtain<T extends Shareable> (digest: Uint8Array, notBefore: number, fetch: () => Promise<T>,
    fromShared: (plain: Buffer) => T | null): Promise<T> {
    const keys = this.keysFor(digest)
    const shared = await this.read(keys, notBefore)
    const found = shared === null ? null : fromShared(shared)
    if (found !== null) return found
    const lock = await this.lock(keys)
    if (lock === BUSY) {
      const waited = await this.waitFor(keys, notBefore, Date.now() + this.#options.timeoutMs)
      const theirs = waited === null ? null : fromShared(waited)
      if (theirs !== null) return theirs
    }
    const fencing = lock === BUSY || lock === UNAVAILABLE ? null : lock
    if (fencing !== null) {
      // the lock may be free because a winner just shared its value and released it: read once more, or
      // this node would fetch what another node fetched a moment ago
      const late = await this.#recheck(keys, notBefore)
      const theirs = late === null ? null : fromShared(late)
      if (theirs !== null) {
        this.unlock(keys, fencing)
        return theirs
      }
    }
    let fetched: T
    try {
      fetched = await fetch()
    } catch (err) {
      if (fencing !== null) this.unlock(keys, fencing)
      throw err
    }
    this.write(keys, fetched.bytes, fetched.expiresAt, fencing)
    return fetched
  }

  /** The shared value bytes when Redis has a value expiring after `notBefore`, else null. */
  async read (keys: SealKeys, notBefore: number): Promise<Buffer | null> {
    if (!this.#usable()) return null
    let sealed: Buffer | null
    try {
      sealed = await this.#client.getBuffer(keys.valueKey)
    } catch {
      return this.#failed()
    }
    return this.#fresh(keys, sealed, notBefore)
  }

  /** Takes the key's lock: the fencing token when won, BUSY when another node holds it, UNAVAILABLE. */
  async lock (keys: SealKeys): Promise<string> {
    if (!this.#usable()) return UNAVAILABLE
    const token = randomBytes(16).toString('base64url')
    try {
      const won = await this.#client.set(keys.lockKey, token, 'PX', this.#options.timeoutMs, 'NX')
      return won === null ? BUSY : token
    } catch {
      this.#failed()
      return UNAVAILABLE
    }
  }

  /**
   * Waits for the lock holder's value (newer than `notBefore`) until `deadline`; null when the lock went
   * without a value (the holder failed), Redis failed, or the time ran out: the caller asks the IdP itself.
   */
  async waitFor (keys: SealKeys, notBefore: number, deadline: number): Promise<Buffer | null> {
    this.#stats.add(CLUSTER_LOCK_WAITS)
    for (let pause = FIRST_POLL_MS; Date.now() + pause < deadline; pause = Math.min(pause * 2, MAX_POLL_MS)) {
      await sleep(pause)
      if (!this.#usable()) return null
      let found: Array<Buffer | null>
      try {
        // one slot (the hash tag): value and lock read together, so "no value and no lock" is one moment
        found = await this.#client.mgetBuffer(keys.valueKey, keys.lockKey)
      } catch {
        return this.#failed()
      }
      const plain = valid(this.#options.item, keys, found[0], notBefore)
      if (plain !== null) return this.#hit(plain)
      // no lock and no (newer) value: the holder failed, or its lock lapsed
      if (found[1] === null) break
    }
    this.#stats.add(CLUSTER_MISSES)
    return null
  }

  /**
   * Shares a value fetched from the IdP (sealed, expiring with it), then releases the lock `fencing` (null:
   * none was taken). Not awaited by the request: it was answered already.
   */
  write (keys: SealKeys, bytes: Uint8Array, expiresAt: number, fencing: string | null): void {
    const ttl = Math.min(Math.floor(expiresAt - Date.now()), MAX_TTL_MS)
    if (ttl <= 0 || !this.redis.ready) {
      if (fencing !== null) this.unlock(keys, fencing)
      return
    }
    this.#client.set(keys.valueKey, seal(keys, bytes), 'PX', ttl).then(
      () => { this.#stats.add(CLUSTER_WRITES) },
      () => { this.#failed() }
    ).finally(() => { if (fencing !== null) this.unlock(keys, fencing) })
  }

  /** Releases a lock this node took, if it still holds it. */
  unlock (keys: SealKeys, fencing: string): void {
    if (!this.redis.ready) return // it lapses by itself (PX)
    this.#unlock.tollgateOidcUnlock(keys.lockKey, fencing).catch(() => { this.#failed() })
  }

  #usable (): boolean {
    if (this.redis.ready) return true
    this.#stats.add(CLUSTER_ERRORS)
    return false
  }

  #failed (): null {
    this.redis.commandFailed()
    this.#stats.add(CLUSTER_ERRORS)
    return null
  }

  /** read() after winning the lock: a value found is a hit; none is not a second miss. */
  async #recheck (keys: SealKeys, notBefore: number): Promise<Buffer | null> {
    let sealed: Buffer | null
    try {
      sealed = await this.#client.getBuffer(keys.valueKey)
    } catch {
      return this.#failed()
    }
    const plain = valid(this.#options.item, keys, sealed, notBefore)
    return plain === null ? null : this.#hit(plain)
  }

  #fresh (keys: SealKeys, sealed: Buffer | null, notBefore: number): Buffer | null {
    const plain = valid(this.#options.item, keys, sealed, notBefore)
    if (plain !== null) return this.#hit(plain)
    this.#stats.add(CLUSTER_MISSES)
    return null
  }

  #hit (plain: Buffer): Buffer {
    this.#stats.add(CLUSTER_HITS)
    return plain
  }

  /** Forgets the derived keys (the instance closes). */
  clear (): void {
    this.#keys.clear()
  }
}
