// The pure parts of request-transformer: schema checks (Kong's messages, templates refused at load) and
// each transformation in Kong's order (access.lua transform_headers, transform_querystrings,
// transform_json_body, transform_url_encoded_body).

import t from 'tap'
import { validate } from '../../../src/config/schema/engine.ts'
import { requestTransformerSchema } from '../../../src/plugins/request-transformer/schema.ts'
import { compileConfig, type RequestTransformerConfig } from '../../../src/plugins/request-transformer/compile.ts'
import { transformArgs, transformHeaders, transformJson } from '../../../src/plugins/request-transformer/transform.ts'
import { encodeArgs } from '../../../src/plugins/request-transformer/args.ts'
import { queryArgs } from '../../../src/plugins/request-termination/echo.ts'
import type { TemplateEnv } from '../../../src/plugins/request-transformer/template.ts'

const ENV: TemplateEnv = { headers: { 'x-user': 'alice' }, query: null, captures: null, shared: null }

function config (input: Record<string, unknown>): RequestTransformerConfig {
  const { value, issues } = validate(requestTransformerSchema.configSchema, input, 'config')
  if (issues.length > 0) throw new Error(JSON.stringify(issues))
  return value as RequestTransformerConfig
}

t.test('schema: defaults, and errors at their JSON path', async (t) => {
  const defaults = config({})
  t.same(defaults.add, { body: [], headers: [], querystring: [] })
  const { issues } = validate(requestTransformerSchema.configSchema, {
    http_method: 'get',
    add: { body: ['novalue'], headers: ['bad header:x'], querystring: ['q:$(os.exit())'] },
    rename: { headers: ['a:b c'] }
  }, 'config')
  const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]))
  t.match(byPath['config.http_method'], /invalid value/)
  t.equal(byPath['config.add.body[0]'], "key 'novalue' has no value")
  t.equal(byPath['config.add.headers[0]'], "'bad header' is not a valid header")
  t.match(byPath['config.add.querystring[0]'], /not supported by Tollgate yet/)
  t.equal(byPath['config.rename.headers[0]'], "'b c' is not a valid header")
})

t.test('headers: remove, rename, replace, add, append', async (t) => {
  const c = compileConfig(config({
    remove: { headers: ['X-Gone'] },
    rename: { headers: ['x-old:X-New'] },
    replace: { headers: ['x-r:$(headers.x_user)', 'x-absent:v', 'host:upstream.test'] },
    add: { headers: ['x-r:ignored', 'x-added:a', 'host:never'] },
    append: { headers: ['x-added:b', 'x-list:2'] }
  }))
  const headers: Record<string, string | string[]> = { 'x-gone': '1', 'x-old': 'o', 'x-r': 'before', host: 'h', 'x-list': ['0', '1'] }
  transformHeaders(c.headers, headers, ENV)
  t.same(headers, { 'x-new': 'o', 'x-r': 'alice', host: 'upstream.test', 'x-added': ['a', 'b'], 'x-list': ['0', '1', '2'] })
  const proto: Record<string, string> = {}
  transformHeaders(compileConfig(config({ replace: { headers: ['constructor:x'] } })).headers, proto, ENV)
  t.same(proto, {}, 'an inherited name is not a header')
})

t.test('query: Kong order, then set_query encoding (sorted names)', async (t) => {
  const c = compileConfig(config({
    remove: { querystring: ['drop'] },
    rename: { querystring: ['a:b'] },
    replace: { querystring: ['r:new', 'absent:x'] },
    add: { querystring: ['r:no', 'n:v w'] },
    append: { querystring: ['list:3'] }
  }))
  const args = queryArgs('drop=1&a=x&r=old&list=1&list=2&flag')
  t.ok(transformArgs(c.query, args, ENV, true))
  t.equal(encodeArgs(args, true), 'b=x&flag&list=1&list=2&list=3&n=v%20w&r=new')
})

t.test('JSON body: Lua truthiness, and no remove/rename/replace on an empty body', async (t) => {
  const c = compileConfig(config({
    remove: { body: ['secret'] },
    rename: { body: ['f:g'] },
    replace: { body: ['no:x', 'nul:x'] },
    add: { body: ['no:added', 'new:$(headers.x_user)'] },
    append: { body: ['s:2', 'n:2'] }
  }))
  const body: Record<string, unknown> = { secret: 1, f: false, no: false, nul: null, s: '1', n: 5 }
  t.ok(transformJson(c.body, body, ENV, true))
  t.same(body, { f: false, no: 'added', nul: 'x', s: ['1', '2'], n: ['2'], new: 'alice' })
  const empty: Record<string, unknown> = {}
  transformJson(c.body, empty, ENV, false)
  t.same(empty, { no: 'added', new: 'alice', s: ['2'], n: ['2'] })
  const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>
  transformJson(compileConfig(config({ add: { body: ['__proto__:x'] } })).body, hostile, ENV, true)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})
