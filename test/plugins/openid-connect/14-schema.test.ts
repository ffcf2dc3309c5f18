// The openid-connect config schema: Kong's defaults, the refusals where Tollgate does less than Kong, and
// Kong's other fields (a decK dump's) accepted unset or at their default and left out of the loaded config.

import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { loadConfigFile, loadConfigObject } from '../../../src/config/load.ts'
import { redact, validate } from '../../../src/config/schema/engine.ts'
import { ConfigError } from '../../../src/core/errors.ts'
import { KONG_FIELDS, isKongRecord, type KongField, type KongLeaf, type KongValue } from '../../../src/plugins/openid-connect/config/kong-fields.ts'
import { NOT_SUPPORTED } from '../../../src/plugins/openid-connect/config/kong-fields-schema.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
import { openIdConnect } from '../../../src/plugins/openid-connect/index.ts'

const schema = openIdConnectSchema.configSchema
const HOWTO = {
  issuer: 'http://keycloak:8080/realms/master',
  client_id: ['kong'],
  client_auth: ['private_key_jwt'],
  auth_methods: ['client_credentials'],
  client_credentials_param_type: ['header']
}

function check (input: Record<string, unknown>) {
  const { value, issues } = validate(schema, input, 'config')
  return { value: value as Record<string, unknown>, issues }
}

t.test('plugin identity', async (t) => {
  t.match(openIdConnect, { name: 'openid-connect', PRIORITY: 1050, schema: openIdConnectSchema })
  t.match(openIdConnectSchema, { name: 'openid-connect', noConsumer: true })
  t.type(openIdConnect.VERSION, 'string')
})

t.test('the how-to config is valid and gets Kong\'s defaults', async (t) => {
  const { value, issues } = check(HOWTO)
  t.same(issues, [])
  t.match(value, {
    ...HOWTO,
    rediscovery_lifetime: 30,
    scopes: ['openid'],
    cache_tokens: true,
    cache_tokens_salt: null,
    token_cache_key_include_scope: false,
    cache_ttl: 3600,
    cache_ttl_min: null,
    cache_ttl_max: null,
    cache_ttl_neg: null,
    cache_ttl_resurrect: null,
    upstream_access_token_header: 'authorization:bearer',
    hide_credentials: false,
    leeway: 0,
    verify_signature: true,
    verify_claims: true,
    enable_hs_signatures: false,
    ignore_signature: [],
    timeout: 10000,
    keepalive: true,
    ssl_verify: true,
    display_errors: false,
    expose_error_code: true,
    unauthorized_error_message: 'Unauthorized',
    forbidden_error_message: 'Forbidden',
    run_on_preflight: true,
    token_endpoint: null,
    token_endpoint_auth_method: null
  })
  t.same(check({ ...HOWTO, client_credentials_param_type: undefined }).value.client_credentials_param_type,
    ['header', 'query', 'body'], 'all three locations by default')
})

