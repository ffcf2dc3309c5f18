// Loading valid configs: defaults, references, flattening, ids, hash, freezing, the decK dump fixture,
// and the file and text entry points.

import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { ConfigError } from '../../../src/core/errors.ts'
import { generatedId, uuidV5 } from '../../../src/config/ids.ts'
import { loadConfigFile, loadConfigObject, loadConfigText } from '../../../src/config/load.ts'
import { SOURCE, doc } from './issues.ts'

const FIXTURE = new URL('../../fixtures/config/deck-dump.json', import.meta.url).pathname

async function errorOf (promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

function load (input: Record<string, unknown>) {
  return loadConfigObject(doc(input), SOURCE, {})
}

t.test('entity defaults are applied', async (t) => {
  const { entities } = load({
    services: [{ name: 's', host: 'h' }],
    routes: [{ paths: ['/'] }],
    consumers: [{ custom_id: 'c' }],
    plugins: [{ name: 'request-termination' }],
  })
  t.match(entities.services[0], {
    protocol: 'http', port: 80, path: null, retries: 5, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true, tags: null,
  })
  t.match(entities.routes[0], {
    name: null,
    service: null,
    protocols: ['http', 'https'],
    methods: null,
    hosts: null,
    headers: null,
    snis: null,
    strip_path: true,
    preserve_host: false,
    path_handling: 'v0',
    regex_priority: 0,
    https_redirect_status_code: 426,
    request_buffering: true,
    response_buffering: true,
  })
  t.strictSame(entities.consumers[0].username, null)
  t.match(entities.plugins[0], { enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'], instance_name: null, service: null, route: null, consumer: null })
  t.strictSame(entities.plugins[0].config, { status_code: 503, message: null, content_type: null, body: null, echo: false, trigger: null })
})

t.test('the url shorthand', async (t) => {
  const { entities } = load({
    services: [
      { name: 'a', url: 'https://api.example.com' },
      { name: 'b', url: 'http://api.example.com:8080/v1/' },
      { name: 'c', url: 'https://api.example.com/' },
      { name: 'd', host: 'x', protocol: 'https' },
    ],
  })
  const targets = entities.services.map((s) => [s.protocol, s.host, s.port, s.path])
  t.strictSame(targets, [
    ['https', 'api.example.com', 443, null],
    ['http', 'api.example.com', 8080, '/v1/'],
    ['https', 'api.example.com', 443, '/'],
    ['https', 'x', 80, null],
  ])
})

t.test('references by name, id and object resolve to {id}', async (t) => {
  const id = '3c2f1e0d-9b8a-4776-8554-433221100fed'
  const { entities } = load({
    services: [{ name: 'named', host: 'h' }, { id, host: 'h2' }],
    consumers: [{ username: 'alice' }],
    routes: [
      { paths: ['/1'], service: 'named' },
      { paths: ['/2'], service: id },
      { paths: ['/3'], service: { name: 'named' } },
      { paths: ['/4'], service: { id } },
      { name: 'r5', paths: ['/5'] },
    ],
    plugins: [
      { name: 'request-termination', service: 'named', route: 'r5', consumer: 'alice' },
      { name: 'request-termination', consumer: { name: 'alice' } },
    ],
  })
  const named = entities.services[0].id
  t.strictSame(entities.routes.map((r) => r.service), [{ id: named }, { id }, { id: named }, { id }, null])
  t.strictSame(entities.plugins[0].service, { id: named })
  t.strictSame(entities.plugins[0].route, { id: entities.routes[4].id })
  t.strictSame(entities.plugins[0].consumer, { id: entities.consumers[0].id })
  t.strictSame(entities.plugins[1].consumer, { id: entities.consumers[0].id })
})

t.test('nested entities are flattened with their scope', async (t) => {
  const { entities } = load({
    services: [{
      name: 's',
      host: 'h',
      plugins: [{ name: 'request-termination', config: { status_code: 500 } }],
      routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'request-termination', config: { status_code: 501 } }] }],
    }],
    consumers: [{ username: 'u', plugins: [{ name: 'request-termination', config: { status_code: 502 } }] }],
  })
  t.equal(entities.services.length, 1)
  t.equal(entities.routes.length, 1)
  t.strictSame(entities.routes[0].service, { id: entities.services[0].id })
  const scopes = entities.plugins.map((p) => [p.config.status_code, p.service, p.route, p.consumer])
    .sort((a, b) => (a[0] as number) - (b[0] as number))
  t.strictSame(scopes, [
    [500, { id: entities.services[0].id }, null, null],
    [501, null, { id: entities.routes[0].id }, null],
    [502, null, null, { id: entities.consumers[0].id }],
  ])
})

