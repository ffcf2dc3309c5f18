// What the resolver reads from outside: DNS answers off the network (records.ts) and the hosts file
// (hosts-file.ts), on chosen and on random input; anything malformed is left out, nothing throws.

import t from 'tap'
import fc from 'fast-check'
import { isIP } from 'node:net'
import dnsPacket, { type Answer } from 'dns-packet'
import { recordsFor } from '../../../src/dns/records.ts'
import { parseHostsFile } from '../../../src/dns/hosts-file.ts'
import { a, cname, srv } from '../../helpers/dns-stub.ts'

t.test('records: the asked type and name, through a CNAME chain, with the smallest TTL of the chain', async (t) => {
  const answers = [cname('x.test', 'Y.test', 50), a('y.test', '10.0.0.1', 100), a('other.test', '10.0.0.9', 5), srv('x.test', 'T.test', 80, 3, 1, 7)]
  t.strictSame(recordsFor(answers, 'X.TEST', 'A'), [{ type: 'A', address: '10.0.0.1', ttl: 50 }])
  t.strictSame(recordsFor(answers, 'x.test', 'SRV'), [{ type: 'SRV', target: 't.test', port: 80, weight: 3, priority: 1, ttl: 7 }])
  t.strictSame(recordsFor(answers, 'x.test', 'CNAME'), [{ type: 'CNAME', target: 'y.test', ttl: 50 }])
  t.strictSame(recordsFor([cname('l.test', 'm.test', 1), cname('m.test', 'l.test', 1)], 'l.test', 'A'), [], 'a loop gives nothing')
  t.strictSame(recordsFor([{ type: 'A', name: 'x.test', ttl: 5, data: 'not-an-ip' }, { type: 'AAAA', name: 'x.test', ttl: 5, data: '10.0.0.1' }], 'x.test', 'A'), [])
  t.strictSame(recordsFor([{ type: 'A', name: 'x.test', ttl: 2 ** 31, data: '10.0.0.1' }], 'x.test', 'A'), [{ type: 'A', address: '10.0.0.1', ttl: 0 }], 'RFC 2181: a TTL with the top bit set is 0')
})

const names = fc.constantFrom('x.test', 'y.test', 'X.TEST', 'z.test', '')
const anyAnswer: fc.Arbitrary<Answer> = fc.record({
  type: fc.constantFrom('A', 'AAAA', 'CNAME', 'SRV', 'TXT'),
  name: names,
  ttl: fc.oneof(fc.integer({ min: -5, max: 2 ** 32 }), fc.constant(undefined), fc.double()),
  data: fc.oneof(names, fc.ipV4(), fc.ipV6(), fc.string(), fc.constant(null), fc.record({ target: fc.oneof(names, fc.integer()), port: fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.string()), weight: fc.anything(), priority: fc.anything() })),
}) as unknown as fc.Arbitrary<Answer>

t.test('records: random answers give only well-formed records', async () => {
  fc.assert(fc.property(fc.array(anyAnswer, { maxLength: 12 }), fc.constantFrom('A', 'AAAA', 'CNAME', 'SRV'), (answers, type) => {
    for (const record of recordsFor(answers, 'x.test', type)) {
      if (record.type !== type) return false
      if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl >= 2 ** 31) return false
      if (record.type === 'A' && isIP(record.address) !== 4) return false
      if (record.type === 'AAAA' && isIP(record.address) !== 6) return false
      if (record.type === 'SRV' && (record.target === '' || record.port < 0 || record.port > 65535 || record.weight > 65535)) return false
    }
    return true
  }), { numRuns: 2000 })
})

t.test('records: random bytes decoded by dns-packet never make it throw', async () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    let packet
    try {
      packet = dnsPacket.decode(Buffer.from(bytes))
    } catch {
      return true
    }
    recordsFor(packet.answers ?? [], 'x.test', 'SRV')
    recordsFor(packet.answers ?? [], 'x.test', 'A')
    return true
  }), { numRuns: 2000 })
})

t.test('hosts file: names lower-cased, first address per family wins, comments and junk skipped, localhost always', async (t) => {
  const table = parseHostsFile([
    '# comment',
    '10.0.0.1   One.test  alias1 # trailing comment',
    '10.0.0.2   one.test',
    'fd00::1    one.test',
    '[fd00::2]  two.test',
    'fe80::1%eth0 scoped.test',
    'not-an-ip  bad.test',
    '10.0.0.3',
    '',
  ].join('\r\n'))
  t.strictSame(table.get('one.test'), { ipv4: '10.0.0.1', ipv6: 'fd00::1' })
  t.strictSame(table.get('alias1'), { ipv4: '10.0.0.1', ipv6: null })
  t.strictSame(table.get('two.test'), { ipv4: null, ipv6: 'fd00::2' })
  t.notOk(table.has('scoped.test'))
  t.notOk(table.has('bad.test'))
  t.strictSame(table.get('localhost'), { ipv4: '127.0.0.1', ipv6: '::1' })
  t.strictSame(parseHostsFile('10.9.9.9 localhost').get('localhost'), { ipv4: '10.9.9.9', ipv6: null }, 'the file\'s localhost wins')
})

t.test('hosts file: random text gives only valid addresses', async () => {
  const line = fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), fc.array(fc.stringMatching(/^[A-Za-z0-9.#-]{0,12}$/), { maxLength: 4 }))
    .map(([ip, hosts]) => [ip, ...hosts].join(' '))
  fc.assert(fc.property(fc.array(fc.oneof(line, fc.string()), { maxLength: 20 }), (lines) => {
    for (const [name, entry] of parseHostsFile(lines.join('\n'))) {
      if (name !== name.toLowerCase() || name.includes('#') || name === '') return false
      if (entry.ipv4 !== null && isIP(entry.ipv4) !== 4) return false
      if (entry.ipv6 !== null && isIP(entry.ipv6) !== 6) return false
    }
    return true
  }), { numRuns: 1000 })
})
