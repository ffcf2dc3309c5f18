// Kong's DNS client (kong/resty/dns/client.lua, the one Kong 3.x uses while new_dns_client is off), in one
// object per thread: the main thread's upstream registry resolves targets and watches them (watch/onChange);
// each proxy worker builds its own for the `lookup` that plain service hosts connect through (lookup.ts).
//
// - IP literals answer themselves and the hosts file answers its names, without a query (client.lua init
//   loads the hosts file into the cache with a 10-year TTL; check_ipv4/check_ipv6).
// - Otherwise dns_order's types are tried in turn, LAST being the type that last succeeded for the name
//   (client.lua resolve, search_iter). NXDOMAIN, an empty answer or a server error goes on to the next type;
//   no answer at all stops there (client.lua: "we don't want to try other record types ... network error").
// - An answer is cached for its smallest TTL (dns_valid_ttl overrides), NXDOMAIN and empty answers for
//   dns_not_found_ttl, other failures for dns_error_ttl (client.lua cacheinsert). Past its TTL an answer is
//   served stale for up to dns_stale_ttl while a refresh runs in the background; a failed refresh keeps it,
//   except an NXDOMAIN, which replaces it as in cacheinsert.
// - Concurrent resolutions of one name share one query unless dns_no_sync (client.lua syncQuery).
// - SRV answers give each address the record's port and weight, only the best (lowest) priority is used, and
//   targets are resolved by name (kong/runloop/balancer/targets.lua update_dns_result).

import { isIP } from 'node:net'
import { DnsError } from '../core/errors.ts'
import type { HostsTable } from './hosts-file.ts'
import { LruMap } from './lru.ts'
import { queryServers, type QueryOptions } from './query.ts'
import { recordsFor, type DnsRecord } from './records.ts'
import type { DnsOrderEntry, DnsRecordType, DnsServerAddress, ResolvedAddress } from './types.ts'

export interface DnsResolverOptions {
  readonly servers: readonly DnsServerAddress[]
  readonly hosts: HostsTable
  readonly order: readonly DnsOrderEntry[]
  /** seconds; null: each record's own TTL */
  readonly validTtl: number | null
  readonly staleTtl: number
  readonly notFoundTtl: number
  readonly errorTtl: number
  readonly cacheSize: number
  readonly noSync: boolean
  /** ms per attempt (lua-resty-dns's default timeout, 2000) */
  readonly timeoutMs?: number
  /** attempts per question (lua-resty-dns's default retrans, 5) */
  readonly attempts?: number
  /** the clock, in ms (tests inject one) */
  readonly now?: () => number
  /** the shortest wait between two background refreshes of a watched name (1000 ms): a TTL of 0 must not spin */
  readonly minRefreshMs?: number
}

/** Told when a watched name's addresses change; `error` is set (and `addresses` empty) when it stopped resolving. */
export type DnsChangeListener = (name: string, addresses: readonly ResolvedAddress[], error: DnsError | null) => void

/** What the cache holds for a name. */
export interface DnsCacheEntry {
  readonly addresses: readonly ResolvedAddress[]
  readonly error: DnsError | null
  /** ms: fresh until then */
  readonly expiresAt: number
  /** ms: served stale until then (expiresAt for a failure) */
  readonly staleUntil: number
  /** round-robin position for lookup() */
  cursor: number
}

interface Entry extends DnsCacheEntry {
  /** ms: no background refresh before then (a failed one waits dns_error_ttl) */
  retryAt: number
  /** the settled promise resolve() hands out while this entry answers */
  readonly answer: Promise<readonly ResolvedAddress[]>
}

interface Outcome {
  readonly addresses: readonly ResolvedAddress[]
  readonly error: DnsError | null
  /** seconds */
  readonly ttl: number
  /** an NXDOMAIN: replaces a stale answer instead of leaving it served */
  readonly nxdomain: boolean
}

interface Watch {
  count: number
  timer: NodeJS.Timeout | null
  reported: readonly ResolvedAddress[] | null
}

/** kong/resty/dns/client.lua: IP literals and hosts-file names are cached for 10 years */
const FIXED_TTL = 10 * 365 * 24 * 60 * 60
/** CNAME and SRV-target hops before giving up (client.lua's "recursion detected") */
const MAX_DEPTH = 8

function noop (): void {}

function settled (addresses: readonly ResolvedAddress[], error: DnsError | null): Promise<readonly ResolvedAddress[]> {
  if (error === null) return Promise.resolve(addresses)
  const rejected = Promise.reject(error)
  rejected.catch(noop)
  return rejected
}

