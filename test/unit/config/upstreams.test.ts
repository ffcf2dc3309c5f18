// Upstreams and targets as Kong 3.x loads them: each row of the schema tables cites the Kong spec it comes
// from (spec/01-unit/01-db/01-schema/09-upstreams_spec.lua, 08-targets_spec.lua), then Kong's defaults,
// the algorithm/hash_on shorthands, nested and top-level targets with their errors' JSON paths, ids,
// decK's _info defaults and select_tags, and the by-name lookup the proxy uses.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { validate } from '../../../src/config/schema/engine.ts'
import { upstream } from '../../../src/config/schema/upstream.ts'
import { upstreamsByName } from '../../../src/config/upstream-index.ts'
import { SOURCE, doc, issuesOf } from './issues.ts'

/** the issues of one upstream record validated alone, as Kong's Upstreams:validate */
function upstreamIssues (input: Record<string, unknown>): Array<{ path: string, message: string }> {
  return validate(upstream, { name: 'x', ...input }, '').issues
}

const SPEC = '09-upstreams_spec.lua'
const INVALID: ReadonlyArray<[string, Record<string, unknown>, string, string]> = [
  [`${SPEC} invalid name`, { name: '1234' }, 'name', "Invalid name ('1234'); must be a valid hostname"],
  [`${SPEC} invalid name`, { name: 'fafa fafa' }, 'name', "Invalid name ('fafa fafa'); must be a valid hostname"],
  [`${SPEC} requires a valid name with no port`, { name: '123.123.123.123' }, 'name', "Invalid name ('123.123.123.123'); no ip addresses allowed"],
  [`${SPEC} requires a valid name with no port`, { name: '\\\\bad\\\\////name////' }, 'name', "Invalid name ('\\\\bad\\\\////name////'); must be a valid hostname"],
  [`${SPEC} requires a valid name with no port`, { name: 'name:80' }, 'name', "Invalid name ('name:80'); no port allowed"],
  [`${SPEC} invalid hash_on_cookie`, { hash_on_cookie: 'a cookie' }, 'hash_on_cookie',
    'contains one or more invalid characters. ASCII control characters (0-31;127), space, tab and the characters ()<>@,;:\\"/?={}[] are not allowed.'],
  [`${SPEC} requires a valid hostname`, { host_header: 'http://ahostname.test' }, 'host_header', 'invalid hostname: http://ahostname.test'],
  [`${SPEC} requires a valid hostname`, { host_header: 'ahostname-' }, 'host_header', 'invalid hostname: ahostname-'],
  [`${SPEC} requires a valid hostname`, { host_header: 'a hostname' }, 'host_header', 'invalid hostname: a hostname'],
  [`${SPEC} hash_on = 'header' makes hash_on_header required`, { hash_on: 'header' }, 'hash_on_header', 'required field missing'],
  [`${SPEC} hash_fallback = 'header' makes hash_fallback_header required`, { hash_on: 'ip', hash_fallback: 'header' }, 'hash_fallback_header', 'required field missing'],
  [`${SPEC} hash_on = 'cookie' makes hash_on_cookie required`, { hash_on: 'cookie' }, 'hash_on_cookie', 'required field missing'],
  [`${SPEC} hash_on = 'none' requires that hash_fallback is also none`, { hash_on: 'none', hash_fallback: 'header', hash_fallback_header: 'X' },
    'hash_fallback', 'expected one of: none'],
  [`${SPEC} hash_on = 'cookie' requires that hash_fallback is also none`, { hash_on: 'cookie', hash_on_cookie: 'c', hash_fallback: 'ip' },
    'hash_fallback', 'expected one of: none'],
  [`${SPEC} hash_on must be different from hash_fallback`, { hash_on: 'consumer', hash_fallback: 'consumer' },
    'hash_fallback', 'expected one of: none, ip, header, cookie, path, query_arg, uri_capture'],
  [`${SPEC} hash_on must be different from hash_fallback`, { hash_on: 'path', hash_fallback: 'path' },
    'hash_fallback', 'expected one of: none, consumer, ip, header, cookie, query_arg, uri_capture'],
  [`${SPEC} hash_on = 'query_arg' makes hash_on_query_arg required`, { hash_on: 'query_arg' }, 'hash_on_query_arg', 'required field missing'],
  [`${SPEC} hash_fallback = 'query_arg' makes hash_fallback_query_arg required`, { hash_on: 'ip', hash_fallback: 'query_arg' },
    'hash_fallback_query_arg', 'required field missing'],
  [`${SPEC} query args must not be empty strings`, { hash_on: 'query_arg', hash_on_query_arg: '' }, 'hash_on_query_arg', 'length must be at least 1'],
  [`${SPEC} hash_on and hash_fallback must be different query args`,
    { hash_on: 'query_arg', hash_on_query_arg: 'same', hash_fallback: 'query_arg', hash_fallback_query_arg: 'same' },
    '', "values of these fields must be distinct: 'hash_on_query_arg', 'hash_fallback_query_arg'"],
  [`${SPEC} hash_on and hash_fallback must be different uri captures`,
    { hash_on: 'uri_capture', hash_on_uri_capture: 'same', hash_fallback: 'uri_capture', hash_fallback_uri_capture: 'same' },
    '', "values of these fields must be distinct: 'hash_on_uri_capture', 'hash_fallback_uri_capture'"],
  ['upstreams.lua slots between 10 and 2^16', { slots: 9 }, 'slots', 'value should be between 10 and 65536'],
  ['upstreams.lua algorithm one_of', { algorithm: 'random' }, 'algorithm', 'expected one of: round-robin, consistent-hashing, least-connections, latency'],
  ['typedefs.header_name', { hash_on: 'header', hash_on_header: 'X A' }, 'hash_on_header',
    "bad header name 'X A', allowed characters are A-Z, a-z, 0-9, '_', and '-'"],
  ['typedefs.path', { hash_on_cookie_path: 'x' }, 'hash_on_cookie_path', 'should start with: /'],
  ['typedefs.path validate_path', { hash_on_cookie_path: '/a%zz' }, 'hash_on_cookie_path', "invalid url-encoded value: '%zz'"],
]

