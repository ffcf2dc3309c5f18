// Every kind of config error: each test asserts the JSON path and the rule, and that nothing else is reported.

import t from 'tap'
import { ConfigError } from '../../../src/core/errors.ts'
import { loadConfigObject } from '../../../src/config/load.ts'
import { pluginSchemas, type PluginSchemaInfo } from '../../../src/plugins/schemas.ts'
import { SOURCE, doc, issuesOf, sortIssues } from './issues.ts'

const svc = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 's', host: 'upstream.local', ...extra })

t.test('the error names the file, the path and the rule', async (t) => {
  let error: unknown = null
  try {
    loadConfigObject(doc({ services: [svc({ retries: -1 })] }), SOURCE, {})
  } catch (err) {
    error = err
  }
  if (!(error instanceof ConfigError)) throw new Error('expected a ConfigError')
  t.equal(error.code, 'CONFIG_INVALID')
  t.equal(error.status, 400)
  t.equal(error.source, SOURCE)
  t.strictSame(error.issues, [{ path: 'services[0].retries', message: 'value should be between 0 and 32767' }])
  t.match(error.message, `${SOURCE}: services[0].retries: value should be between 0 and 32767`)
})

t.test('_format_version', async (t) => {
  t.strictSame(issuesOf({}), sortIssues([{ path: '_format_version', message: 'required field missing' }]))
  t.strictSame(issuesOf({ _format_version: '4.0' }), sortIssues([{ path: '_format_version', message: 'expected one of: 1.1, 2.1, 3.0' }]))
  t.strictSame(issuesOf([]), sortIssues([{ path: '', message: 'expected a record' }]))
})

t.test('unknown fields, at every level', async (t) => {
  const issues = issuesOf(doc({
    servces: [],
    services: [svc({ hots: 'x', routes: [{ paths: ['/'], stripPath: true, plugins: [{ name: 'request-termination', conf: {} }] }] })],
    plugins: [{ name: 'request-termination', config: { status: 404 } }],
  }))
  t.strictSame(issues, sortIssues([
    { path: 'services[0].hots', message: 'unknown field' },
    { path: 'services[0].routes[0].stripPath', message: 'unknown field' },
    { path: 'services[0].routes[0].plugins[0].conf', message: 'unknown field' },
    { path: 'servces', message: 'unknown field' },
    { path: 'plugins[0].config.status', message: 'unknown field' },
  ]))
})

t.test('unknown plugin', async (t) => {
  t.strictSame(issuesOf(doc({ plugins: [{ name: 'rate-limitting' }] })), sortIssues([
    { path: 'plugins[0].name', message: `plugin 'rate-limitting' not found (available: ${[...pluginSchemas.keys()].join(', ')})` },
  ]))
  // a plugin Kong bundles (kong/constants.lua) is valid for Kong: Tollgate says it lacks it
  t.strictSame(issuesOf(doc({ plugins: [{ name: 'response-ratelimiting' }] })), [
    { path: 'plugins[0].name', message: "plugin 'response-ratelimiting' is not supported by Tollgate yet" },
  ])
})

t.test('dangling references', async (t) => {
  const issues = issuesOf(doc({
    services: [svc()],
    routes: [
      { paths: ['/a'], service: 'nope' },
      { paths: ['/b'], service: { name: 'nope' } },
      { paths: ['/c'], service: { id: '00000000-0000-4000-8000-000000000000' } },
    ],
    plugins: [
      { name: 'request-termination', route: 'missing-route' },
      { name: 'request-termination', consumer: { name: 'ghost' } },
    ],
  }))
  t.strictSame(issues, sortIssues([
    { path: 'routes[0].service', message: "invalid reference 'service: nope' (no such entry in 'services')" },
    { path: 'routes[1].service', message: 'invalid reference \'service: {"name":"nope"}\' (no such entry in \'services\')' },
    { path: 'routes[2].service', message: 'invalid reference \'service: {"id":"00000000-0000-4000-8000-000000000000"}\' (no such entry in \'services\')' },
    { path: 'plugins[0].route', message: "invalid reference 'route: missing-route' (no such entry in 'routes')" },
    { path: 'plugins[1].consumer', message: 'invalid reference \'consumer: {"name":"ghost"}\' (no such entry in \'consumers\')' },
  ]))
})