t.test('auth_methods: required explicitly, client_credentials only', async (t) => {
  const absent = check({ ...HOWTO, auth_methods: undefined }).issues
  t.equal(absent.length, 1)
  t.equal(absent[0].path, 'config.auth_methods')
  t.match(absent[0].message, /Kong's default enables all nine auth methods.*\["client_credentials"\]/)
  t.match(check({ ...HOWTO, auth_methods: [] }).issues, [{ path: 'config.auth_methods', message: /all nine/ }])
  t.same(check({ ...HOWTO, auth_methods: ['client_credentials', 'password'] }).issues,
    [{ path: 'config.auth_methods[1]', message: 'auth method \'password\' is not supported by Tollgate yet' }])
  t.match(check({ ...HOWTO, auth_methods: ['magic'] }).issues, [{ path: 'config.auth_methods[0]', message: /expected one of/ }])
})

t.test('field errors name the path and the rule', async (t) => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ issuer: undefined }, 'config.issuer', /required field missing/],
    [{ issuer: 'keycloak/realms/x' }, 'config.issuer', /invalid url/],
    [{ token_endpoint: 'ftp://x/token' }, 'config.token_endpoint', /invalid url/],
    [{ client_auth: ['tls_client_auth'] }, 'config.client_auth[0]', /expected one of/],
    [{ client_alg: ['RS1'] }, 'config.client_alg[0]', /expected one of/],
    [{ token_endpoint_auth_method: 'magic' }, 'config.token_endpoint_auth_method', /expected one of/],
    [{ client_credentials_param_type: ['cookie'] }, 'config.client_credentials_param_type[0]', /expected one of/],
    [{ cache_ttl: -1 }, 'config.cache_ttl', /between/],
    [{ timeout: 0 }, 'config.timeout', /greater than 0/],
    [{ upstream_access_token_header: 'authorization:mac' }, 'config.upstream_access_token_header', /header name/],
    [{ token_headers_names: ['bad header'] }, 'config.token_headers_names[0]', /header name/],
    [{ ignore_signature: ['nope'] }, 'config.ignore_signature[0]', /expected one of/],
    [{ bearer_token_param_type: ['header'] }, 'config.bearer_token_param_type', /not supported by Tollgate yet/],
    [{ bearer_token_params: ['header'] }, 'config.bearer_token_params', /unknown field/],
    [{ verify_signature: 'yes' }, 'config.verify_signature', /expected a boolean/]
  ]
  for (const [patch, path, message] of cases) {
    t.match(check({ ...HOWTO, ...patch }).issues, [{ path, message }], path)
  }
})

t.test('parallel arrays and ranges', async (t) => {
  t.same(check({ ...HOWTO, token_post_args_names: ['audience'], token_post_args_values: [] }).issues,
    [{ path: 'config.token_post_args_values', message: 'must have as many entries as token_post_args_names (1), has 0' }])
  t.same(check({ ...HOWTO, token_headers_names: ['x-a', 'x-b'], token_headers_values: ['1'] }).issues,
    [{ path: 'config.token_headers_values', message: 'must have as many entries as token_headers_names (2), has 1' }])
  t.same(check({ ...HOWTO, client_secret: ['a', 'b'] }).issues,
    [{ path: 'config.client_secret', message: 'has more entries than client_id (1)' }])
  t.same(check({ ...HOWTO, client_id: undefined }).issues,
    [{ path: 'config.client_auth', message: 'has more entries than client_id (0)' }])
  t.same(check({ ...HOWTO, cache_ttl_min: 100, cache_ttl_max: 50 }).issues,
    [{ path: 'config.cache_ttl_min', message: 'must not be greater than cache_ttl_max' }])
  t.same(check({ ...HOWTO, token_post_args_names: ['audience'], token_post_args_values: ['api'], cache_ttl_min: 5, cache_ttl_max: 50 }).issues, [])
})

t.test('client_jwk entries must be usable JWKs', async (t) => {
  const rsa = { kty: 'RSA', n: 'n', e: 'AQAB', d: 'private', kid: 'k1', alg: 'RS256' }
  t.same(check({ ...HOWTO, client_jwk: [rsa] }).issues, [])
  t.same(check({ ...HOWTO, client_jwk: [{ ...rsa, n: undefined }] }).issues,
    [{ path: 'config.client_jwk[0].n', message: 'a key of kty RSA needs \'n\'' }])
  t.same(check({ ...HOWTO, client_jwk: [{ kid: 'x' }] }).issues, [{ path: 'config.client_jwk[0].kty', message: 'required field missing' }])
  t.match(check({ ...HOWTO, client_jwk: [{ kty: 'XYZ' }] }).issues, [{ path: 'config.client_jwk[0].kty', message: /expected one of/ }])
  t.match(check({ ...HOWTO, client_jwk: [{ kty: 'EC', crv: 'P-256', x: 'x' }] }).issues, [{ path: 'config.client_jwk[0].y' }])
  t.match(check({ ...HOWTO, client_jwk: [{ ...rsa, extra: 1 }] }).issues, [{ path: 'config.client_jwk[0].extra', message: 'unknown field' }])
})

