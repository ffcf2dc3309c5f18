import t from 'tap'
import { HOST_EXACT, HOST_PREFIX, HOST_SUFFIX, HostCache, asciiLower, hostRulesMatch, parseHostRule, splitPort } from '../../../src/router/host-match.ts'

t.test('splitPort', async (t) => {
  t.same(splitPort('example.com'), { name: 'example.com', port: -1 })
  t.same(splitPort('example.com:8000'), { name: 'example.com', port: 8000 })
  t.same(splitPort('example.com:'), { name: 'example.com:', port: -1 })
  t.same(splitPort('example.com:http'), { name: 'example.com:http', port: -1 })
  t.same(splitPort('[::1]:443'), { name: '[::1]', port: 443 })
  t.same(splitPort('[::1]'), { name: '[::1]', port: -1 })
  t.same(splitPort('*.example.com:9000'), { name: '*.example.com', port: 9000 })
})

t.test('parseHostRule: exact, leading and trailing wildcards, lower-cased', async (t) => {
  t.same(parseHostRule('Api.Example.com'), { kind: HOST_EXACT, text: 'api.example.com', port: -1, wildcard: false })
  t.same(parseHostRule('*.Example.com:81'), { kind: HOST_SUFFIX, text: '.example.com', port: 81, wildcard: true })
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

t.test('HostCache parses once per raw value and gives label keys', async (t) => {
  const cache = new HostCache()
  const a = cache.get('WWW.Example.COM:8080')
  t.equal(a.name, 'www.example.com')
  t.equal(a.port, 8080)
  t.equal(cache.get('WWW.Example.COM:8080'), a, 'cached')
  t.same(a.suffixes(), ['.example.com', '.com'])
  t.same(a.prefixes(), ['www.', 'www.example.'])
  const none = cache.get(undefined)
  t.equal(none.name, '')
  t.same(none.suffixes(), [])
})

t.test('HostCache stays bounded', async (t) => {
  const cache = new HostCache()
  const first = cache.get('h0.example')
  for (let i = 1; i < 2000; i++) cache.get(`h${i}.example`)
  const again = cache.get('h0.example')
  t.not(again, first, 'evicted and parsed again')
  t.equal(again.name, 'h0.example')
})

t.test('asciiLower lower-cases A-Z only', async (t) => {
  t.equal(asciiLower('AbC-É'), 'abc-É')
  const same = 'already.lower'
  t.equal(asciiLower(same), same)
})
