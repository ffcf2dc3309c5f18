// The DNS resolver against a stub DNS server on 127.0.0.1 (test/helpers/dns-stub.ts), with an injected clock
// where a TTL would otherwise have to pass: caching, stale answers, negative caching, dns_order and LAST,
// SRV, CNAME, the hosts file, one query for concurrent resolutions, the cache bound, watch/onChange.

import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DnsResolver, DnsResolverOptions } from '../../../src/dns/resolver.ts'
import { parseHostsFile } from '../../../src/dns/hosts-file.ts'
import type { ResolvedAddress } from '../../../src/dns/types.ts'
import { a, aaaa, cname, srv, startDnsStub, stubResolver, type DnsStub } from '../../helpers/dns-stub.ts'

const stub: DnsStub = await startDnsStub()
t.teardown(() => stub.close())

let clock = 1_000_000
function advance (seconds: number): void { clock += seconds * 1000 }

const resolvers: DnsResolver[] = []
t.teardown(() => { for (const resolver of resolvers) resolver.close() })

function resolverWith (options: Partial<DnsResolverOptions> = {}): DnsResolver {
  const resolver = stubResolver(stub, { now: () => clock, ...options })
  resolvers.push(resolver)
  return resolver
}

function addresses (list: readonly ResolvedAddress[]): string[] {
  return list.map((entry) => entry.port === null ? entry.address : `${entry.address}:${entry.port}/${entry.weight}`)
}

async function waitFor (check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await sleep(5)
  if (!check()) throw new Error('condition not reached')
}

let names = 0
/** a name no other test uses, so that counts start at 0 */
function fresh (label: string): string { return `${label}-${++names}.test` }

t.test('A answers: sorted, with their TTL; cached until it passes', async (t) => {
  const name = fresh('a')
  stub.set(name, 'A', { answers: [a(name, '10.0.0.2', 30), a(name, '10.0.0.1', 60)] })
  const resolver = resolverWith()
  const first = await resolver.resolve(name)
  t.strictSame(first, [
    { address: '10.0.0.1', port: null, weight: null, family: 4, ttl: 60 },
    { address: '10.0.0.2', port: null, weight: null, family: 4, ttl: 30 },
  ])
  t.equal(stub.count(name, 'SRV'), 1, 'SRV tried first (dns_order)')
  t.equal(stub.count(name, 'A'), 1)
  advance(29)
  t.equal(await resolver.resolve(name.toUpperCase() + '.'), first, 'cached (case and trailing dot ignored)')
  t.equal(stub.count(name, 'A'), 1)

  stub.set(name, 'A', { answers: [a(name, '10.0.0.3', 30)] })
  advance(2)
  t.strictSame(addresses(await resolver.resolve(name)), ['10.0.0.1', '10.0.0.2'], 'past the smallest TTL: served stale while it refreshes')
  await waitFor(() => resolver.peek(name)?.addresses[0].address === '10.0.0.3')
  t.strictSame(addresses(await resolver.resolve(name)), ['10.0.0.3'])
  t.equal(stub.count(name, 'A'), 2)
  t.equal(stub.count(name, 'SRV'), 1, 'the refresh asks for the type that last succeeded only (LAST)')
})

t.test('dns_valid_ttl overrides the records\' TTL', async (t) => {
  const name = fresh('valid')
  stub.set(name, 'A', { answers: [a(name, '10.0.1.1', 3600)] })
  const resolver = resolverWith({ validTtl: 5 })
  t.equal((await resolver.resolve(name))[0].ttl, 5)
  advance(6)
  await resolver.resolve(name)
  await waitFor(() => stub.count(name, 'A') === 2)
  t.pass('queried again after 5 s, not 3600')
})