t.test('secrets are redacted', async (t) => {
  const { value } = check({
    ...HOWTO,
    client_secret: ['s3cret'],
    cache_tokens_salt: 'salty',
    client_jwk: [{ kty: 'RSA', n: 'modulus', e: 'AQAB', d: 'private-d', p: 'private-p', kid: 'k1' }]
  })
  const redacted = JSON.stringify(redact(schema, value))
  for (const secret of ['s3cret', 'salty', 'private-d', 'private-p']) t.notOk(redacted.includes(secret), secret)
  for (const visible of ['modulus', 'k1', 'kong']) t.ok(redacted.includes(visible), visible)
})

// ---- Kong's other fields: a decK dump lists all of them, so they load when unset or at Kong's default ----

const DUMP = new URL('../../fixtures/config/deck-oidc-dump.json', import.meta.url).pathname
const BIN = new URL('../../../bin/tollgate.js', import.meta.url).pathname
const IMPLEMENTED = new Set(Object.keys(check(HOWTO).value))
const KONG_ONLY = KONG_FIELDS.filter((field) => !IMPLEMENTED.has(field.name))

/** A value Kong's default is not, of a plausible type. */
function otherThan (field: KongLeaf): unknown {
  const fallback = field.default
  if (typeof fallback === 'boolean') return !fallback
  if (typeof fallback === 'number') return fallback + 1
  if (typeof fallback === 'string') return `${fallback}-other`
  if (Array.isArray(fallback)) return [...fallback, 'other']
  return field.array === true ? ['other'] : 'other'
}

/** Every leaf of a Kong field, with its path below the field and a patch that sets only that leaf. */
function leaves (field: KongField, path: string[] = []): Array<{ leaf: KongLeaf, path: string[], patch: (value: unknown) => unknown }> {
  const at = [...path, field.name]
  if (!isKongRecord(field)) {
    return [{ leaf: field, path: at, patch: (value) => value }]
  }
  return field.fields.flatMap((member) => leaves(member, at).map((entry) => ({
    ...entry,
    patch: (value: unknown) => ({ [entry.path[at.length]]: entry.patch(value) })
  })))
}

function dump (): { services: Array<{ plugins: Array<{ config: Record<string, unknown> }> }> } {
  return JSON.parse(readFileSync(DUMP, 'utf8'))
}

t.test('the field list: every implemented field is a Kong field, the rest is Kong-only', async (t) => {
  const names = new Set(KONG_FIELDS.map((field) => field.name))
  t.equal(names.size, KONG_FIELDS.length, 'no name twice')
  for (const name of IMPLEMENTED) t.ok(names.has(name), `${name} is one of Kong's fields`)
  t.ok(KONG_ONLY.length > 180, `${KONG_ONLY.length} Kong-only fields`)
  t.ok(KONG_ONLY.some((field) => field.name === 'session_secret') && KONG_ONLY.some((field) => field.name === 'redis'))
})

t.test('the decK dump fixture loads as is, and Kong-only fields stay out of the loaded config', async (t) => {
  const loaded = await loadConfigFile(DUMP, {})
  const config = loaded.entities.plugins[0].config
  t.match(config, {
    issuer: 'http://keycloak:8080/realms/master',
    client_id: ['kong'],
    client_auth: ['private_key_jwt'],
    auth_methods: ['client_credentials'],
    client_credentials_param_type: ['header'],
    cache_tokens_salt: 'N8fQ2bXk4vR7tL1wZ9cH3mP6sJ0dY5eA',
    scopes: ['openid']
  })
  t.same(Object.keys(config).sort(), [...IMPLEMENTED].sort(), 'only the implemented fields')

  const minimal = dump()
  const plugin = minimal.services[0].plugins[0]
  for (const field of KONG_ONLY) delete plugin.config[field.name]
  t.equal(loadConfigObject(minimal, 'minimal', {}).hash, loaded.hash, 'same hash as the dump without Kong-only fields')
})

