import t from 'tap'
import {
  HOST_CACHE_BYTES, HOST_CACHE_ENTRIES, HOST_EXACT, HOST_PREFIX, HOST_SUFFIX, HostCache, MAX_HOST_HEADER_LENGTH, NO_HOST,
  hostCacheEntryBytes, hostRulesMatch, parseHost, parseHostRule, splitPort
} from '../../../src/router/host-match.ts'
import { prefixKey, suffixKey } from '../../../src/router/host-bucket.ts'

t.test('splitPort', async (t) => {
  t.same(splitPort('example.com'), { name: 'example.com', port: -1 })
  t.same(splitPort('example.com:8000'), { name: 'example.com', port: 8000 })
  t.same(splitPort('example.com:'), { name: 'example.com:', port: -1 })
  t.same(splitPort('example.com:http'), { name: 'example.com:http', port: -1 })
  t.same(splitPort('[::1]:443'), { name: '[::1]', port: 443 })
  t.same(splitPort('[::1]'), { name: '[::1]', port: -1 })
  t.same(splitPort('*.example.com:9000'), { name: '*.example.com', port: 9000 })
})

t.test('parseHostRule: exact, leading and trailing wildcards, case kept (Kong compares hosts case-sensitively)', async (t) => {
  t.same(parseHostRule('Api.Example.com'), { kind: HOST_EXACT, text: 'Api.Example.com', port: -1, wildcard: false })
  t.same(parseHostRule('*.Example.com:81'), { kind: HOST_SUFFIX, text: '.Example.com', port: 81, wildcard: true })
  t.same(parseHostRule('example.*'), { kind: HOST_PREFIX, text: 'example.', port: -1, wildcard: true })
})

t.test('hostRulesMatch checks name and port', async (t) => {
  const rules = ['a.example', '*.b.example', 'c.*', 'd.example:8443'].map(parseHostRule)
  t.ok(hostRulesMatch(rules, 'a.example', -1))
  t.ok(hostRulesMatch(rules, 'a.example', 1234))
  t.ok(hostRulesMatch(rules, 'x.b.example', 80))
  t.ok(hostRulesMatch(rules, 'c.anything', -1))
  t.ok(hostRulesMatch(rules, 'd.example', 8443))
  t.notOk(hostRulesMatch(rules, 'd.example', -1))
  t.notOk(hostRulesMatch(rules, 'b.example', -1))
  t.notOk(hostRulesMatch(rules, '', -1))
})

t.test('HostCache parses once per raw value', async (t) => {
  const cache = new HostCache()
  const a = cache.get('WWW.Example.COM:8080')
  t.equal(a.name, 'WWW.Example.COM', 'the case is kept: Kong matches hosts case-sensitively')
  t.equal(a.port, 8080)
  t.equal(cache.get('WWW.Example.COM:8080'), a, 'cached')
  t.equal(cache.size, 1)
  t.equal(cache.bytes, hostCacheEntryBytes('WWW.Example.COM:8080', a), 'counted')
  t.equal(cache.get(undefined), NO_HOST)
  t.equal(NO_HOST.name, '')
})

t.test('HostCache stays bounded by entries', async (t) => {
  const cache = new HostCache()
  const first = cache.get('h0.example')
  let over = 0
  for (let i = 1; i < 2000; i++) {
    cache.get(`h${i}.example`)
    if (cache.size > HOST_CACHE_ENTRIES) over++
  }
  t.equal(over, 0, 'never more than HOST_CACHE_ENTRIES')
  const again = cache.get('h0.example')
  t.not(again, first, 'evicted and parsed again')
  t.equal(again.name, 'h0.example')
})

t.test('HostCache stays bounded by bytes: the longest hosts it keeps, with many dots', async (t) => {
  const cache = new HostCache()
  let over = 0
  for (let i = 0; i < 2000; i++) {
    // a 253-character name of one-letter labels, then a port: as long as a cached header can be
    const name = `${i}.`.padEnd(253, 'a.').slice(0, 253)
    if (cache.get(`${name}:8000`).name !== name) t.fail(`parsed ${i}`)
    if (cache.bytes > HOST_CACHE_BYTES) over++
  }
  t.equal(over, 0, 'never over the budget')
  t.ok(cache.size < HOST_CACHE_ENTRIES, 'the byte budget, not the entry count, was the limit')
})

t.test('a Host header longer than any host name is neither parsed nor cached', async (t) => {
  const cache = new HostCache()
  const long = 'a.'.repeat(MAX_HOST_HEADER_LENGTH)
  t.equal(cache.get(long), NO_HOST)
  t.equal(cache.get('x'.repeat(MAX_HOST_HEADER_LENGTH + 1)), NO_HOST)
  t.equal(cache.size, 0)
  t.equal(cache.bytes, 0)
  t.equal(parseHost(`${'b'.repeat(254)}:80`), NO_HOST, 'a name over 253 characters, even with a port')
  t.equal(parseHost(`${'b'.repeat(253)}:80`).name, 'b'.repeat(253))
  t.equal(parseHost(`${'b'.repeat(253)}:65535`).port, 65535)
})

t.test('suffixKey and prefixKey: the wildcard key of a given length, or null', async (t) => {
  t.equal(suffixKey('a.b.example.com', 12), '.example.com')
  t.equal(suffixKey('a.b.example.com', 11), null, 'not at a dot')
  t.equal(suffixKey('.example.com', 12), '.example.com', 'the whole name')
  t.equal(suffixKey('example.com', 12), null, 'longer than the name')
  t.equal(prefixKey('example.com', 8), 'example.')
  t.equal(prefixKey('example.com', 7), null)
  t.equal(prefixKey('example.', 8), 'example.', 'the whole name')
  t.equal(prefixKey('ex', 8), null)
})
