// Holds the shapes in config-shapes.ts to the schemas (tsc holds src/config/types.ts to the shapes): every
// field a schema produces is in its entity's shape or named below as left out, each shape says what the
// schema can produce (nullable iff no default and not required), and loaded values fit their shapes.
// Covers Service, Route, Plugin, Consumer, ConsumerGroup, Upstream, Target, Settings and the bundled plugins' configs.

import t, { type Test } from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { parseSettings } from '../../../src/config/settings.ts'
import { consumer } from '../../../src/config/schema/consumer.ts'
import { consumerGroup } from '../../../src/config/schema/consumer-group.ts'
import { plugin } from '../../../src/config/schema/plugin.ts'
import { route } from '../../../src/config/schema/route.ts'
import { service } from '../../../src/config/schema/service.ts'
import { target } from '../../../src/config/schema/target.ts'
import { upstream } from '../../../src/config/schema/upstream.ts'
import { caCertificate, certificate, sni } from '../../../src/config/schema/certificate.ts'
import { validate, type FieldSchema, type RecordField } from '../../../src/config/schema/engine.ts'
import type { ConfigIssue } from '../../../src/core/errors.ts'
import { BUNDLED_PLUGINS } from '../../../src/plugins/bundled.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
import { requestTerminationSchema } from '../../../src/plugins/request-termination/schema.ts'
import { corsSchema } from '../../../src/plugins/cors/schema.ts'
import { correlationIdSchema } from '../../../src/plugins/correlation-id/schema.ts'
import { prometheusSchema } from '../../../src/plugins/prometheus/schema.ts'
import { requestTransformerSchema } from '../../../src/plugins/request-transformer/schema.ts'
import { responseTransformerSchema } from '../../../src/plugins/response-transformer/schema.ts'
import { rateLimitingSchema } from '../../../src/plugins/rate-limiting/schema.ts'
import { keyAuthSchema } from '../../../src/plugins/key-auth/schema.ts'
import { jwtSchema } from '../../../src/plugins/jwt/schema.ts'
import { basicAuthSchema } from '../../../src/plugins/basic-auth/schema.ts'
import { aclSchema } from '../../../src/plugins/acl/schema.ts'
import { ACL, BASIC_AUTH, CA_CERTIFICATE, CERTIFICATE, CONSUMER, CONSUMER_GROUP, CORRELATION_ID, CORS, JWT, KEY_AUTH, OIDC, PLUGIN, PROMETHEUS, RATE_LIMITING, REQUEST_TERMINATION, REQUEST_TRANSFORMER, RESPONSE_TRANSFORMER, ROUTE, SERVICE, SETTINGS, SNI, TARGET, UPSTREAM } from './config-shapes.ts'
import { describe, type Fields, type Shape } from './shapes.ts'
import { SOURCE } from './issues.ts'

const ANNOTATIONS = ['_comment', '_ignore']
const CREDENTIALS = ['keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'hmacauth_credentials',
  'oauth2_credentials', 'acls', 'mtls_auth_credentials']

/** Schema fields that are not part of the loaded entity: nested entities, refused Kong features, decK keys. */
const ENTITIES: ReadonlyArray<{ name: string, schema: RecordField, shape: Fields, leftOut: readonly string[] }> = [
  { name: 'Service', schema: service, shape: SERVICE, leftOut: ['routes', 'plugins', ...ANNOTATIONS] },
  { name: 'Route', schema: route, shape: ROUTE, leftOut: ['sources', 'destinations', 'expression', 'priority', 'plugins', ...ANNOTATIONS] },
  { name: 'Plugin', schema: plugin, shape: PLUGIN, leftOut: ['ordering', 'partials', '_config', ...ANNOTATIONS] },
  { name: 'ConsumerGroup', schema: consumerGroup, shape: CONSUMER_GROUP, leftOut: ['consumers', 'plugins', ...ANNOTATIONS] },
  { name: 'Consumer', schema: consumer, shape: CONSUMER, leftOut: ['plugins', 'groups', ...CREDENTIALS, ...ANNOTATIONS] },
  { name: 'Upstream', schema: upstream, shape: UPSTREAM, leftOut: ['targets', ...ANNOTATIONS] },
  { name: 'Target', schema: target, shape: TARGET, leftOut: [...ANNOTATIONS] },
  { name: 'Certificate', schema: certificate, shape: CERTIFICATE, leftOut: [...ANNOTATIONS] },
  { name: 'Sni', schema: sni, shape: SNI, leftOut: [...ANNOTATIONS] },
  { name: 'CaCertificate', schema: caCertificate, shape: CA_CERTIFICATE, leftOut: [...ANNOTATIONS] },
]