t.test('tollgate check accepts the decK dump', async (t) => {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'check', '--config', DUMP])
  t.match(stdout, /configuration is valid/)
})

t.test('a Kong-only field set away from its default is an error naming it; unset or default is fine', async (t) => {
  for (const field of KONG_ONLY) {
    for (const { leaf, path, patch } of leaves(field)) {
      const at = `config.${path.join('.')}`
      const set = (value: unknown) => check({ ...HOWTO, [field.name]: patch(value) })
      const other = otherThan(leaf)
      // a default of another Kong version (redis.ssl_verify) is accepted too
      if (leaf.also?.includes(other as KongValue) === true) t.same(set(other).issues, [], `${at}: another version's default`)
      else t.same(set(other).issues, [{ path: at, message: NOT_SUPPORTED }], at)
      t.same(set(null).issues, [], `${at}: null`)
      if (leaf.default !== null) t.same(set(leaf.default).issues, [], `${at}: default`)
      if (leaf.array === true || Array.isArray(leaf.default)) t.same(set([]).issues, [], `${at}: []`)
    }
  }
})

t.test('Kong-only fields: Kong\'s own array order, whole records, and the load error', async (t) => {
  const kongOrder = {
    bearer_token_param_type: ['header', 'query', 'body'],
    logout_methods: ['POST', 'DELETE'],
    consumer_by: ['username', 'custom_id']
  }
  const { value, issues } = check({ ...HOWTO, ...kongOrder, redis: null, token_exchange: { cache: null } })
  t.same(issues, [])
  for (const name of ['bearer_token_param_type', 'logout_methods', 'consumer_by', 'redis', 'token_exchange', 'session_secret']) {
    t.notOk(name in value, `${name} left out`)
  }
  t.match(check({ ...HOWTO, redis: 'localhost' }).issues, [{ path: 'config.redis', message: 'expected a record' }])
  t.match(check({ ...HOWTO, logout_methods: ['POST', 'POST'] }).issues, [{ path: 'config.logout_methods', message: NOT_SUPPORTED }])

  const bad = dump()
  Object.assign(bad.services[0].plugins[0].config, { session_secret: 'do-not-print', login_action: 'redirect' })
  try {
    loadConfigObject(bad, 'dump.json', {})
    t.fail('expected a ConfigError')
  } catch (err) {
    t.type(err, ConfigError)
    const { issues, message } = err as ConfigError
    t.same(issues.map((issue) => issue.path).sort(), [
      'services[0].plugins[0].config.login_action', 'services[0].plugins[0].config.session_secret'
    ])
    t.match(message, 'services[0].plugins[0].config.session_secret: not supported by Tollgate yet (only the client credentials grant is implemented)')
    t.notOk(message.includes('do-not-print'))
  }
})

t.test('unknown fields stay unknown, at the top and inside Kong\'s records', async (t) => {
  t.same(check({ ...HOWTO, tollgate_magic: 1 }).issues, [{ path: 'config.tollgate_magic', message: 'unknown field' }])
  t.same(check({ ...HOWTO, redis: { hots: 'x' } }).issues, [{ path: 'config.redis.hots', message: 'unknown field' }])
  t.same(check({ ...HOWTO, token_exchange: { cache: { enable: true } } }).issues,
    [{ path: 'config.token_exchange.cache.enable', message: 'unknown field' }])
})

t.test('Kong-only secrets are redacted when a posted config is shown back', async (t) => {
  const posted = {
    ...HOWTO,
    session_secret: 'sess-secret',
    introspection_headers_values: ['hdr-secret'],
    redis: { password: 'redis-pass', cloud_authentication: { aws_secret_access_key: 'aws-secret' }, host: 'redis.local' }
  }
  const shown = JSON.stringify(redact(schema, posted))
  for (const secret of ['sess-secret', 'hdr-secret', 'redis-pass', 'aws-secret']) t.notOk(shown.includes(secret), secret)
  t.ok(shown.includes('redis.local'))
})