t.test('malformed references', async (t) => {
  t.strictSame(issuesOf(doc({ routes: [{ paths: ['/'], service: 3 }, { paths: ['/'], service: { name: 's', id: 'x' } }] })), sortIssues([
    { path: 'routes[0].service', message: 'expected a name or id string, or an object with an id or a name' },
    { path: 'routes[1].service', message: 'expected an object with exactly one of id or name, a string' },
  ]))
})

t.test('duplicate names and ids', async (t) => {
  const id = '4e9f6c3a-1b2d-4c5e-8f70-112233445566'
  const issues = issuesOf(doc({
    services: [svc({ id }), svc({ id, routes: [{ name: 'r', paths: ['/'] }] })],
    routes: [{ name: 'r', paths: ['/x'] }],
    consumers: [{ username: 'u', custom_id: 'c' }, { username: 'u', custom_id: 'c' }],
    plugins: [
      { name: 'request-termination', instance_name: 'i', service: 's' },
      { name: 'request-termination', instance_name: 'i' },
    ],
  }))
  t.strictSame(issues, sortIssues([
    { path: 'services[1].id', message: `uniqueness violation: 'services' entity with primary key set to '${id}' already declared at services[0]` },
    { path: 'services[1].name', message: "uniqueness violation: 'services' entity with name set to 's' already declared at services[0]" },
    { path: 'routes[0].name', message: "uniqueness violation: 'routes' entity with name set to 'r' already declared at services[1].routes[0]" },
    { path: 'consumers[1].username', message: "uniqueness violation: 'consumers' entity with username set to 'u' already declared at consumers[0]" },
    { path: 'consumers[1].custom_id', message: "uniqueness violation: 'consumers' entity with custom_id set to 'c' already declared at consumers[0]" },
    { path: 'plugins[1].instance_name', message: "uniqueness violation: 'plugins' entity with instance_name set to 'i' already declared at plugins[0]" },
  ]))
})

t.test('the same plugin twice on one scope (nested or referenced)', async (t) => {
  const issues = issuesOf(doc({
    services: [svc({ plugins: [{ name: 'request-termination' }] })],
    plugins: [
      { name: 'request-termination', service: 's' },
      { name: 'request-termination' },
      { name: 'request-termination' },
    ],
  }))
  t.strictSame(issues, sortIssues([
    { path: 'plugins[0]', message: "uniqueness violation: plugin 'request-termination' is already configured on this scope at services[0].plugins[0]" },
    { path: 'plugins[2]', message: "uniqueness violation: plugin 'request-termination' is already configured on this scope at plugins[1]" },
  ]))
})

t.test('ids must be valid UUIDs', async (t) => {
  t.strictSame(issuesOf(doc({ services: [svc({ id: 'svc-1' })], consumers: [{ username: 'u', id: 42 }] })), sortIssues([
    { path: 'services[0].id', message: 'expected a valid UUID' },
    { path: 'consumers[0].id', message: 'expected a string' },
  ]))
})

t.test('route paths: prefix, empty segments, regexes', async (t) => {
  const issues = issuesOf(doc({ routes: [{ paths: ['api', '/a//b', '~/users/(foo/profile', '~/ok/(?<id>\\d+)$', '^/x'] }] }))
  t.equal(issues.length, 4)
  t.strictSame(issues[0], { path: 'routes[0].paths[0]', message: 'should start with: / (fixed path) or ~/ (regex path)' })
  t.strictSame(issues[1], { path: 'routes[0].paths[1]', message: 'must not have empty segments' })
  t.equal(issues[2].path, 'routes[0].paths[2]')
  t.match(issues[2].message, /^invalid regex: '\/users\/\(foo\/profile' \(.+\)$/)
  t.strictSame(issues[3], { path: 'routes[0].paths[4]', message: 'should start with: / (fixed path) or ~/ (regex path)' })
})