function checkRestricted (t: Test, name: string, field: FieldSchema, values: readonly string[]): void {
  const text = field.type === 'array' || field.type === 'set' ? field.elements : field
  for (const value of values) t.same(validate(text, value, name).issues, [], `${name}: ${value} is accepted`)
  t.not(validate(text, 'gopher', name).issues.length, 0, `${name}: only the listed values are`)
}

function checkFields (t: Test, fields: Readonly<Record<string, FieldSchema>>, shape: Fields): void {
  for (const [name, entry] of Object.entries(shape)) {
    const field = fields[name]
    if (field === undefined) {
      t.fail(`${name}: not in the schema`)
      continue
    }
    if (entry.origin !== 'built') t.equal(entry.text, describe(field), `${name}: ${entry.text}`)
    if (entry.restricted !== undefined) checkRestricted(t, name, field, entry.restricted)
  }
}

for (const { name, schema, shape, leftOut } of ENTITIES) {
  t.test(`${name}: every schema field is typed as the schema produces it, or left out by name`, async (t) => {
    const unshaped = Object.keys(schema.fields).filter((field) => !Object.hasOwn(shape, field))
    t.same(unshaped.sort(), [...leftOut].sort(), 'the fields left out of the loaded entity')
    checkFields(t, schema.fields, shape)
  })
}

/** The loaded value has exactly the shape's fields, each of a type the shape allows. */
function checkLoaded (t: Test, what: string, value: object, shape: Fields): void {
  t.same(Object.keys(value).sort(), Object.keys(shape).sort(), `${what}: its fields`)
  for (const [name, entry] of Object.entries(shape) as Array<[string, Shape<unknown>]>) {
    const item = (value as Record<string, unknown>)[name]
    t.ok(entry.accepts(item), `${what}.${name}: ${JSON.stringify(item)} fits ${entry.text}`)
    if (entry.origin === 'filled') t.not(item, null, `${what}.${name}: filled by entity-records.ts`)
  }
}

const ISSUER = 'https://idp.example.com'

t.test('loaded entities fit their shapes, bare and fully set', async (t) => {
  const bare = loadConfigObject({
    _format_version: '3.0',
    services: [{ host: 'upstream.example', routes: [{ paths: ['/a'] }] }],
    consumers: [{ username: 'alice' }],
    plugins: [{ name: 'request-termination' }],
  }, SOURCE, {})
  const full = loadConfigObject({
    _format_version: '3.0',
    services: [{
      id: '6a0ad0a4-4b4b-4b4b-8b4b-4b4b4b4b4b4b',
      name: 'svc',
      url: 'https://upstream.example:8443/base',
      retries: 2,
      tls_verify: true,
      tls_verify_depth: 3,
      tags: ['a'],
      created_at: 1,
      updated_at: 2,
      routes: [{
        name: 'r',
        methods: ['GET'],
        hosts: ['a.example'],
        paths: ['/a'],
        headers: { 'X-A': ['1'] },
        protocols: ['https'],
        https_redirect_status_code: 301,
        tags: ['t'],
        plugins: [{ name: 'request-termination', instance_name: 'rt', config: { status_code: 503 }, tags: ['p'] }],
      }],
    }],
    consumers: [{ username: 'bob', custom_id: 'b-1', tags: ['c'] }],
  }, SOURCE, {})
  for (const [label, config] of [['bare', bare], ['full', full]] as const) {
    const { services, routes, plugins, consumers } = config.entities
    t.equal(services.length + routes.length + plugins.length + consumers.length, 4, `${label}: one of each`)
    for (const item of services) checkLoaded(t, `${label} service`, item, SERVICE)
    for (const item of routes) checkLoaded(t, `${label} route`, item, ROUTE)
    for (const item of plugins) checkLoaded(t, `${label} plugin`, item, PLUGIN)
    for (const item of consumers) checkLoaded(t, `${label} consumer`, item, CONSUMER)
  }
  t.not(full.entities.routes[0].service, null, 'a nested route refers to its service')
  t.not(full.entities.plugins[0].route, null, 'a nested plugin refers to its route')
})