t.test('a failed refresh serves the stale answer for dns_stale_ttl, then fails', async (t) => {
  const name = fresh('stale')
  stub.set(name, 'A', { answers: [a(name, '10.0.2.1', 10)] })
  const resolver = resolverWith({ staleTtl: 60, order: ['LAST', 'A'] })
  await resolver.resolve(name)
  stub.set(name, 'A', { rcode: 'SERVFAIL' })
  advance(11)
  t.strictSame(addresses(await resolver.resolve(name)), ['10.0.2.1'])
  await waitFor(() => stub.count(name, 'A') === 2)
  await sleep(20)
  t.strictSame(addresses(await resolver.resolve(name)), ['10.0.2.1'], 'still stale after the failed refresh')
  t.equal(stub.count(name, 'A'), 2, 'the next refresh waits dns_error_ttl')
  advance(2)
  await resolver.resolve(name)
  await waitFor(() => stub.count(name, 'A') === 3)
  advance(60)
  await t.rejects(resolver.resolve(name), { code: 'DNS_QUERY_FAILED', status: 500 }, 'past TTL + dns_stale_ttl: the failure')
})

t.test('an NXDOMAIN on refresh replaces the stale answer', async (t) => {
  const name = fresh('gone')
  stub.set(name, 'A', { answers: [a(name, '10.0.3.1', 10)] })
  const resolver = resolverWith({ order: ['LAST', 'A'] })
  await resolver.resolve(name)
  stub.set(name, 'A', { rcode: 'NXDOMAIN' })
  advance(11)
  await resolver.resolve(name)
  await waitFor(() => resolver.peek(name)?.error !== null)
  await t.rejects(resolver.resolve(name), { code: 'DNS_NAME_NOT_FOUND', status: 503 })
})

t.test('NXDOMAIN and empty answers are cached for dns_not_found_ttl, other errors for dns_error_ttl', async (t) => {
  const missing = fresh('missing')
  const resolver = resolverWith()
  await t.rejects(resolver.resolve(missing), { code: 'DNS_NAME_NOT_FOUND', hostname: missing })
  t.equal(stub.count(missing, 'SRV') + stub.count(missing, 'A') + stub.count(missing, 'CNAME'), 3, 'every type in dns_order tried')
  advance(29)
  await t.rejects(resolver.resolve(missing), { code: 'DNS_NAME_NOT_FOUND' })
  t.equal(stub.count(missing, 'A'), 1, 'cached')
  advance(2)
  await t.rejects(resolver.resolve(missing), { code: 'DNS_NAME_NOT_FOUND' })
  t.equal(stub.count(missing, 'A'), 2, 'asked again after 30 s')

  const empty = fresh('empty')
  stub.set(empty, 'A', { answers: [] })
  stub.set(empty, 'CNAME', { answers: [] })
  await t.rejects(resolver.resolve(empty), { code: 'DNS_NAME_NOT_FOUND' }, 'NOERROR without records')

  const failing = fresh('servfail')
  for (const type of ['SRV', 'A', 'CNAME']) stub.set(failing, type, { rcode: 'SERVFAIL' })
  await t.rejects(resolver.resolve(failing), { code: 'DNS_QUERY_FAILED' })
  advance(0.5)
  await t.rejects(resolver.resolve(failing), { code: 'DNS_QUERY_FAILED' })
  t.equal(stub.count(failing, 'A'), 1, 'cached for dns_error_ttl')
  advance(1)
  await t.rejects(resolver.resolve(failing), { code: 'DNS_QUERY_FAILED' })
  t.equal(stub.count(failing, 'A'), 2)

  const silent = fresh('silent')
  stub.set(silent, 'SRV', { drop: true })
  await t.rejects(resolver.resolve(silent), { code: 'DNS_QUERY_FAILED' })
  t.equal(stub.count(silent, 'SRV'), 2, 'each attempt asked once')
  t.equal(stub.count(silent, 'A'), 0, 'no answer at all: no other type tried (client.lua resolve)')
})