t.test('route hosts', async (t) => {
  t.strictSame(issuesOf(doc({ routes: [{ hosts: ['ok.example.com', 'a.*.com', '*.a.*', 'bad host', 'x.com:99999', '*.ok.com:8000', 'api.*'] }] })), sortIssues([
    { path: 'routes[0].hosts[1]', message: 'invalid wildcard: must be placed at leftmost or rightmost label' },
    { path: 'routes[0].hosts[2]', message: 'invalid wildcard: must have at most one wildcard' },
    { path: 'routes[0].hosts[3]', message: 'invalid hostname: bad host' },
    { path: 'routes[0].hosts[4]', message: 'invalid port number: 99999' },
  ]))
})

t.test('route methods and headers', async (t) => {
  t.strictSame(issuesOf(doc({ routes: [{ methods: ['get'], headers: { Host: ['x'], 'x-a': [] } }] })), sortIssues([
    { path: 'routes[0].methods[0]', message: 'invalid value: get (methods are upper-case)' },
    { path: 'routes[0].headers.Host', message: "cannot contain 'host' header, which must be specified in the 'hosts' attribute" },
    { path: 'routes[0].headers.x-a', message: 'length must be at least 1' },
  ]))
})

t.test('a route needs a matching field', async (t) => {
  // kong/db/schema/entities/routes_subschemas.lua: snis count for a route serving https
  const https = "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
  const http = "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"
  t.strictSame(issuesOf(doc({ routes: [{ name: 'r' }, { paths: [], hosts: [] }, { protocols: ['http'] }, { protocols: ['https'], snis: ['a.test'] }] })), sortIssues([
    { path: 'routes[0]', message: https },
    { path: 'routes[1]', message: https },
    { path: 'routes[2]', message: http },
  ]))
})