t.test('route headers are lower-cased and merged', async (t) => {
  const { entities } = load({ routes: [{ headers: { 'X-Tenant': ['a'], 'x-tenant': ['a', 'b'], Accept: ['json'] } }] })
  t.strictSame(entities.routes[0].headers, { 'x-tenant': ['a', 'b'], accept: ['json'] })
})

t.test('ids: given ones kept, others generated as Kong DB-less does and stable across loads', async (t) => {
  const input = {
    services: [{ name: 'billing', host: 'h', routes: [{ paths: ['/a'] }, { name: 'named-route', paths: ['/b'] }] }],
    routes: [{ paths: ['/top'] }],
    consumers: [{ username: 'alice' }, { custom_id: 'c-1' }, { id: '11111111-2222-4333-8444-555555555555', username: 'bob' }],
    plugins: [{ name: 'request-termination', service: 'billing' }],
  }
  const first = load(input).entities
  const second = load(structuredClone(input)).entities
  t.strictSame(second, first, 'the same ids (and everything else) on a second load')
  t.equal(first.services[0].id, generatedId('services', 'billing'))
  t.equal(first.routes[1].id, generatedId('routes', 'named-route'))
  t.equal(first.consumers[0].id, generatedId('consumers', 'alice'))
  t.equal(first.consumers[2].id, '11111111-2222-4333-8444-555555555555')
  const ids = [...first.services, ...first.routes, ...first.consumers, ...first.plugins].map((e) => e.id)
  t.equal(new Set(ids).size, ids.length, 'all distinct')
  for (const id of ids) t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  // Kong's derivation: v5(v5(kong namespace, entity type), key)
  t.equal(generatedId('services', 'billing'), uuidV5(uuidV5('fd02801f-0957-4a15-a55a-c8d9606f30b5', 'services'), 'billing'))
})

t.test('uuidV5 follows RFC 9562 (its DNS example)', async (t) => {
  t.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2')
})

t.test('timestamps: epoch seconds at load, or as given', async (t) => {
  const before = Math.floor(Date.now() / 1000)
  const { entities } = load({ services: [{ name: 'a', host: 'h' }, { name: 'b', host: 'h', created_at: 1700000000 }] })
  const after = Math.floor(Date.now() / 1000)
  t.ok(entities.services[0].created_at >= before && entities.services[0].created_at <= after)
  t.equal(entities.services[0].updated_at, entities.services[0].created_at)
  t.equal(entities.services[1].created_at, 1700000000)
})

t.test('hash: 32 hex, stable for the same config, changed by any field', async (t) => {
  const base = { services: [{ name: 's', host: 'h', routes: [{ paths: ['/'] }] }], worker_processes: 2 }
  const hash = load(base).hash
  t.match(hash, /^[0-9a-f]{32}$/)
  t.equal(load(structuredClone(base)).hash, hash)
  t.equal(load({ worker_processes: 2, services: [{ routes: [{ paths: ['/'] }], host: 'h', name: 's' }] }).hash, hash, 'key order does not matter')
  t.equal(load({ ...base, services: [{ ...base.services[0], created_at: 1 }] }).hash, hash, 'timestamps do not count')
  t.not(load({ ...base, services: [{ ...base.services[0], retries: 4 }] }).hash, hash, 'an entity field')
  t.not(load({ ...base, services: [{ ...base.services[0], routes: [{ paths: ['/x'] }] }] }).hash, hash, 'a nested field')
  t.not(load({ ...base, worker_processes: 3 }).hash, hash, 'a setting')
})

t.test('the result is deep-frozen', async (t) => {
  const config = load({ services: [{ name: 's', host: 'h', tags: ['a'], plugins: [{ name: 'request-termination' }] }] })
  t.ok(Object.isFrozen(config))
  t.ok(Object.isFrozen(config.settings.proxy_listen[0]))
  t.ok(Object.isFrozen(config.entities.services[0].tags))
  t.ok(Object.isFrozen(config.entities.plugins[0].config))
  t.throws(() => { (config.entities.services[0] as { port: number }).port = 1 }, TypeError)
})

t.test('the input object is not changed', async (t) => {
  const input = doc({ services: [{ name: 's', host: 'h', routes: [{ paths: ['/'] }] }] })
  const copy = structuredClone(input)
  loadConfigObject(input, SOURCE, {})
  t.strictSame(input, copy)
})