/** lower-cased, without a trailing dot or IPv6 brackets */
export function normalizeName (name: string): string {
  const lower = name.toLowerCase()
  if (lower.startsWith('[') && lower.endsWith(']')) return lower.slice(1, -1)
  return lower.endsWith('.') ? lower.slice(0, -1) : lower
}

function compareAddresses (a: ResolvedAddress, b: ResolvedAddress): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : (a.port ?? 0) - (b.port ?? 0)
}

function sameAddresses (a: readonly ResolvedAddress[], b: readonly ResolvedAddress[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    if (a[i].address !== b[i].address || a[i].port !== b[i].port || a[i].weight !== b[i].weight) return false
  }
  return true
}

function literal (name: string): readonly ResolvedAddress[] | null {
  const family = isIP(name)
  return family === 0 ? null : [{ address: name, port: null, weight: null, family: family as 4 | 6, ttl: FIXED_TTL }]
}

/** Each hosts-file name's answer: the family dns_order names first (A when it names neither). */
function hostsAnswers (hosts: HostsTable, order: readonly DnsOrderEntry[]): Map<string, readonly ResolvedAddress[]> {
  const preferV6 = order.indexOf('AAAA') !== -1 && (order.indexOf('A') === -1 || order.indexOf('AAAA') < order.indexOf('A'))
  const out = new Map<string, readonly ResolvedAddress[]>()
  for (const [name, entry] of hosts) {
    const address = preferV6 ? entry.ipv6 ?? entry.ipv4 : entry.ipv4 ?? entry.ipv6
    if (address !== null) out.set(name, literal(address) as readonly ResolvedAddress[])
  }
  return out
}

export class DnsResolver {
  readonly #options: DnsResolverOptions
  readonly #query: QueryOptions
  readonly #now: () => number
  readonly #minRefreshMs: number
  readonly #hosts: Map<string, readonly ResolvedAddress[]>
  readonly #cache: LruMap<string, Entry>
  readonly #lastType: LruMap<string, DnsRecordType>
  readonly #inflight = new Map<string, Promise<Entry>>()
  readonly #watched = new Map<string, Watch>()
  readonly #listeners = new Set<DnsChangeListener>()
  #closed = false

  constructor (options: DnsResolverOptions) {
    this.#options = options
    this.#query = { servers: options.servers, timeoutMs: options.timeoutMs ?? 2000, attempts: options.attempts ?? 5 }
    this.#now = options.now ?? Date.now
    this.#minRefreshMs = options.minRefreshMs ?? 1000
    this.#hosts = hostsAnswers(options.hosts, options.order)
    this.#cache = new LruMap(options.cacheSize)
    this.#lastType = new LruMap(options.cacheSize)
  }

  /** The addresses `name` resolves to, sorted by address; rejects with a DnsError. */
  resolve (name: string): Promise<readonly ResolvedAddress[]> {
    const key = normalizeName(name)
    const fixed = literal(key) ?? this.#hosts.get(key)
    if (fixed !== undefined) return Promise.resolve(fixed)
    const entry = this.peek(key)
    if (entry !== null) return (entry as Entry).answer
    return this.#resolveAndStore(key, 0, !this.#options.noSync).then((stored) => stored.answer)
  }