t.test('route snis: Kong wildcard_host values, only on routes serving https', async (t) => {
  t.strictSame(issuesOf(doc({
    routes: [
      { paths: ['/'], snis: ['a.test', '*.b.test', 'c.*', 'a.*.test', '*.*.test', '10.0.0.1', 'a.test:443'] },
      { paths: ['/'], protocols: ['http'], snis: ['a.test'] },
    ]
  })), sortIssues([
    { path: 'routes[0].snis[3]', message: 'wildcard must be leftmost or rightmost character' },
    { path: 'routes[0].snis[4]', message: 'only one wildcard must be specified' },
    { path: 'routes[0].snis[5]', message: 'must not be an IP' },
    { path: 'routes[0].snis[6]', message: 'must not have a port' },
    { path: 'routes[1].snis', message: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'" },
  ]))
})

t.test('route fields with Kong ranges', async (t) => {
  t.strictSame(issuesOf(doc({ routes: [{ paths: ['/'], https_redirect_status_code: 303, path_handling: 'v2', strip_path: 'yes' }] })), sortIssues([
    { path: 'routes[0].strip_path', message: 'expected a boolean' },
    { path: 'routes[0].path_handling', message: 'expected one of: v0, v1' },
    { path: 'routes[0].https_redirect_status_code', message: 'expected one of: 426, 301, 302, 307, 308' },
  ]))
})

t.test('unsupported Kong features are refused by name', async (t) => {
  const issues = issuesOf(doc({
    services: [svc({ protocol: 'grpc' })],
    routes: [{ paths: ['/'], protocols: ['http', 'tcp'], sources: [{ ip: '10.0.0.1' }], destinations: [{ port: 1 }] }],
    consumers: [{ username: 'u', hmacauth_credentials: [{ username: 'k' }], acls: [] }],
    plugins: [{ name: 'request-termination', protocols: ['tcp'] }],
    certificates: [],
    oauth2_credentials: [{ name: 'x' }],
  }))
  t.strictSame(issues, sortIssues([
    { path: 'services[0].protocol', message: "protocol 'grpc' is not supported by Tollgate yet (only http and https are)" },
    { path: 'routes[0].protocols[1]', message: "protocol 'tcp' is not supported by Tollgate yet (only http and https are)" },
    { path: 'routes[0].sources', message: 'sources (stream routing) are not supported by Tollgate yet' },
    { path: 'routes[0].destinations', message: 'destinations (stream routing) are not supported by Tollgate yet' },
    { path: 'consumers[0].hmacauth_credentials', message: 'consumer credentials (hmacauth_credentials) are not supported by Tollgate yet' },
    { path: 'plugins[0].protocols[0]', message: 'expected one of: grpc, grpcs, http, https, ws, wss' },
    { path: 'oauth2_credentials', message: "'oauth2_credentials' entities are not supported by Tollgate yet" },
  ]))
})

t.test('services: tls_verify and tls_verify_depth as Kong bounds them, on https services only', async (t) => {
  const https = { protocol: 'https' }
  const issues = issuesOf(doc({
    services: [
      svc({ name: 'a', ...https, tls_verify: 'yes', tls_verify_depth: 65 }),
      svc({ name: 'b', ...https, tls_verify_depth: -1 }),
      svc({ name: 'c', tls_verify: false, tls_verify_depth: 1 }),
      { name: 'd', url: 'http://x.com', tls_verify: true },
      svc({ name: 'e', ...https, client_certificate: { id: '00000000-0000-4000-8000-000000000000' } }),
    ],
  }))
  const mustBeNull = 'value must be null (the service protocol is not https)'
  t.strictSame(issues, sortIssues([
    { path: 'services[0].tls_verify', message: 'expected a boolean' },
    { path: 'services[0].tls_verify_depth', message: 'value should be between 0 and 64' },
    { path: 'services[1].tls_verify_depth', message: 'value should be between 0 and 64' },
    { path: 'services[2].tls_verify', message: mustBeNull },
    { path: 'services[2].tls_verify_depth', message: mustBeNull },
    { path: 'services[3].tls_verify', message: mustBeNull },
    { path: 'services[4].client_certificate', message: "invalid reference 'client_certificate: {\"id\":\"00000000-0000-4000-8000-000000000000\"}' (no such entry in 'certificates')" },
  ]))
  const [a, b, c, d] = loadConfigObject(doc({
    services: [
      svc({ name: 'a', url: 'https://x.com', tls_verify: false, tls_verify_depth: 64 }),
      svc({ name: 'b', ...https, tls_verify: null, tls_verify_depth: null }),
      svc({ name: 'c', ...https }),
      svc({ name: 'd', tls_verify: null }),
    ].map(({ host, ...rest }) => rest.url === undefined ? { host, ...rest } : rest),
  }), SOURCE, {}).entities.services
  t.strictSame([a, b, c, d].map((s) => [s.tls_verify, s.tls_verify_depth]), [[false, 64], [null, null], [null, null], [null, null]])
})

t.test('services: url or host, valid url, valid host', async (t) => {
  const issues = issuesOf(doc({
    services: [
      { name: 'a' },
      { name: 'b', url: 'http://x.com', port: 81 },
      { name: 'c', url: 'not a url' },
      { name: 'd', url: 'ftp://files.example.com' },
      { name: 'e', url: 'http://u:p@x.com' },
      { name: 'f', url: 'http://x.com/a?b=1' },
      { name: 'g', host: 'bad_host!' },
      { name: 'h', host: 'x.com', path: 'v1' },
      { name: 'i j', host: 'x.com', port: 70000 },
    ],
  }))
  t.strictSame(issues, sortIssues([
    // Kong: host is required; url is a shorthand that fills it (and wins over a port given beside it)
    { path: 'services[0].host', message: 'required field missing' },
    { path: 'services[2].url', message: 'invalid url: not a url' },
    { path: 'services[3].url', message: 'expected one of: http, https' },
    { path: 'services[4].url', message: 'url must not contain credentials' },
    { path: 'services[5].url', message: 'url must not contain a query string or a fragment' },
    { path: 'services[6].host', message: 'invalid hostname: bad_host!' },
    { path: 'services[7].path', message: 'should start with: /' },
    { path: 'services[8].name', message: "invalid value 'i j': the only accepted ascii characters are alphanumerics or ., -, _, and ~" },
    { path: 'services[8].port', message: 'value should be between 0 and 65535' },
  ]))
})

t.test('consumers need a username or custom_id', async (t) => {
  t.strictSame(issuesOf(doc({ consumers: [{ tags: ['a'] }] })), sortIssues([
    { path: 'consumers[0]', message: "at least one of these fields must be non-empty: 'username', 'custom_id'" },
  ]))
})

t.test('a nested entity cannot also reference its parent type', async (t) => {
  t.strictSame(issuesOf(doc({
    services: [svc({ routes: [{ paths: ['/'], service: 's', plugins: [{ name: 'request-termination', route: 'x' }] }] })],
  })), sortIssues([
    { path: 'services[0].routes[0].service', message: 'must not be set: the route is nested under a service' },
    { path: 'services[0].routes[0].plugins[0].route', message: 'must not be set: the plugin is nested under a route' },
  ]))
})

t.test('plugin config is validated by the plugin schema', async (t) => {
  const issues = issuesOf(doc({
    plugins: [
      { name: 'request-termination', config: { status_code: 600 }, route: null },
      { name: 'request-termination', service: 's', config: { message: 'down', body: '{}' } },
      { name: 'request-termination', consumer: 'u', config: { content_type: 'text/plain' } },
      { name: 'request-termination', route: 'r2', config: { echo: true, body: 'x' } },
      { name: 'request-termination', consumer: 'u2', config: [] },
    ],
    services: [svc({
      routes: [
        { name: 'r', paths: ['/'], plugins: [{ name: 'request-termination', config: { trigger: 'bad header' } }] },
        { name: 'r2', paths: ['/2'] },
      ],
    })],
    consumers: [{ username: 'u' }, { username: 'u2' }],
  }))
  t.strictSame(issues, sortIssues([
    { path: 'plugins[4].config', message: 'expected a record' },
    { path: 'services[0].routes[0].plugins[0].config.trigger', message: "bad header name 'bad header', allowed characters are A-Z, a-z, 0-9, '_', and '-'" },
    { path: 'plugins[0].config.status_code', message: 'value should be between 100 and 599' },
    { path: 'plugins[1].config', message: 'message cannot be used with content_type or body' },
    { path: 'plugins[2].config', message: 'content_type requires a body' },
    { path: 'plugins[3].config', message: 'echo cannot be used with content_type and body' },
  ]))
})

t.test('a no_consumer plugin cannot be scoped to a consumer', async (t) => {
  const schemas = pluginSchemas as Map<string, PluginSchemaInfo>
  schemas.set('test-no-consumer', { name: 'test-no-consumer', PRIORITY: 1, VERSION: '0', noConsumer: true, configSchema: { type: 'record', fields: {} } })
  t.teardown(() => { schemas.delete('test-no-consumer') })
  t.strictSame(issuesOf(doc({
    consumers: [{ username: 'u', plugins: [{ name: 'test-no-consumer' }] }, { username: 'u2' }],
    plugins: [{ name: 'test-no-consumer', consumer: 'u2' }],
  })), sortIssues([
    { path: 'consumers[0].plugins[0]', message: "plugin 'test-no-consumer' cannot be applied to a consumer" },
    { path: 'plugins[0].consumer', message: "plugin 'test-no-consumer' cannot be applied to a consumer" },
  ]))
})

t.test('every error is collected, not just the first', async (t) => {
  const issues = issuesOf({
    services: [{ name: 'x', host: 'h', retries: 'many' }, { url: 'gopher://x' }],
    routes: [{ paths: ['nope'] }, { service: 'missing', hosts: ['a'] }],
    consumers: [{}],
    worker_processes: 0,
    surprise: true,
  })
  t.strictSame(issues.map((issue) => issue.path), [
    '_format_version',
    'services[0].retries',
    'services[1].url',
    'routes[0].paths[0]',
    'consumers[0]',
    'surprise',
    'worker_processes',
    'routes[1].service',
  ].sort())
})