t.test('upstream refusals, with Kong\'s messages at their fields', async (t) => {
  for (const [from, input, path, message] of INVALID) {
    t.ok(upstreamIssues(input).some((issue) => issue.path === path && issue.message === message), `${from}: ${JSON.stringify(input)}`)
  }
  t.ok(upstreamIssues({ hash_on: 'header' }).some((issue) => issue.path === '' &&
    issue.message === "failed conditional validation given value of field 'hash_on'"), 'the record says which field set the condition')
  t.same(validate(upstream, {}, '').issues, [{ path: 'name', message: 'required field missing' }], `${SPEC}: name is required`)
})

// 09-upstreams_spec.lua "rejects invalid configurations": healthchecks value → the message at its leaf
const SECONDS = 'value should be between 0 and 65535'
const COUNT = 'value should be between 0 and 255'
const STATUS = 'value should be between 100 and 999'
const HEALTHCHECK_REFUSALS: ReadonlyArray<[Record<string, unknown>, string, string]> = [
  [{ active: { timeout: -1 } }, 'healthchecks.active.timeout', SECONDS],
  [{ active: { timeout: 1e42 } }, 'healthchecks.active.timeout', SECONDS],
  [{ active: { concurrency: 0.5 } }, 'healthchecks.active.concurrency', 'expected an integer'],
  [{ active: { concurrency: 0 } }, 'healthchecks.active.concurrency', 'value should be between 1 and 2147483648'],
  [{ active: { http_path: '' } }, 'healthchecks.active.http_path', 'length must be at least 1'],
  [{ active: { http_path: 'ovo' } }, 'healthchecks.active.http_path', 'should start with: /'],
  [{ active: { https_sni: '127.0.0.1' } }, 'healthchecks.active.https_sni', 'must not be an IP'],
  [{ active: { https_sni: '127.0.0.1:8080' } }, 'healthchecks.active.https_sni', 'must not be an IP'],
  [{ active: { https_sni: '/example' } }, 'healthchecks.active.https_sni', 'invalid value: /example'],
  [{ active: { https_sni: '.example' } }, 'healthchecks.active.https_sni', 'invalid value: .example'],
  [{ active: { https_sni: 'example:' } }, 'healthchecks.active.https_sni', 'invalid value: example:'],
  [{ active: { https_sni: 'example-.org' } }, 'healthchecks.active.https_sni', 'invalid value: example-.org'],
  [{ active: { https_sni: 'hello..example.com' } }, 'healthchecks.active.https_sni', 'invalid value: hello..example.com'],
  [{ active: { https_sni: 'example.com:1234' } }, 'healthchecks.active.https_sni', 'must not have a port'],
  [{ active: { https_verify_certificate: 'ovo' } }, 'healthchecks.active.https_verify_certificate', 'expected a boolean'],
  [{ active: { headers: 0 } }, 'healthchecks.active.headers', 'expected a map'],
  [{ active: { headers: { 'x-header': 123 } } }, 'healthchecks.active.headers.x-header', 'expected an array'],
  [{ active: { healthy: { interval: -1 } } }, 'healthchecks.active.healthy.interval', SECONDS],
  [{ active: { healthy: { http_statuses: 404 } } }, 'healthchecks.active.healthy.http_statuses', 'expected an array'],
  [{ active: { healthy: { http_statuses: ['ovo'] } } }, 'healthchecks.active.healthy.http_statuses[0]', 'expected an integer'],
  [{ active: { healthy: { http_statuses: [99] } } }, 'healthchecks.active.healthy.http_statuses[0]', STATUS],
  [{ active: { healthy: { http_statuses: [1000] } } }, 'healthchecks.active.healthy.http_statuses[0]', STATUS],
  [{ active: { healthy: { successes: 256 } } }, 'healthchecks.active.healthy.successes', COUNT],
  [{ active: { unhealthy: { tcp_failures: 0.5 } } }, 'healthchecks.active.unhealthy.tcp_failures', 'expected an integer'],
  [{ active: { unhealthy: { timeouts: -1 } } }, 'healthchecks.active.unhealthy.timeouts', COUNT],
  [{ active: { unhealthy: { http_failures: 256 } } }, 'healthchecks.active.unhealthy.http_failures', COUNT],
  [{ passive: { healthy: { successes: -1 } } }, 'healthchecks.passive.healthy.successes', COUNT],
  [{ passive: { unhealthy: { http_statuses: [-1] } } }, 'healthchecks.passive.unhealthy.http_statuses[0]', STATUS],
  [{ passive: { unhealthy: { tcp_failures: 256 } } }, 'healthchecks.passive.unhealthy.tcp_failures', COUNT],
  [{ threshold: -1 }, 'healthchecks.threshold', 'value should be between 0 and 100'],
  [{ threshold: 101 }, 'healthchecks.threshold', 'value should be between 0 and 100'],
  [{ threshold: '50' }, 'healthchecks.threshold', 'expected a number'],
]

