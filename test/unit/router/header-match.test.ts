// Route `headers` matching, one row per rule, each citing where Kong states it:
//   spec-unit  = spec/01-unit/08-router_spec.lua (Kong/kong), traditional_compatible flavor
//   transform  = kong/router/transform.lua get_expression (`any(lower(http.headers.<key>)) == / ~ lower(value)`)
//   fields     = kong/router/fields.lua visit_for_context (each value of a repeated header is added)
//   nginx      = ngx.req.get_headers(): one value per header line, a lookup key's '_' falls back to '-'
import t from 'tap'
import type { IncomingHttpHeaders } from 'node:http'
import { asciiLower, headerRulesMatch, parseHeaderRule } from '../../../src/router/header-match.ts'

interface Row {
  source: string
  rule: Record<string, string[]>
  headers: Record<string, string | string[]>
  raw?: string[]
  match: boolean
}

const ROWS: Row[] = [
  // values
  { source: 'spec-unit [headers] matches values in a case-insensitive way', rule: { user_agent: ['BAZ'] }, headers: { 'user-agent': 'baz' }, match: true },
  { source: 'spec-unit [headers] matches values in a case-insensitive way', rule: { 'user-agent': ['foo', 'bar'] }, headers: { 'user-agent': 'FOO' }, match: true },
  { source: 'spec-unit [cache hit should be case sensitive]: "Quote" vs "QuoTe"', rule: { test1: ['Quote'] }, headers: { test1: 'QuoTe' }, match: true },
  { source: 'transform: == compares the whole value', rule: { 'x-env': ['prod'] }, headers: { 'x-env': 'production' }, match: false },
  { source: 'transform: == compares the whole value', rule: { 'x-env': ['prod'] }, headers: { 'x-env': '' }, match: false },
  { source: 'transform: a missing header matches nothing', rule: { 'x-env': ['prod'] }, headers: {}, match: false },
  // names
  { source: 'spec-unit [headers] names are case-insensitive', rule: { USER_AGENT: ['foo'] }, headers: { 'user-agent': 'foo' }, match: true },
  { source: 'transform replace_dashes_lower + nginx fallback: x_foo finds X-Foo', rule: { x_foo: ['1'] }, headers: { 'x-foo': '1' }, match: true },
  { source: 'transform replace_dashes_lower: x-foo is looked up as x_foo, which a request header x_foo answers first', rule: { 'x-foo': ['1'] }, headers: { x_foo: '2', 'x-foo': '1' }, match: false },
  { source: 'transform replace_dashes_lower: x-foo finds a request header x_foo', rule: { 'x-foo': ['1'] }, headers: { x_foo: '1' }, match: true },
  // repeated headers
  { source: 'spec-unit [headers] evaluates Routes with more [headers] first: location = { "north", "west" }', rule: { location: ['east', 'west'] }, headers: { location: ['north', 'west'] }, match: true },
  { source: 'fields: each line of a repeated header is one value', rule: { 'x-v': ['b'] }, headers: { 'x-v': 'a, b' }, raw: ['X-V', 'a', 'x-v', 'B'], match: true },
  { source: 'nginx: one line "a, b" is one value, not split', rule: { 'x-v': ['b'] }, headers: { 'x-v': 'a, b' }, raw: ['X-V', 'a, b'], match: false },
  { source: 'nginx: one line "a, b" is one value', rule: { 'x-v': ['A, B'] }, headers: { 'x-v': 'a, b' }, raw: ['x-v', 'a, b'], match: true },
  { source: 'fields: two lines "a" and "b" are not the value "a, b"', rule: { 'x-v': ['a, b'] }, headers: { 'x-v': 'a, b' }, raw: ['x-v', 'a', 'x-v', 'b'], match: false },
  { source: 'fields: Node keeps the first User-Agent only; Kong sees both lines', rule: { 'user-agent': ['curl'] }, headers: { 'user-agent': 'wget' }, raw: ['User-Agent', 'wget', 'User-Agent', 'curl'], match: true },
  { source: 'fields: cookie lines, which Node joins with "; "', rule: { cookie: ['b=2'] }, headers: { cookie: 'a=1; b=2' }, raw: ['Cookie', 'a=1', 'Cookie', 'b=2'], match: true },
  { source: 'fields: no line with a matching value', rule: { 'x-v': ['c'] }, headers: { 'x-v': 'a, b' }, raw: ['x-v', 'a', 'x-v', 'b'], match: false },
  // ~* regex values
  { source: 'spec-unit "should always add lower() when matching http.headers.*": ~*Quote → ~ "quote"', rule: { test: ['~*Quote'] }, headers: { test: 'QUOTE' }, match: true },
  { source: 'spec-unit headers (regex) use case 15', rule: { user_agent: ['~*windows|linux|os\\s+x\\s*[\\d\\._]+|solaris|bsd'] }, headers: { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)' }, match: true },
  { source: 'transform: ~ is a search, anywhere in the value', rule: { 'user-agent': ['~*curl/\\d'] }, headers: { 'user-agent': 'x CURL/8' }, match: true },
  { source: 'transform: value:lower() lower-cases the pattern too, so \\D reads \\d', rule: { 'x-n': ['~*^\\D+$'] }, headers: { 'x-n': '123' }, match: true },
  { source: 'transform: value:lower() lower-cases the pattern too, so \\D reads \\d', rule: { 'x-n': ['~*^\\D+$'] }, headers: { 'x-n': 'abc' }, match: false },
  { source: 'fields + transform: any line may match the regex', rule: { 'x-v': ['~*^b'] }, headers: { 'x-v': 'a, b' }, raw: ['x-v', 'a', 'x-v', 'b'], match: true },
  { source: 'nginx: one line "a, b" does not start with b', rule: { 'x-v': ['~*^b'] }, headers: { 'x-v': 'a, b' }, raw: ['x-v', 'a, b'], match: false },
  // AND across names
  { source: 'transform: names joined with &&', rule: { a: ['1'], b: ['2'] }, headers: { a: '1', b: '2' }, match: true },
  { source: 'transform: names joined with &&', rule: { a: ['1'], b: ['2'] }, headers: { a: '1' }, match: false },
  { source: 'transform: names joined with &&', rule: { a: ['1'], b: ['2'] }, headers: { a: '1', b: '3' }, match: false }
]

t.test('headers rules, row by row', async (t) => {
  for (const row of ROWS) {
    const rules = Object.entries(row.rule).map(([name, values]) => parseHeaderRule(name, values))
    const label = `${row.source}: ${JSON.stringify(row.rule)} vs ${JSON.stringify(row.raw ?? row.headers)}`
    t.equal(headerRulesMatch(rules, row.headers as IncomingHttpHeaders, row.raw ?? null), row.match, label)
  }
})

t.test('a comma-free value of a comma-joined name is one line: rawHeaders are not read', async (t) => {
  const rules = [parseHeaderRule('x-v', ['b'])]
  const raw = new Proxy([] as string[], { get: () => { throw new Error('rawHeaders read') } })
  t.ok(headerRulesMatch(rules, { 'x-v': 'b' }, raw))
  t.notOk(headerRulesMatch(rules, { 'x-v': 'c' }, raw))
  t.notOk(headerRulesMatch(rules, {}, raw))
})

t.test('an invalid ~* value throws an Error naming the construct', async (t) => {
  t.throws(() => parseHeaderRule('x', ['~*(']), { message: /^'\(' \(unterminated group\)$/ })
  t.throws(() => parseHeaderRule('x', ['~*a++']), { message: /possessive quantifier '\+\+'/ })
})

t.test('asciiLower lower-cases A-Z only', async (t) => {
  t.equal(asciiLower('AbC-É'), 'abc-É')
  const same = 'already.lower'
  t.equal(asciiLower(same), same)
})