t.test('concurrent resolutions share one query; dns_no_sync gives each its own', async (t) => {
  const name = fresh('sync')
  stub.set(name, 'A', { answers: [a(name, '10.0.4.1', 60)] })
  const shared = resolverWith()
  const results = await Promise.all(Array.from({ length: 10 }, () => shared.resolve(name)))
  t.ok(results.every((result) => result === results[0]))
  t.equal(stub.count(name, 'A'), 1)

  const other = fresh('nosync')
  stub.set(other, 'A', { answers: [a(other, '10.0.4.2', 60)] })
  const unsynced = resolverWith({ noSync: true })
  await Promise.all(Array.from({ length: 5 }, () => unsynced.resolve(other)))
  t.equal(stub.count(other, 'A'), 5)
})

t.test('SRV: the best priority\'s targets, each address with the record\'s port and weight', async (t) => {
  const name = `_http._tcp.${fresh('srv')}`
  stub.set(name, 'SRV', {
    answers: [
      srv(name, 'one.srv.test', 8001, 10, 1, 30),
      srv(name, 'two.srv.test', 8002, 0, 1, 20),
      srv(name, 'backup.srv.test', 8003, 50, 2, 30),
    ]
  })
  stub.set('one.srv.test', 'A', { answers: [a('one.srv.test', '10.0.5.1', 60), a('one.srv.test', '10.0.5.2', 60)] })
  stub.set('two.srv.test', 'A', { answers: [a('two.srv.test', '10.0.5.3', 5)] })
  const resolver = resolverWith()
  const result = await resolver.resolve(name)
  t.strictSame(addresses(result), ['10.0.5.1:8001/10', '10.0.5.2:8001/10', '10.0.5.3:8002/0'])
  t.strictSame(result.map((entry) => entry.ttl), [30, 30, 5], 'the smaller of the SRV and the address TTL')
  t.equal(stub.count('backup.srv.test', 'A'), 0, 'a worse priority is not used')
  t.equal(stub.count(name, 'A'), 0)

  const self = fresh('selfsrv')
  stub.set(self, 'SRV', { answers: [srv(self, self, 80, 1, 1, 30)] })
  stub.set(self, 'A', { answers: [a(self, '10.0.5.9', 30)] })
  t.strictSame(addresses(await resolver.resolve(self)), ['10.0.5.9'], 'an SRV pointing at itself falls through to A')
})

t.test('dns_order decides the types tried, LAST the one that last succeeded', async (t) => {
  const name = fresh('order')
  stub.set(name, 'A', { answers: [a(name, '10.0.6.1', 10)] })
  stub.set(name, 'AAAA', { answers: [aaaa(name, 'fd00::1', 10)] })
  t.strictSame(await resolverWith({ order: ['AAAA', 'A'] }).resolve(name), [{ address: 'fd00::1', port: null, weight: null, family: 6, ttl: 10 }])
  t.equal(stub.count(name, 'A'), 0)
  t.strictSame(addresses(await resolverWith({ order: ['A', 'SRV'] }).resolve(name)), ['10.0.6.1'])
  t.equal(stub.count(name, 'SRV'), 0)

  const cnamed = fresh('cnamed')
  stub.set(cnamed, 'CNAME', { answers: [cname(cnamed, 'real.order.test', 10)] })
  stub.set('real.order.test', 'A', { answers: [a('real.order.test', '10.0.6.2', 10)] })
  const resolver = resolverWith()
  t.strictSame(addresses(await resolver.resolve(cnamed)), ['10.0.6.2'], 'SRV, A, then CNAME, followed')
  t.strictSame([stub.count(cnamed, 'SRV'), stub.count(cnamed, 'A'), stub.count(cnamed, 'CNAME')], [1, 1, 1])
  advance(11)
  await resolver.resolve(cnamed)
  await waitFor(() => stub.count(cnamed, 'CNAME') === 2)
  t.strictSame([stub.count(cnamed, 'SRV'), stub.count(cnamed, 'A')], [1, 1], 'LAST: CNAME first on refresh')
})