const HEALTHCHECK_ACCEPTED: ReadonlyArray<Record<string, unknown>> = [
  { active: { timeout: 0.5 } }, { active: { concurrency: 2 } }, { active: { http_path: '/test' } },
  { active: { https_sni: 'example.com' } }, { active: { https_sni: 'example.test.' } }, { active: { https_verify_certificate: false } },
  { active: { healthy: { http_statuses: [200, 300] } } }, { active: { healthy: { successes: 255 } } },
  { active: { unhealthy: { tcp_failures: 255 } } }, { active: { unhealthy: { http_failures: 2 } }, threshold: 50.5 },
  { passive: { healthy: { http_statuses: [200, 201] } } }, { passive: { unhealthy: { http_failures: 255 } }, threshold: 100 },
]

t.test(`healthchecks: ${SPEC} "rejects invalid configurations" and "accepts inputs with the correct values"`, async (t) => {
  for (const [healthchecks, path, message] of HEALTHCHECK_REFUSALS) {
    t.same(upstreamIssues({ healthchecks }), [{ path, message }], JSON.stringify(healthchecks))
  }
  for (const healthchecks of HEALTHCHECK_ACCEPTED) t.same(upstreamIssues({ healthchecks }), [], JSON.stringify(healthchecks))
})

t.test(`${SPEC} "produces defaults", null included`, async (t) => {
  const kongDefaults = {
    active: {
      type: 'http',
      timeout: 1,
      concurrency: 10,
      http_path: '/',
      https_sni: null,
      https_verify_certificate: true,
      headers: null,
      healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
      unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
    },
    passive: {
      type: 'http',
      healthy: { http_statuses: [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], successes: 0 },
      unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 },
    },
    threshold: 0,
  }
  const config = loadConfigObject(doc({
    upstreams: [{ name: 'www.example.com' }, { name: 'b.example', healthchecks: null }, { name: 'c.example', healthchecks: { active: null, passive: { healthy: null } } }],
  }), SOURCE, {})
  const [u] = config.entities.upstreams
  t.match(u, { algorithm: 'round-robin', hash_on: 'none', hash_fallback: 'none', hash_on_cookie_path: '/', slots: 10000, use_srv_name: false, host_header: null })
  for (const each of config.entities.upstreams) t.strictSame(each.healthchecks, kongDefaults, `${each.name}: Kong's healthchecks defaults`)
  const partial = loadConfigObject(doc({ upstreams: [{ name: 'p.example', healthchecks: { active: { healthy: { interval: 5 } } } }] }), SOURCE, {})
  t.equal(partial.entities.upstreams[0].healthchecks.active.healthy.interval, 5)
  t.strictSame(partial.entities.upstreams[0].healthchecks.active.healthy.http_statuses, [200, 302], 'the rest of the record is defaulted')
})