t.test('loaded upstreams and targets fit their shapes, bare and fully set', async (t) => {
  const config = loadConfigObject({
    _format_version: '3.0',
    upstreams: [
      { name: 'bare.example', targets: [{ target: '10.0.0.1' }] },
      {
        id: '6a0ad0a4-4b4b-4b4b-8b4b-4b4b4b4b4b4c',
        name: 'full.example',
        hash_on: 'header',
        hash_on_header: 'X-A',
        hash_fallback: 'query_arg',
        hash_fallback_query_arg: 'q',
        host_header: 'h.example:8080',
        healthchecks: { active: { https_sni: 'sni.example', headers: { 'X-Probe': ['1'] } } },
        use_srv_name: true,
        tags: ['u'],
        created_at: 1,
        updated_at: 2,
      },
    ],
    targets: [{ upstream: 'full.example', target: 'a.example:81', weight: 0, tags: ['t'], created_at: 1.5, updated_at: 2.5 }],
  }, SOURCE, {})
  const { upstreams, targets } = config.entities
  t.equal(upstreams.length + targets.length, 4)
  for (const item of upstreams) checkLoaded(t, `upstream ${item.name}`, item, UPSTREAM)
  for (const item of targets) checkLoaded(t, `target ${item.target}`, item, TARGET)
})

t.test('settings fit their shapes, defaults and set', async (t) => {
  const issues: ConfigIssue[] = []
  checkLoaded(t, 'default settings', parseSettings({}, issues), SETTINGS)
  const set = parseSettings({
    proxy_listen: '0.0.0.0:9000, 127.0.0.1:9001 reuseport',
    admin_listen: 'off',
    worker_processes: '2',
    headers: 'off',
    log_level: 'debug',
    drain_timeout: '1.5',
    client_max_body_size: '1m',
    proxy_ssl_verify: 'off',
    trusted_ips: '10.0.0.0/8',
    admin_token: 'a-token-of-16-chars-or-more',
    admin_allowed_hosts: 'gw.example',
    router_flavor: 'traditional',
  }, issues)
  checkLoaded(t, 'set settings', set, SETTINGS)
  t.same(issues, [], 'both are valid')
  t.equal(set.admin_token, 'a-token-of-16-chars-or-more')
})

const PLUGIN_CONFIGS = [
  { schema: openIdConnectSchema, shape: OIDC, sample: { issuer: ISSUER, auth_methods: ['client_credentials'] } },
  { schema: requestTerminationSchema, shape: REQUEST_TERMINATION, sample: {} },
  { schema: corsSchema, shape: CORS, sample: {} },
  { schema: correlationIdSchema, shape: CORRELATION_ID, sample: {} },
  { schema: prometheusSchema, shape: PROMETHEUS, sample: {} },
  { schema: requestTransformerSchema, shape: REQUEST_TRANSFORMER, sample: {} },
  { schema: responseTransformerSchema, shape: RESPONSE_TRANSFORMER, sample: {} },
  { schema: rateLimitingSchema, shape: RATE_LIMITING, sample: { minute: 5 } },
  { schema: keyAuthSchema, shape: KEY_AUTH, sample: {} },
  { schema: jwtSchema, shape: JWT, sample: {} },
  { schema: basicAuthSchema, shape: BASIC_AUTH, sample: {} },
  { schema: aclSchema, shape: ACL, sample: { allow: ['admins'] } },
]

t.test('every bundled plugin has its config shape here', async (t) => {
  t.same(BUNDLED_PLUGINS.map((plugin) => plugin.name).sort(), PLUGIN_CONFIGS.map(({ schema }) => schema.name).sort())
})

for (const { schema: plugin, shape, sample } of PLUGIN_CONFIGS) {
  t.test(`${plugin.name}: its config types are what its schema produces`, async (t) => {
    const schema = plugin.configSchema
    if (schema.type !== 'record') throw new Error('a plugin config schema is a record')
    const fields = schema.fields
    const kept = Object.keys(fields).filter((name) => fields[name].omit !== true)
    t.same(kept.sort(), Object.keys(shape).sort(), 'every field the loaded config keeps has a shape')
    checkFields(t, fields, shape)
    const { value, issues } = validate(schema, sample, 'config')
    t.same(issues, [])
    checkLoaded(t, `${plugin.name} config`, value as object, shape)
  })
}
