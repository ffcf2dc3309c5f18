// The pure parts of response-transformer: header_transformer.lua transform_headers, body_transformer.lua
// transform_json_body with json_types, is_json_body, and the schema.

import t from 'tap'
import { validate } from '../../../src/config/schema/engine.ts'
import { responseTransformerSchema } from '../../../src/plugins/response-transformer/schema.ts'
import {
  compileHeaderRules, compileJsonRules, isJsonContentType, jsonValue, transformHeaders, transformJson,
  type ResponseTransformerConfig
} from '../../../src/plugins/response-transformer/transform.ts'

function config (input: Record<string, unknown>): ResponseTransformerConfig {
  const { value, issues } = validate(responseTransformerSchema.configSchema, input, 'config')
  if (issues.length > 0) throw new Error(JSON.stringify(issues))
  return value as ResponseTransformerConfig
}

t.test('schema', async (t) => {
  t.same(config({}).append, { json: [], json_types: [], headers: [] })
  const { issues } = validate(responseTransformerSchema.configSchema, { add: { json: ['nocolon'], json_types: ['object'] } }, 'config')
  t.same(issues.map((i) => i.path).sort(), ['config.add.json[0]', 'config.add.json_types[0]'])
})

t.test('headers', async (t) => {
  const rules = compileHeaderRules(config({
    remove: { headers: ['X-Gone'] },
    rename: { headers: ['x-old:x-new'] },
    replace: { headers: ['x-r:new', 'x-absent:v'] },
    add: { headers: ['x-r:no', 'x-a:1'] },
    append: { headers: ['x-a:2', 'x-c:z'] }
  }))
  const headers: Record<string, string | string[]> = { 'x-gone': '1', 'x-old': 'o', 'x-r': 'old' }
  transformHeaders(rules, headers)
  t.same(headers, { 'x-new': 'o', 'x-r': 'new', 'x-a': ['1', '2'], 'x-c': 'z' })
})

t.test('json values and types', async (t) => {
  t.equal(jsonValue('12.5', 'number'), 12.5)
  t.equal(jsonValue('0x10', 'number'), 16)
  t.equal(jsonValue('abc', 'number'), null)
  t.equal(jsonValue('true', 'boolean'), true)
  t.equal(jsonValue('yes', 'boolean'), false)
  t.equal(jsonValue('text', undefined), 'text')
})

t.test('JSON body in Kong order, with Lua truthiness', async (t) => {
  const rules = compileJsonRules(config({
    remove: { json: ['gone'] },
    rename: { json: ['f:g'] },
    replace: { json: ['no:x', 'nul:1', 'absent:1'], json_types: ['string', 'number'] },
    add: { json: ['no:y', 'yes:z', 'n:bad'], json_types: ['string', 'string', 'number'] },
    append: { json: ['s:2', 'a:3', 'o:4'], json_types: ['string', 'number'] }
  }))
  t.ok(rules.any)
  const body: Record<string, unknown> = { gone: 1, f: false, no: false, nul: null, s: 'one', a: [1], o: { k: 1 } }
  transformJson(rules, body)
  t.same(body, { g: false, no: 'y', nul: 1, yes: 'z', s: ['one', '2'], a: [1, 3], o: ['4'] })
  t.notOk(compileJsonRules(config({ add: { headers: ['x:1'] } })).any, 'headers only: no body filter')
})

t.test('is_json_body', async (t) => {
  t.ok(isJsonContentType('application/json'))
  t.ok(isJsonContentType('Application/JSON; charset=utf-8'))
  t.ok(isJsonContentType('application/problem+json'))
  t.ok(isJsonContentType('text/plain, application/json'))
  t.notOk(isJsonContentType('text/json'))
  t.notOk(isJsonContentType('application/jsonp'))
  t.notOk(isJsonContentType(undefined))
})
