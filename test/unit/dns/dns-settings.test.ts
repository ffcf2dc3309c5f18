// The dns_* settings: Kong's names and defaults (kong.conf.default), and Kong's checks
// (kong/conf_loader/parse.lua) as errors naming the setting.

import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { loadConfigObject } from '../../../src/config/load.ts'
import { parseServerAddress } from '../../../src/dns/settings.ts'
import { SOURCE, doc, issuesOf } from '../config/issues.ts'

function settings (input: Record<string, unknown>) {
  return loadConfigObject(doc(input), SOURCE, {}).settings
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-dns-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const hostsFile = join(dir, 'hosts')
writeFileSync(hostsFile, '10.0.0.1 a.test\n')

t.test('values', async (t) => {
  const parsed = settings({
    dns_resolver: '10.0.0.53, 10.0.0.54:5353, [::1]:5300, fd00::53',
    dns_hostsfile: hostsFile,
    dns_order: 'last,a,AAAA,Srv,A',
    dns_valid_ttl: '0.5',
    dns_stale_ttl: 10,
    dns_not_found_ttl: 0,
    dns_error_ttl: 2,
    dns_cache_size: '50',
    dns_no_sync: 'on',
  })
  t.strictSame(parsed.dns_resolver, [
    { address: '10.0.0.53', port: 53 }, { address: '10.0.0.54', port: 5353 }, { address: '::1', port: 5300 }, { address: 'fd00::53', port: 53 },
  ])
  t.equal(parsed.dns_hostsfile, hostsFile)
  t.strictSame(parsed.dns_order, ['LAST', 'A', 'AAAA', 'SRV'])
  t.equal(parsed.dns_valid_ttl, 0.5)
  t.strictSame([parsed.dns_stale_ttl, parsed.dns_not_found_ttl, parsed.dns_error_ttl, parsed.dns_cache_size, parsed.dns_no_sync], [10, 0, 2, 50, true])
  t.strictSame(settings({ dns_resolver: ['127.0.0.1:53'] }).dns_resolver, [{ address: '127.0.0.1', port: 53 }])
  t.strictSame(settings({ dns_resolver: '' }).dns_resolver, [])
})

t.test('errors name the setting', async (t) => {
  t.strictSame(issuesOf(doc({
    dns_resolver: 'dns.example.com, 10.0.0.1:99999',
    dns_hostsfile: join(dir, 'missing'),
    dns_order: 'LAST,MX',
    dns_stale_ttl: -1,
    dns_cache_size: 0,
    dns_no_sync: 'yes',
    dns_valid_ttl: 'soon',
  })).map((issue) => issue.path), ['dns_cache_size', 'dns_hostsfile', 'dns_no_sync', 'dns_order', 'dns_resolver', 'dns_resolver', 'dns_stale_ttl', 'dns_valid_ttl'])
  t.match(issuesOf(doc({ dns_order: [] })), [{ path: 'dns_order', message: 'expected at least one record type' }])
  t.match(issuesOf(doc({ dns_resolver: 'dns.example.com' })), [{ path: 'dns_resolver', message: "invalid value 'dns.example.com': expected an IPv4/6 address or IPv4/6:port" }])
})

t.test('server addresses: what parses is an IP and a port in range', async () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 70000 })).map(([ip, port]) => `${ip}:${port}`), fc.ipV6().map((ip) => `[${ip}]:53`)), (entry) => {
    const server = parseServerAddress(entry)
    return server === null || (server.port >= 1 && server.port <= 65535 && !server.address.includes('['))
  }), { numRuns: 2000 })
})

t.test('createDnsResolver: the settings\' servers and hosts file', async (t) => {
  const { createDnsResolver } = await import('../../../src/dns/create-resolver.ts')
  const { startDnsStub, a } = await import('../../helpers/dns-stub.ts')
  const stub = await startDnsStub()
  t.teardown(() => stub.close())
  stub.set('via.settings.test', 'A', { answers: [a('via.settings.test', '10.1.1.1', 60)] })
  const parsed = settings({ dns_resolver: `127.0.0.1:${stub.port}`, dns_hostsfile: hostsFile, dns_order: 'A' })
  const resolver = createDnsResolver(parsed, { timeoutMs: 200, attempts: 1 })
  t.teardown(() => resolver.close())
  t.equal((await resolver.resolve('via.settings.test'))[0].address, '10.1.1.1')
  t.equal((await resolver.resolve('a.test'))[0].address, '10.0.0.1', 'from the hosts file')
  t.equal(stub.count('a.test', 'A'), 0)
})