t.test('upstreams.lua shorthand_fields: algorithm and hash_on keep each other consistent', async (t) => {
  const cases: ReadonlyArray<[Record<string, unknown>, string, string]> = [
    [{ hash_on: 'ip' }, 'consistent-hashing', 'ip'],
    [{ algorithm: 'round-robin', hash_on: 'consumer' }, 'consistent-hashing', 'consumer'],
    [{ algorithm: 'consistent-hashing', hash_on: 'none' }, 'round-robin', 'none'],
    [{ algorithm: 'consistent-hashing' }, 'consistent-hashing', 'none'],
    [{ algorithm: 'least-connections', hash_on: 'ip' }, 'least-connections', 'none'],
    [{ algorithm: 'latency' }, 'latency', 'none'],
    [{ hash_on: null }, 'round-robin', 'none'],
  ]
  for (const [input, algorithm, hashOn] of cases) {
    const { value, issues } = validate(upstream, { name: 'x', ...input }, '')
    t.same(issues, [], JSON.stringify(input))
    t.match(value, { algorithm, hash_on: hashOn }, JSON.stringify(input))
  }
})

t.test('targets: 08-targets_spec.lua, normalised as kong/db/dao/targets.lua format_target', async (t) => {
  const config = loadConfigObject(doc({
    upstreams: [{
      name: 'u.example',
      targets: [{ target: 'valid.name' }, { target: 'valid.name:8080' }, { target: '012.34.56.78' }, { target: '1.2.3.4:123', weight: 0 }, { target: '[::1]:80' }, { target: 'FE80::1' }],
    }],
  }), SOURCE, {})
  t.strictSame(config.entities.targets.map((target) => target.target), [
    'valid.name:8000', 'valid.name:8080', '12.34.56.78:8000', '1.2.3.4:123',
    '[0000:0000:0000:0000:0000:0000:0000:0001]:80', '[fe80:0000:0000:0000:0000:0000:0000:0001]:8000',
  ])
  t.strictSame(config.entities.targets.map((target) => target.weight), [100, 100, 100, 0, 100, 100])
  t.same(issuesOf(doc({ upstreams: [{ name: 'u', targets: [{ target: '\\\\bad\\\\////name////' }, { target: 'a', weight: 65536 }, {}] }] })), [
    { path: 'upstreams[0].targets[0].target', message: "Invalid target ('\\\\bad\\\\////name////'); not a valid hostname or ip address" },
    { path: 'upstreams[0].targets[1].weight', message: 'value should be between 0 and 65535' },
    { path: 'upstreams[0].targets[2].target', message: 'required field missing' },
  ])
})

