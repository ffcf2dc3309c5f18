// The template subset of request-transformer (src/plugins/request-transformer/template.ts): what parses,
// what is refused at load, and how values render; property-based: any text either parses or is refused,
// and a parsed template renders without throwing against any request.

import t from 'tap'
import fc from 'fast-check'
import { parseTemplate, render, type Template, type TemplateEnv } from '../../../src/plugins/request-transformer/template.ts'

const ENV: TemplateEnv = {
  headers: { 'x-user': 'alice', 'x-multi': 'a, b', host: 'example.test' },
  query: { q: 'one', flag: true, many: ['first', 'second'] },
  captures: { unnamed: ['/users/42', '42'], named: { id: '42' } },
  shared: { version: 'v2', n: 3, off: false }
}

function parsed (text: string): Template {
  const result = parseTemplate(text)
  if (typeof result === 'string') throw new Error(result)
  return result
}

t.test('renders the supported lookups', async (t) => {
  t.equal(render(parsed('plain text'), ENV), 'plain text')
  t.equal(render(parsed('$(headers.x_user)'), ENV), 'alice', 'headers: "_" reads "-", as ngx.req.get_headers')
  t.equal(render(parsed('$(headers["X-User"])-$(headers[\'x-multi\'])'), ENV), 'alice-a, b')
  t.equal(render(parsed('q=$(query_params.q)'), ENV), 'q=one')
  t.equal(render(parsed('$(query_params.flag)'), ENV), 'true')
  t.equal(render(parsed('$(query_params.many)'), ENV), 'first')
  t.equal(render(parsed('/u/$(uri_captures.id)/$(uri_captures[1])$(uri_captures[0])'), ENV), '/u/42/42/users/42')
  t.equal(render(parsed('$(shared.version)$(shared.n)'), ENV), 'v23')
})

t.test('a missing value renders empty; "or" takes the first present operand', async (t) => {
  t.equal(render(parsed('[$(headers.nope)]'), ENV), '[]')
  t.equal(render(parsed("$(uri_captures.user or 'default1')"), ENV), 'default1')
  t.equal(render(parsed('$(headers.nope or query_params.q or "x")'), ENV), 'one')
  t.equal(render(parsed("$(shared.off or 'fallback')"), ENV), 'fallback', 'false is not a value in Lua')
  t.equal(render(parsed('$(query_params.q)'), { ...ENV, query: null }), '')
})

t.test('text that only looks like a template stays literal', async (t) => {
  t.equal(render(parsed('$(headers.x_user'), ENV), '$(headers.x_user', 'unbalanced: literal, as Penlight')
  t.equal(render(parsed('cost $5'), ENV), 'cost $5')
})

t.test('every other expression is refused at load', async (t) => {
  for (const text of ['$(10 * uri_captures.user1)', '$(ERROR())', "$(require('inspect')(1))", '$(shared.written = true)',
    '$(type(headers.x))', '$(headers)', '$(headers.a.b)', '$(query_params[1])', '$(_G.os)', '$(headers.a orx)']) {
    const result = parseTemplate(text)
    t.type(result, 'string', text)
    t.match(result, /not supported by Tollgate yet/, text)
  }
})

const templateText = fc.array(fc.oneof(
  fc.string(),
  fc.constantFrom('$(', ')', '(', 'headers', 'query_params', 'uri_captures', 'shared', '.', '[', ']', "'", '"', ' or ', '1', 'x_y')
), { maxLength: 12 }).map((parts) => parts.join(''))

const value = fc.oneof(fc.string(), fc.constant(true), fc.array(fc.string(), { minLength: 1, maxLength: 3 }))
const env: fc.Arbitrary<TemplateEnv> = fc.record({
  headers: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }))),
  query: fc.option(fc.dictionary(fc.string(), value)),
  captures: fc.option(fc.record({ unnamed: fc.array(fc.option(fc.string(), { nil: undefined })), named: fc.dictionary(fc.string(), fc.string()) })),
  shared: fc.option(fc.dictionary(fc.string(), fc.anything()))
})

t.test('property: any text parses or is refused, and a parsed template renders a string for any request', async (t) => {
  fc.assert(fc.property(templateText, env, (text, request) => {
    const result = parseTemplate(text)
    if (typeof result === 'string') return result.includes('not supported by Tollgate yet')
    return typeof render(result, request) === 'string'
  }), { numRuns: 3000 })
  t.pass()
})
