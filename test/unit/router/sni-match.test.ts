// Route snis as Kong's traditional_compatible router matches them (kong/router/transform.lua
// get_expression: `(net.protocol != "https" || tls.sni ...)`): exact, `*.suffix`, `prefix.*`, a trailing
// dot dropped, ignored over plain http, and no match for an https request without SNI.

import t from 'tap'
import fc from 'fast-check'
import { Router } from '../../../src/router/router.ts'
import { parseSniRule, sniRulesMatch } from '../../../src/router/sni-match.ts'
import { entriesOf, makeRoute } from './route-fixture.ts'

t.test('rules: exact, suffix, prefix, trailing dot, case', async (t) => {
  const rules = ['a.test.', '*.wild.test', 'pre.*', 'Upper.Test'].map(parseSniRule)
  for (const sni of ['a.test', 'x.wild.test', 'y.x.wild.test', 'pre.anything', 'upper.test']) t.ok(sniRulesMatch(rules, sni), sni)
  for (const sni of ['b.test', 'wild.test', 'xwild.test', 'prefix.test', 'a.test.']) t.notOk(sniRulesMatch(rules, sni), sni)
  t.notOk(sniRulesMatch(rules, ''), 'https without SNI matches no snis route')
  t.ok(sniRulesMatch(rules, null), 'plain http: snis do not apply')
})

t.test('an exact rule matches exactly its own name (property)', async () => {
  const label = fc.stringMatching(/^[a-z0-9]{1,10}$/)
  fc.assert(fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.array(label, { minLength: 1, maxLength: 4 }), (a, b) => {
    const name = a.join('.')
    const other = b.join('.')
    return sniRulesMatch([parseSniRule(name)], other) === (name === other)
  }))
})

t.test('the router: a route with snis wins over https only for its SNI', async (t) => {
  const router = new Router(entriesOf([
    makeRoute('all', { paths: ['/'] }),
    makeRoute('sni', { paths: ['/'], snis: ['a.test'] })
  ]))
  t.equal(router.find('GET', undefined, '/', {}, null, 'a.test')!.value, 'sni')
  t.equal(router.find('GET', undefined, '/', {}, null, 'b.test')!.value, 'all')
  t.equal(router.find('GET', undefined, '/', {}, null, '')!.value, 'all')
  t.equal(router.find('GET', undefined, '/', {}, null, null)!.value, 'sni', 'over http the snis route still matches, and ranks higher')
})

t.test('the router says whether a lookup needs the server name at all', async (t) => {
  t.ok(new Router(entriesOf([makeRoute('sni', { paths: ['/'], snis: ['a.test'] })])).matchesSni)
  t.notOk(new Router(entriesOf([makeRoute('all', { paths: ['/'] }), makeRoute('empty', { paths: ['/x'], snis: [] })])).matchesSni,
    'no route has snis (an empty list is none)')
})