t.test('nested and top-level targets: resolution, and errors at their JSON paths', async (t) => {
  const config = loadConfigObject(doc({
    upstreams: [{ name: 'a.example', targets: [{ target: 'h1' }] }, { id: '6a0ad0a4-4b4b-4b4b-8b4b-4b4b4b4b4b4d', name: 'b.example' }],
    targets: [
      { upstream: 'a.example', target: 'h2' },
      { upstream: '6a0ad0a4-4b4b-4b4b-8b4b-4b4b4b4b4b4d', target: 'h1' },
      { upstream: { name: 'b.example' }, target: 'h3' },
    ],
  }), SOURCE, {})
  const [a, b] = config.entities.upstreams
  t.strictSame(config.entities.targets.map((target) => [target.upstream.id, target.target]),
    [[a.id, 'h1:8000'], [a.id, 'h2:8000'], [b.id, 'h1:8000'], [b.id, 'h3:8000']], 'the same host:port may serve two upstreams')
  t.same(issuesOf(doc({
    upstreams: [{ name: 'a.example', targets: [{ target: 'h1' }, { target: 'h1:8000' }, { target: 'h2', upstream: 'a.example' }] }, { name: 'a.example' }],
    targets: [{ target: 'h3' }, { upstream: 'nope', target: 'h4' }, { upstream: 'a.example', target: 'H1:8000' }, { upstream: 'a.example', target: 'h2' }],
  })), [
    { path: 'targets[0].upstream', message: 'required field missing' },
    { path: 'targets[1].upstream', message: "invalid reference 'upstream: nope' (no such entry in 'upstreams')" },
    { path: 'targets[3].target', message: "uniqueness violation: 'targets' entity with target set to 'h2:8000' already declared at upstreams[0].targets[2]" },
    { path: 'upstreams[0].targets[1].target', message: "uniqueness violation: 'targets' entity with target set to 'h1:8000' already declared at upstreams[0].targets[0]" },
    { path: 'upstreams[0].targets[2].upstream', message: 'must not be set: the target is nested under an upstream' },
    { path: 'upstreams[1].name', message: "uniqueness violation: 'upstreams' entity with name set to 'a.example' already declared at upstreams[0]" },
  ])
})

t.test('ids: given, or the same on every load (Kong DB-less: upstream by name, target by upstream and target)', async (t) => {
  const input = doc({ upstreams: [{ name: 'a.example', targets: [{ target: 'h1' }] }], targets: [{ upstream: 'a.example', target: 'h2' }] })
  const first = loadConfigObject(input, SOURCE, {})
  const second = loadConfigObject(input, SOURCE, {})
  t.strictSame(second.entities.upstreams.map((u) => u.id), first.entities.upstreams.map((u) => u.id))
  t.strictSame(second.entities.targets.map((u) => u.id), first.entities.targets.map((u) => u.id))
  t.equal(second.hash, first.hash)
  t.not(first.entities.targets[0].id, first.entities.targets[1].id)
  const other = loadConfigObject(doc({ upstreams: [{ name: 'a.example', targets: [{ target: 'h1', weight: 5 }] }] }), SOURCE, {})
  t.not(other.hash, first.hash, 'a changed weight changes the config hash')
  t.same(issuesOf(doc({ upstreams: [{ id: 'nope', name: 'a' }] })), [{ path: 'upstreams[0].id', message: 'expected a valid UUID' }])
})

t.test('decK: _info.defaults.upstream/.target fill unset fields; select_tags tag upstreams and targets', async (t) => {
  const config = loadConfigObject(doc({
    _info: { select_tags: ['team'], defaults: { upstream: { slots: 100 }, target: { weight: 7 } } },
    upstreams: [{ name: 'a.example', slots: 20, targets: [{ target: 'h1' }] }, { name: 'b.example' }],
    targets: [{ upstream: 'b.example', target: 'h2', weight: 9 }],
  }), SOURCE, {})
  t.strictSame(config.entities.upstreams.map((u) => [u.slots, u.tags]), [[20, ['team']], [100, ['team']]])
  t.strictSame(config.entities.targets.map((u) => [u.weight, u.tags]), [[7, ['team']], [9, ['team']]])
  t.same(issuesOf(doc({ _info: { defaults: { upstream: { bogus: 1 } } } })), [{ path: '_info.defaults.upstream', message: 'unknown field(s): bogus' }])
})

t.test('upstreamsByName: each upstream with its targets in config order, built once per loaded config', async (t) => {
  const config = loadConfigObject(doc({
    upstreams: [{ name: 'a.example', targets: [{ target: 'h1' }, { target: 'h0', weight: 0 }] }, { name: 'b.example' }],
    targets: [{ upstream: 'a.example', target: 'h2' }],
    services: [{ name: 's', host: 'a.example' }],
  }), SOURCE, {})
  const byName = upstreamsByName(config)
  t.equal(upstreamsByName(config), byName, 'the same map on each call')
  t.strictSame([...byName.keys()], ['a.example', 'b.example'])
  t.strictSame(byName.get('a.example')!.targets.map((target) => target.target), ['h1:8000', 'h0:8000', 'h2:8000'])
  t.strictSame(byName.get('b.example')!.targets, [])
  t.equal(byName.get(config.entities.services[0].host)!.id, config.entities.upstreams[0].id, 'a service host names its upstream')
  t.ok(Object.isFrozen(byName.get('a.example')) && Object.isFrozen(byName.get('a.example')!.targets))
})
