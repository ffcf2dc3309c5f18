// cors config validation, after Kong's spec/03-plugins/13-cors/02-schema_spec.lua and schema.lua: "*",
// domains and regexes in origins, an invalid regex named by its JSON path with Kong's message, the nine
// methods and the one_of message, the defaults; and what Tollgate adds: PCRE-only escapes refused, and no
// consumer scope (no_consumer).

import t from 'tap'
import { validate } from '../../../src/config/schema/engine.ts'
import { corsSchema } from '../../../src/plugins/cors/schema.ts'
import { doc, issuesOf } from '../../unit/config/issues.ts'

const check = (config: unknown): ReturnType<typeof validate> => validate(corsSchema.configSchema, config, 'config')

t.test('origins: "*", what looks like a domain, what looks like a regex', async (t) => {
  for (const origins of [['*'], ['example.com'], ['.*\\.example(?:-foo)?\\.com'], ['http://a.test', '(.*[./])?b\\.test:8000']]) {
    t.strictSame(check({ origins }).issues, [], JSON.stringify(origins))
  }
})

t.test('an invalid regex is named by its path, in Kong\'s words', async (t) => {
  t.strictSame(check({ origins: ['.*.example.com', 'invalid_**regex'] }).issues,
    [{ path: 'config.origins[1]', message: "'invalid_**regex' is not a valid regex" }])
  t.strictSame(check({ origins: ['(unclosed'] }).issues, [{ path: 'config.origins[0]', message: "'(unclosed' is not a valid regex" }])
})

t.test('PCRE-only escapes are refused rather than read as letters', async (t) => {
  for (const entry of ['\\Ahttps://a\\.test\\z', 'a\\Q.\\E', 'https://a\\.test\\Z']) {
    t.strictSame(check({ origins: [entry] }).issues, [{ path: 'config.origins[0]', message: `'${entry}' is not a valid regex` }], entry)
  }
  t.strictSame(check({ origins: ['\\w+\\.test', 'a\\d\\.test', '\\x41\\.test'] }).issues, [], 'escapes both read alike pass')
})

t.test('methods: the nine, and nothing else', async (t) => {
  for (const method of ['HEAD', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']) {
    t.strictSame(check({ methods: [method] }).issues, [], method)
  }
  t.strictSame(check({ methods: ['FAKE'] }).issues,
    [{ path: 'config.methods[0]', message: 'expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT' }])
})

t.test("Kong's defaults", async (t) => {
  const { value, issues } = check({})
  t.strictSame(issues, [])
  t.strictSame(value, {
    origins: null,
    headers: null,
    exposed_headers: null,
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'],
    max_age: null,
    credentials: false,
    private_network: false,
    preflight_continue: false,
    allow_origin_absent: true
  })
  t.strictSame((check({ methods: null }).value as { methods: string[] }).methods.length, 9, 'methods: null is the default (Kong spec route 12)')
  t.strictSame(check({ max_age: 'ten' }).issues, [{ path: 'config.max_age', message: 'expected a number' }])
})

t.test('no consumer scope (typedefs.no_consumer), and errors carry the full path', async (t) => {
  const issues = issuesOf(doc({
    consumers: [{ username: 'alice' }],
    plugins: [{ name: 'cors', consumer: 'alice' }, { name: 'cors', config: { origins: ['a**'] } }]
  }))
  t.ok(issues.some((i) => i.path.startsWith('plugins[0]')), 'a consumer-scoped cors is refused')
  t.ok(issues.some((i) => i.path === 'plugins[1].config.origins[0]' && i.message === "'a**' is not a valid regex"), JSON.stringify(issues))
})
