import t from 'tap'
import { headerRulesMatch, parseHeaderRule } from '../../../src/router/header-match.ts'

t.test('plain values compare ASCII case-insensitively, whole value only', async (t) => {
  const rules = [parseHeaderRule('X-Env', ['Prod', 'staging'])]
  t.equal(rules[0].name, 'x-env')
  t.ok(headerRulesMatch(rules, { 'x-env': 'PROD' }))
  t.ok(headerRulesMatch(rules, { 'x-env': 'Staging' }))
  t.notOk(headerRulesMatch(rules, { 'x-env': 'production' }))
  t.notOk(headerRulesMatch(rules, { 'x-env': '' }))
  t.notOk(headerRulesMatch(rules, {}))
})

t.test('repeated headers: arrays and Node\'s comma-joined strings', async (t) => {
  const rules = [parseHeaderRule('x-v', ['b'])]
  t.ok(headerRulesMatch(rules, { 'x-v': ['a', 'B'] }))
  t.ok(headerRulesMatch(rules, { 'x-v': 'a, b' }))
  t.ok(headerRulesMatch(rules, { 'x-v': 'a,b ,c' }))
  t.notOk(headerRulesMatch(rules, { 'x-v': 'a, bb' }))
  t.notOk(headerRulesMatch(rules, { 'x-v': [] }))
  t.ok(headerRulesMatch([parseHeaderRule('x-v', ['a, b'])], { 'x-v': 'A, B' }), 'a configured value with a comma still matches whole')
})

t.test('~* values are case-insensitive regexes searched anywhere', async (t) => {
  const rules = [parseHeaderRule('user-agent', ['~*curl/\\d', 'exact'])]
  t.ok(headerRulesMatch(rules, { 'user-agent': 'CURL/8.5.0' }))
  t.ok(headerRulesMatch(rules, { 'user-agent': 'x, curl/7' }))
  t.ok(headerRulesMatch(rules, { 'user-agent': 'EXACT' }))
  t.notOk(headerRulesMatch(rules, { 'user-agent': 'wget/1' }))
  t.throws(() => parseHeaderRule('x', ['~*(']))
})

t.test('every named header must match', async (t) => {
  const rules = [parseHeaderRule('a', ['1']), parseHeaderRule('b', ['2'])]
  t.ok(headerRulesMatch(rules, { a: '1', b: '2' }))
  t.notOk(headerRulesMatch(rules, { a: '1' }))
  t.notOk(headerRulesMatch(rules, { a: '1', b: '3' }))
})