  /**
   * The cached answer for a normalized name without waiting: a fresh one (a failure too: `error` is set), or a
   * stale one with addresses (a background refresh is then started); null when there is none to use. The hosts file and IP literals are
   * not in the cache: resolve() answers them.
   */
  peek (key: string): DnsCacheEntry | null {
    const entry = this.#cache.get(key)
    if (entry === undefined) return null
    const now = this.#now()
    if (now < entry.expiresAt) return entry
    if (entry.error !== null || now >= entry.staleUntil) return null
    if (now >= entry.retryAt && !this.#inflight.has(key)) this.#resolveAndStore(key, 0, true).catch(noop)
    return entry
  }

  /** Keeps `name` refreshed in the background as its answers expire, and reports its changes to onChange. */
  watch (name: string): void {
    const key = normalizeName(name)
    const watch = this.#watched.get(key)
    if (watch !== undefined) {
      watch.count++
      return
    }
    if (literal(key) !== null || this.#hosts.has(key)) return
    const entry = this.#cache.get(key)
    this.#watched.set(key, { count: 1, timer: null, reported: entry?.error === null ? entry.addresses : null })
    this.#schedule(key, entry)
  }

  unwatch (name: string): void {
    const key = normalizeName(name)
    const watch = this.#watched.get(key)
    if (watch === undefined || --watch.count > 0) return
    if (watch.timer !== null) clearTimeout(watch.timer)
    this.#watched.delete(key)
  }

  /** `listener` hears of every change to a watched name's addresses; the returned function removes it. */
  onChange (listener: DnsChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Stops the refresh timers; queries under way finish without effect. */
  close (): void {
    this.#closed = true
    for (const watch of this.#watched.values()) if (watch.timer !== null) clearTimeout(watch.timer)
    this.#watched.clear()
    this.#listeners.clear()
  }

  #resolveAndStore (key: string, depth: number, share: boolean): Promise<Entry> {
    if (share) {
      const pending = this.#inflight.get(key)
      if (pending !== undefined) return pending
    }
    const stored = this.#resolveUncached(key, depth).then((outcome) => this.#store(key, outcome))
    if (share) {
      this.#inflight.set(key, stored)
      stored.then(() => this.#inflight.delete(key), () => this.#inflight.delete(key))
    }
    return stored
  }

  /** A CNAME target or an SRV target, from the cache when it can (never joining a query under way: a loop would wait on itself). */
  async #resolveNested (name: string, depth: number): Promise<Outcome> {
    const key = normalizeName(name)
    const fixed = literal(key) ?? this.#hosts.get(key)
    if (fixed !== undefined) return { addresses: fixed, error: null, ttl: FIXED_TTL, nxdomain: false }
    const entry = (this.peek(key) as Entry | null) ?? await this.#resolveAndStore(key, depth, false)
    const ttl = entry.error === null ? Math.max(0, (entry.expiresAt - this.#now()) / 1000) : 0
    return { addresses: entry.addresses, error: entry.error, ttl, nxdomain: false }
  }

  #typesFor (name: string): DnsRecordType[] {
    const types: DnsRecordType[] = []
    for (const entry of this.#options.order) {
      const type = entry === 'LAST' ? this.#lastType.get(name) : entry
      if (type !== undefined && !types.includes(type)) types.push(type)
    }
    return types
  }

  async #resolveUncached (name: string, depth: number): Promise<Outcome> {
    if (depth > MAX_DEPTH) return this.#failure(new DnsError(`${name}: recursion detected`, 'DNS_QUERY_FAILED', name), false)
    let error: DnsError | null = null
    let nxdomain = false
    // refreshing a stale answer: any failure but NXDOMAIN keeps it, without trying the other types, as Kong's
    // per-type cache keeps serving the stale record of the type that last succeeded (client.lua lookup)
    const stale = this.#cache.get(name)
    const keepsStale = stale !== undefined && stale.error === null && this.#now() < stale.staleUntil
    for (const type of this.#typesFor(name)) {
      const response = await queryServers(name, type, this.#query)
      if (response === null) {
        error = new DnsError(`${name}: no answer from the name servers`, 'DNS_QUERY_FAILED', name)
        nxdomain = false
        break
      }
      nxdomain = response.rcode === 'NXDOMAIN'
      if (response.rcode !== 'NOERROR') {
        error = nxdomain
          ? new DnsError(`${name}: dns server error: 3 name error`, 'DNS_NAME_NOT_FOUND', name)
          : new DnsError(`${name}: dns server error: ${response.rcode}`, 'DNS_QUERY_FAILED', name)
        if (keepsStale && !nxdomain) break
        continue
      }
      const records = recordsFor(response.packet.answers ?? [], name, type)
      const outcome = records.length === 0 ? null : await this.#fromRecords(name, type, records, depth)
      if (outcome !== null && outcome.error === null && outcome.addresses.length > 0) {
        this.#lastType.set(name, type)
        return outcome
      }
      error = outcome?.error ?? new DnsError(`${name}: dns client error: 101 empty record received`, 'DNS_NAME_NOT_FOUND', name)
      if (keepsStale) break
    }
    this.#lastType.delete(name)
    return this.#failure(error ?? new DnsError(`${name}: no record type to try`, 'DNS_NAME_NOT_FOUND', name), nxdomain)
  }

  #failure (error: DnsError, nxdomain: boolean): Outcome {
    const ttl = error.code === 'DNS_NAME_NOT_FOUND' ? this.#options.notFoundTtl : this.#options.errorTtl
    return { addresses: [], error, ttl, nxdomain }
  }

  #ttl (record: DnsRecord): number {
    return this.#options.validTtl ?? record.ttl
  }

  async #fromRecords (name: string, type: DnsRecordType, records: DnsRecord[], depth: number): Promise<Outcome | null> {
    if (type === 'A' || type === 'AAAA') {
      const addresses: ResolvedAddress[] = []
      let ttl = Infinity
      for (const record of records) {
        if (record.type !== 'A' && record.type !== 'AAAA') continue
        const recordTtl = this.#ttl(record)
        ttl = Math.min(ttl, recordTtl)
        addresses.push({ address: record.address, port: null, weight: null, family: record.type === 'A' ? 4 : 6, ttl: recordTtl })
      }
      return { addresses: addresses.sort(compareAddresses), error: null, ttl, nxdomain: false }
    }
    if (type === 'CNAME') {
      const record = records[0]
      if (record.type !== 'CNAME') return null
      const target = await this.#resolveNested(record.target, depth + 1)
      return { ...target, ttl: Math.min(target.ttl, this.#ttl(record)) }
    }
    return this.#fromSrv(name, records, depth)
  }

  /** The best-priority SRV records' targets, each address with its record's port and weight. */
  async #fromSrv (name: string, records: DnsRecord[], depth: number): Promise<Outcome | null> {
    let best = Infinity
    for (const record of records) if (record.type === 'SRV' && record.target !== name) best = Math.min(best, record.priority)
    // every record pointing at the name itself: Kubernetes' self-referencing SRV (client.lua resolve); try the next type
    if (best === Infinity) return null
    const addresses: ResolvedAddress[] = []
    let ttl = Infinity
    for (const record of records) {
      if (record.type !== 'SRV' || record.priority !== best || record.target === name) continue
      const target = await this.#resolveNested(record.target, depth + 1)
      if (target.error !== null) continue
      ttl = Math.min(ttl, this.#ttl(record), target.ttl)
      for (const address of target.addresses) {
        addresses.push({ address: address.address, port: record.port, weight: record.weight, family: address.family, ttl: Math.min(this.#ttl(record), address.ttl) })
      }
    }
    return addresses.length === 0 ? null : { addresses: addresses.sort(compareAddresses), error: null, ttl, nxdomain: false }
  }

  #store (key: string, outcome: Outcome): Entry {
    const now = this.#now()
    const { staleTtl, errorTtl } = this.#options
    const previous = this.#cache.get(key)
    if (outcome.error !== null && !outcome.nxdomain && previous !== undefined && previous.error === null && now < previous.staleUntil) {
      // a failed refresh: the last answer stays, served stale (client.lua cacheinsert skips the error)
      previous.retryAt = now + errorTtl * 1000
      this.#reschedule(key, previous)
      return previous
    }
    const expiresAt = now + outcome.ttl * 1000
    const entry: Entry = {
      addresses: outcome.addresses,
      error: outcome.error,
      expiresAt,
      staleUntil: outcome.error === null ? expiresAt + staleTtl * 1000 : expiresAt,
      cursor: previous?.cursor ?? 0,
      retryAt: expiresAt,
      answer: settled(outcome.addresses, outcome.error),
    }
    this.#cache.set(key, entry)
    this.#report(key, entry)
    this.#reschedule(key, entry)
    return entry
  }

  #report (key: string, entry: Entry): void {
    const watch = this.#watched.get(key)
    if (watch === undefined || this.#closed) return
    // a failure has no addresses, so an empty list stands for "failing" and a change to or from it is seen
    if (watch.reported !== null && sameAddresses(watch.reported, entry.addresses)) return
    watch.reported = entry.addresses
    for (const listener of this.#listeners) listener(key, entry.addresses, entry.error)
  }

  #reschedule (key: string, entry: Entry): void {
    if (this.#watched.has(key)) this.#schedule(key, entry)
  }

  /** The next background refresh of a watched name: when its answer expires, or dns_error_ttl after a failure. */
  #schedule (key: string, entry: Entry | undefined): void {
    const watch = this.#watched.get(key)
    if (watch === undefined || this.#closed) return
    if (watch.timer !== null) clearTimeout(watch.timer)
    const now = this.#now()
    const at = entry === undefined ? now : entry.error === null && now < entry.expiresAt ? entry.expiresAt : Math.max(entry.retryAt, entry.expiresAt)
    const delay = entry === undefined ? 0 : Math.max(this.#minRefreshMs, at - now)
    watch.timer = setTimeout(() => {
      watch.timer = null
      this.#resolveAndStore(key, 0, true).catch(noop)
    }, delay)
    watch.timer.unref()
  }
}