t.test('a CNAME chain inside an A answer is followed', async (t) => {
  const name = fresh('chain')
  stub.set(name, 'A', { answers: [cname(name, 'mid.chain.test', 20), cname('mid.chain.test', 'end.chain.test', 40), a('end.chain.test', '10.0.7.1', 60)] })
  const [address] = await resolverWith({ order: ['A'] }).resolve(name)
  t.strictSame(address, { address: '10.0.7.1', port: null, weight: null, family: 4, ttl: 20 })
})

t.test('IP literals and the hosts file answer without a query', async (t) => {
  const before = stub.total
  const resolver = resolverWith({ hosts: parseHostsFile('10.0.8.1 myhost.test alias\nfd00::8 myhost.test\n') })
  t.strictSame(addresses(await resolver.resolve('myhost.test')), ['10.0.8.1'])
  t.strictSame(addresses(await resolver.resolve('ALIAS')), ['10.0.8.1'])
  t.strictSame(addresses(await resolver.resolve('localhost')), ['127.0.0.1'])
  t.strictSame(await resolver.resolve('[::1]'), [{ address: '::1', port: null, weight: null, family: 6, ttl: 315360000 }])
  t.strictSame(addresses(await resolver.resolve('192.0.2.1')), ['192.0.2.1'])
  const v6 = resolverWith({ order: ['AAAA', 'A'], hosts: parseHostsFile('10.0.8.1 myhost.test\nfd00::8 myhost.test\n') })
  t.strictSame(addresses(await v6.resolve('myhost.test')), ['fd00::8'], 'AAAA first in dns_order: the IPv6 entry')
  t.equal(stub.total, before)
})

t.test('a truncated UDP answer is asked again over TCP', async (t) => {
  const name = fresh('tcp')
  stub.set(name, 'A', { truncate: true, answers: [a(name, '10.0.9.1', 60)] })
  t.strictSame(addresses(await resolverWith({ order: ['A'] }).resolve(name)), ['10.0.9.1'])
})

t.test('the cache holds dns_cache_size names, the least recently used dropped first', async (t) => {
  const [n1, n2, n3] = [fresh('lru'), fresh('lru'), fresh('lru')]
  for (const name of [n1, n2, n3]) stub.set(name, 'A', { answers: [a(name, '10.0.10.1', 600)] })
  const resolver = resolverWith({ cacheSize: 2, order: ['A'] })
  await resolver.resolve(n1)
  await resolver.resolve(n2)
  await resolver.resolve(n1)
  await resolver.resolve(n3)
  t.not(resolver.peek(n1), null)
  t.equal(resolver.peek(n2), null, 'n2 was the least recently used')
  await resolver.resolve(n1)
  t.equal(stub.count(n1, 'A'), 1)
  await resolver.resolve(n2)
  t.equal(stub.count(n2, 'A'), 2)
})

t.test('watch: refreshed in the background, changes reported to onChange, close stops it', async (t) => {
  const name = fresh('watch')
  stub.set(name, 'A', { answers: [a(name, '10.0.11.1', 1)] })
  const resolver = resolverWith({ now: Date.now, validTtl: 0.05, minRefreshMs: 10, order: ['A'] })
  const changes: Array<[string, string[], string | null]> = []
  resolver.onChange((changed, list, error) => changes.push([changed, addresses(list), error?.code ?? null]))
  await resolver.resolve(name)
  resolver.watch(name)
  await waitFor(() => stub.count(name, 'A') >= 3)
  t.strictSame(changes, [], 'refreshed, nothing changed')
  stub.set(name, 'A', { answers: [a(name, '10.0.11.2', 1)] })
  await waitFor(() => changes.length === 1)
  t.strictSame(changes[0], [name, ['10.0.11.2'], null])
  stub.set(name, 'A', { rcode: 'NXDOMAIN' })
  await waitFor(() => changes.length === 2)
  t.strictSame(changes[1], [name, [], 'DNS_NAME_NOT_FOUND'])
  resolver.close()
  const count = stub.count(name, 'A')
  await sleep(150)
  t.equal(stub.count(name, 'A'), count, 'no refresh after close')
})