t.test('a decK dump loads as is', async (t) => {
  const config = await loadConfigFile(FIXTURE, {})
  t.equal(config.source, FIXTURE)
  t.equal(config.format_version, '3.0')
  const { services, routes, plugins, consumers } = config.entities
  t.strictSame(services.map((s) => [s.id, s.name, s.protocol, s.host, s.port, s.path, s.retries, s.read_timeout]), [
    ['0f5e2d1c-3b4a-4c6d-8e9f-a1b2c3d4e5f6', 'billing-api', 'https', 'billing.internal', 8443, '/v2', 3, 30000],
    [generatedId('services', 'echo'), 'echo', 'http', 'httpbin.org', 80, null, 5, 60000],
  ])
  t.strictSame(routes.map((r) => [r.name, r.service?.id]), [
    ['billing-invoices', services[0].id],
    ['billing-tenants', services[0].id],
    ['echo-anything', services[1].id],
  ])
  t.strictSame(routes[0].paths, ['/invoices', '~/invoices/(?<id>\\d+)$'])
  t.strictSame(routes[1].headers, { 'x-tenant': ['acme', 'globex'] })
  t.match(routes[1], { protocols: ['https'], https_redirect_status_code: 301, preserve_host: true, strip_path: false })
  t.strictSame(consumers.map((c) => [c.id, c.username, c.custom_id]), [['5a3b1c9e-7f0d-4d5e-9c1a-2b3c4d5e6f70', 'acme-corp', 'acct-0042']])
  t.strictSame(plugins.map((p) => [p.name, p.instance_name, p.enabled, p.service?.id ?? null, p.consumer?.id ?? null]), [
    ['request-termination', 'billing-maintenance', false, services[0].id, null],
    ['request-termination', null, true, null, consumers[0].id],
  ])
  t.equal(plugins[0].config.trigger, 'X-Maintenance')
})

t.test('loadConfigFile', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-config-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'config.json')
  // eslint-disable-next-line no-template-curly-in-string -- a decK placeholder
  await writeFile(file, JSON.stringify(doc({ services: [{ name: 's', host: '${{ env "DECK_H" }}' }] })))
  const config = await loadConfigFile(relative(process.cwd(), file), { DECK_H: 'from-env' })
  t.equal(config.source, file, 'source is the absolute path')
  t.equal(config.entities.services[0].host, 'from-env')

  const missing = join(dir, 'missing.json')
  t.match(await errorOf(loadConfigFile(missing)), {
    constructor: ConfigError, source: missing, issues: [{ path: '', message: 'cannot read the file (ENOENT)' }],
  })

  await writeFile(file, '{\n  "_format_version": "3.0",\n  "services": [\n    { "name": "s" "host": "h" }\n  ]\n}\n')
  t.match(await errorOf(loadConfigFile(file, {})), {
    constructor: ConfigError,
    source: file,
    issues: [{ path: '', message: "invalid JSON at line 4 column 19: expected ',' or '}' after the property value" }],
  })
})

t.test('loadConfigText: invalid JSON gives line and column, and never quotes the text', async (t) => {
  const cases: Array<[string, string]> = [
    ['{"a": }', 'invalid JSON at line 1 column 7: unexpected character "}": expected a value'],
    ['', 'invalid JSON at line 1 column 1: unexpected end of input'],
    ['{\n"a": [1,]\n}', 'invalid JSON at line 2 column 9: unexpected character "]": expected a value'],
    ['{"secret": "hunter2\n"}', 'invalid JSON at line 1 column 20: bad control character in string literal'],
    ['{} x', 'invalid JSON at line 1 column 4: unexpected data after the JSON value'],
  ]
  for (const [text, message] of cases) {
    let error: unknown = null
    try {
      loadConfigText(text, '<admin>', {})
    } catch (err) {
      error = err
    }
    t.ok(error instanceof ConfigError, JSON.stringify(text))
    t.strictSame((error as ConfigError).issues, [{ path: '', message }])
    t.equal((error as ConfigError).source, '<admin>')
  }
  const config = loadConfigText('\uFEFF{"_format_version": "3.0"}', '<admin>', {})
  t.equal(config.source, '<admin>')
  t.strictSame(config.entities, { services: [], routes: [], plugins: [], consumers: [], consumer_groups: [], consumer_group_consumers: [], keyauth_credentials: [], basicauth_credentials: [], jwt_secrets: [], acls: [], upstreams: [], targets: [], certificates: [], snis: [], ca_certificates: [] })
})

t.test('Kong format versions 1.1 and 2.1 are accepted; decK and DB-less meta keys ignored', async (t) => {
  for (const version of ['1.1', '2.1']) t.equal(loadConfigObject({ _format_version: version }, SOURCE, {}).format_version, version)
  const config = load({ _transform: false, _comment: 'x', _ignore: [{ any: 1 }], _workspace: 'default', _info: { select_tags: ['a'] }, _konnect: { control_plane_name: 'cp' } })
  t.strictSame(config.entities.services, [])
  t.notOk('_info' in config)
})
