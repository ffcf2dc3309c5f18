// The openid-connect config schema: Kong's defaults, the refusals where Tollgate does less than Kong, and
// Kong's other fields (a decK dump's) accepted unset or at their default and left out of the loaded config.

import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { loadConfigFile, loadConfigObject } from '../../../src/config/load.ts'
import { redact, validate, type ConfigNotice } from '../../../src/config/schema/engine.ts'
import { ConfigError } from '../../../src/core/errors.ts'
import { KONG_FIELDS, isKongRecord, type KongField, type KongLeaf, type KongValue } from '../../../src/plugins/openid-connect/config/kong-fields.ts'
import { NOT_SUPPORTED } from '../../../src/plugins/openid-connect/config/kong-fields-schema.ts'
import { KONG_AUTH_METHODS, openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
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

t.test('auth_methods: required explicitly, client_credentials, bearer and introspection only', async (t) => {
  const absent = check({ ...HOWTO, auth_methods: undefined }).issues
  t.equal(absent.length, 1)
  t.equal(absent[0].path, 'config.auth_methods')
  t.match(absent[0].message, /Kong's default enables all nine auth methods.*implements only client_credentials, bearer, introspection.*\["client_credentials"\]/)
  t.match(check({ ...HOWTO, auth_methods: [] }).issues, [{ path: 'config.auth_methods', message: /all nine/ }])
  t.same(check({ ...HOWTO, auth_methods: ['client_credentials', 'password'] }).issues,
    [{ path: 'config.auth_methods[1]', message: 'auth method \'password\' is not supported by Tollgate yet' }])
  t.match(check({ ...HOWTO, auth_methods: ['magic'] }).issues, [{ path: 'config.auth_methods[0]', message: /expected one of/ }])
  for (const methods of [['bearer'], ['introspection'], ['bearer', 'introspection'], ['client_credentials', 'bearer', 'introspection']]) {
    t.same(check({ ...HOWTO, auth_methods: methods }).issues, [], methods.join(', '))
  }
  for (const method of ['password', 'authorization_code', 'session', 'refresh_token', 'userinfo', 'kong_oauth2']) {
    t.same(check({ ...HOWTO, auth_methods: ['bearer', method] }).issues,
      [{ path: 'config.auth_methods[1]', message: `auth method '${method}' is not supported by Tollgate yet` }], method)
  }
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
    [{ bearer_token_param_type: ['header', 'form'] }, 'config.bearer_token_param_type[1]', /expected one of/],
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

// ---- bearer and introspection (issue 13): Kong's fields, types, defaults and enums ----

const CLIENT_AUTH = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']
const TOKENS = { ...HOWTO, auth_methods: ['client_credentials', 'bearer', 'introspection'] }

t.test('bearer, introspection, consumer mapping and claim headers get Kong\'s defaults', async (t) => {
  const { value, issues } = check(TOKENS)
  t.same(issues, [])
  t.strictSame(Object.fromEntries(Object.entries(value).filter(([name]) => name in KONG_DEFAULTS_13)), KONG_DEFAULTS_13)
})

/** kong/plugins/openid-connect/schema.lua (3.14-era additions per kong-fields.ts): what an unset field becomes */
const KONG_DEFAULTS_13: Record<string, unknown> = {
  bearer_token_param_type: ['header', 'query', 'body'],
  bearer_token_cookie_name: null,
  bearer_token_header_name: null,
  audience_required: null,
  audience_claim: ['aud'],
  scopes_required: null,
  scopes_claim: ['scope'],
  groups_required: null,
  groups_claim: ['groups'],
  roles_required: null,
  roles_claim: ['roles'],
  introspection_endpoint: null,
  introspection_endpoint_auth_method: null,
  introspection_hint: 'access_token',
  introspection_check_active: true,
  introspection_accept: 'application/json',
  introspection_token_param_name: 'token',
  introspection_post_args_names: null,
  introspection_post_args_values: null,
  introspection_post_args_client: null,
  introspection_post_args_client_headers: null,
  introspection_headers_names: null,
  introspection_headers_values: null,
  introspection_headers_client: null,
  introspect_jwt_tokens: false,
  cache_introspection: true,
  consumer_claims: null,
  consumer_by: ['username', 'custom_id'],
  consumer_optional: false,
  by_username_ignore_case: false,
  anonymous: null,
  credential_claim: ['sub'],
  upstream_headers_claims: null,
  upstream_headers_names: null,
  downstream_headers_claims: null,
  downstream_headers_names: null,
  upstream_introspection_header: null,
  downstream_introspection_header: null
}

t.test('every implemented field takes Kong\'s default as kong-fields.ts lists it, and null where Kong has no default', async (t) => {
  const fields = KONG_FIELDS.filter((field): field is KongLeaf => IMPLEMENTED.has(field.name) && !isKongRecord(field))
  t.ok(fields.length > 70, `${fields.length} implemented fields`)
  for (const { name, default: fallback } of fields) {
    if (name === 'auth_methods' || name === 'issuer') continue
    if (fallback !== null) t.same(check({ ...TOKENS, [name]: fallback }).issues, [], `${name}: ${JSON.stringify(fallback)}`)
    // client_id: null leaves HOWTO's client_auth entry without its client
    else if (name !== 'client_id') t.same(check({ ...TOKENS, [name]: null }).issues, [], `${name}: null`)
  }
  t.same(check({ ...TOKENS, auth_methods: KONG_AUTH_METHODS }).issues.length, 6, 'auth_methods at Kong\'s default: six unsupported')
})

t.test('Kong\'s enum values are accepted', async (t) => {
  const cases: Array<[string, readonly unknown[]]> = [
    ['bearer_token_param_type', [['header'], ['query'], ['body'], ['header', 'cookie', 'query', 'body']]],
    ['introspection_accept', ['application/json']],
    ['introspection_endpoint_auth_method', CLIENT_AUTH],
    ['consumer_by', [['id'], ['username'], ['custom_id'], ['id', 'username', 'custom_id']]],
    ['introspection_check_active', [false]],
    ['introspect_jwt_tokens', [true]],
    ['cache_introspection', [false]],
    ['consumer_optional', [true]],
    ['by_username_ignore_case', [true]]
  ]
  for (const [name, values] of cases) {
    for (const value of values) {
      const { value: loaded, issues } = check({ ...TOKENS, bearer_token_cookie_name: 'at', [name]: value })
      t.same(issues, [], `${name}: ${JSON.stringify(value)}`)
      t.same(loaded[name], value)
    }
  }
})

t.test('bad values name the JSON path and the rule', async (t) => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ bearer_token_param_type: ['header', 'form'] }, 'config.bearer_token_param_type[1]', /expected one of: header, cookie, query, body/],
    [{ bearer_token_param_type: 'header' }, 'config.bearer_token_param_type', /expected an array/],
    [{ bearer_token_cookie_name: '' }, 'config.bearer_token_cookie_name', /length must be at least 1/],
    [{ bearer_token_header_name: 'x token' }, 'config.bearer_token_header_name', /header name/],
    [{ audience_required: 'api' }, 'config.audience_required', /expected an array/],
    [{ audience_claim: [] }, 'config.audience_claim', /length must be at least 1/],
    [{ scopes_claim: ['scope', 1] }, 'config.scopes_claim[1]', /expected a string/],
    [{ groups_claim: 'groups' }, 'config.groups_claim', /expected an array/],
    [{ roles_required: [true] }, 'config.roles_required[0]', /expected a string/],
    [{ introspection_endpoint: 'idp/introspect' }, 'config.introspection_endpoint', /invalid url/],
    [{ introspection_endpoint_auth_method: 'tls_client_auth' }, 'config.introspection_endpoint_auth_method', /expected one of/],
    [{ introspection_hint: 7 }, 'config.introspection_hint', /expected a string/],
    [{ introspection_check_active: 'yes' }, 'config.introspection_check_active', /expected a boolean/],
    [{ introspection_accept: 'text/plain' }, 'config.introspection_accept', /expected one of: application\/json/],
    // Kong's two JWT answer forms (RFC 9701) are refused, not accepted and then failed on every request
    [{ introspection_accept: 'application/token-introspection+jwt' }, 'config.introspection_accept', /not supported by Tollgate yet/],
    [{ introspection_accept: 'application/jwt' }, 'config.introspection_accept', /not supported by Tollgate yet/],
    [{ introspection_token_param_name: '' }, 'config.introspection_token_param_name', /length must be at least 1/],
    [{ introspection_headers_names: ['bad header'] }, 'config.introspection_headers_names[0]', /header name/],
    [{ introspection_headers_client: ['x:y'] }, 'config.introspection_headers_client[0]', /header name/],
    [{ introspection_post_args_client_headers: ['a b'] }, 'config.introspection_post_args_client_headers[0]', /header name/],
    [{ introspect_jwt_tokens: 1 }, 'config.introspect_jwt_tokens', /expected a boolean/],
    [{ consumer_by: ['email'] }, 'config.consumer_by[0]', /expected one of: id, username, custom_id/],
    [{ consumer_claims: ['sub'] }, 'config.consumer_claims[0]', /expected an array/],
    [{ consumer_claims: [[]] }, 'config.consumer_claims[0]', /length must be at least 1/],
    [{ consumer_optional: 'no' }, 'config.consumer_optional', /expected a boolean/],
    [{ anonymous: '' }, 'config.anonymous', /length must be at least 1/],
    [{ credential_claim: 'sub' }, 'config.credential_claim', /expected an array/],
    [{ upstream_headers_names: ['x-user', 'bad header'], upstream_headers_claims: ['sub', 'email'] }, 'config.upstream_headers_names[1]', /header name/],
    [{ downstream_headers_names: [''], downstream_headers_claims: ['sub'] }, 'config.downstream_headers_names[0]', /length must be at least 1/],
    [{ upstream_introspection_header: 'x introspection' }, 'config.upstream_introspection_header', /header name/],
    [{ downstream_introspection_header: ['x-i'] }, 'config.downstream_introspection_header', /expected a string/]
  ]
  for (const [patch, path, message] of cases) {
    t.match(check({ ...TOKENS, ...patch }).issues, [{ path, message }], path)
  }
})

t.test('parallel arrays of introspection and claim headers must match in length', async (t) => {
  const pairs: Array<[string, string, unknown[]]> = [
    ['introspection_post_args_names', 'introspection_post_args_values', ['resource']],
    ['introspection_headers_names', 'introspection_headers_values', ['x-api-key']],
    ['upstream_headers_claims', 'upstream_headers_names', ['sub']],
    ['downstream_headers_claims', 'downstream_headers_names', ['sub']]
  ]
  for (const [first, second, entries] of pairs) {
    t.same(check({ ...TOKENS, [first]: entries }).issues,
      [{ path: `config.${second}`, message: `must have as many entries as ${first} (1), has 0` }], `${first} without ${second}`)
    t.same(check({ ...TOKENS, [first]: entries, [second]: ['a', 'b'] }).issues,
      [{ path: `config.${second}`, message: `must have as many entries as ${first} (1), has 2` }], `${second} longer`)
    const second1 = second.endsWith('names') ? ['x-one'] : ['one']
    t.same(check({ ...TOKENS, [first]: entries, [second]: second1 }).issues, [], `${first} and ${second} in step`)
  }
})

t.test('a cookie location needs bearer_token_cookie_name', async (t) => {
  t.same(check({ ...TOKENS, bearer_token_param_type: ['cookie'] }).issues,
    [{ path: 'config.bearer_token_cookie_name', message: 'required when bearer_token_param_type includes cookie' }])
  t.same(check({ ...TOKENS, bearer_token_param_type: ['cookie'], bearer_token_cookie_name: 'access_token' }).issues, [])
  t.same(check({ ...TOKENS, bearer_token_cookie_name: 'access_token' }).issues, [], 'a name without the location is harmless')
})

t.test('consumer_claim (before Kong 3.14) becomes consumer_claims, announced as deprecated', async (t) => {
  const NOTICE = 'openid-connect: config.consumer_claim is deprecated, please use config.consumer_claims instead'
  const run = (input: Record<string, unknown>) => {
    const notices: ConfigNotice[] = []
    const { value, issues } = validate(schema, { ...TOKENS, ...input }, 'config', notices)
    return { value: value as Record<string, unknown>, issues, notices: notices.map((notice) => notice.message) }
  }
  const nested = run({ consumer_claim: ['realm_access', 'username'] })
  t.same(nested.issues, [])
  t.same(nested.value.consumer_claims, [['realm_access', 'username']])
  t.notOk('consumer_claim' in nested.value, 'not a field of the loaded config')
  t.same(nested.notices, [NOTICE])
  t.same(run({ consumer_claim: ['sub'], consumer_claims: [['sub']] }).issues, [], 'both, the same')
  t.same(run({ consumer_claim: ['sub'], consumer_claims: [['email']] }).issues, [{
    path: 'config.consumer_claim',
    message: 'both deprecated and new field are used but their values mismatch: consumer_claim = ["sub"] vs consumer_claims = ["email"]'
  }])
  t.match(run({ consumer_claim: ['sub'], consumer_claims: [['sub'], ['email']] }).issues, [{ path: 'config.consumer_claim', message: /mismatch/ }])
  const unset = run({ consumer_claim: null, consumer_claims: null })
  t.same([unset.issues, unset.notices, unset.value.consumer_claims], [[], [], null], 'a dump\'s nulls: nothing, no notice')
  t.same(run({ consumer_claim: [] }).value.consumer_claims, null, 'an empty claim path is unset')
  t.match(run({ consumer_claim: 'sub' }).issues, [{ path: 'config.consumer_claim', message: 'expected an array' }])
})

t.test('a config with all three auth methods and every new field set loads', async (t) => {
  const config = {
    ...TOKENS,
    bearer_token_param_type: ['header', 'cookie'],
    bearer_token_cookie_name: 'access_token',
    bearer_token_header_name: 'X-Access-Token',
    audience_required: ['api://orders'],
    scopes_required: ['orders:read orders:write', 'admin'],
    scopes_claim: ['scp'],
    groups_required: ['staff'],
    roles_required: ['reader'],
    roles_claim: ['realm_access', 'roles'],
    introspection_endpoint: 'http://keycloak:8080/realms/master/protocol/openid-connect/token/introspect',
    introspection_endpoint_auth_method: 'client_secret_post',
    introspection_hint: 'requesting_party_token',
    introspection_token_param_name: 'access_token',
    introspection_post_args_names: ['resource'],
    introspection_post_args_values: ['post-arg-secret'],
    introspection_post_args_client: ['tenant'],
    introspection_post_args_client_headers: ['X-Tenant'],
    introspection_headers_names: ['X-Api-Key'],
    introspection_headers_values: ['header-secret'],
    introspection_headers_client: ['X-Request-Id'],
    introspect_jwt_tokens: true,
    cache_introspection: false,
    consumer_claims: [['preferred_username'], ['client_id']],
    consumer_by: ['username'],
    consumer_optional: true,
    by_username_ignore_case: true,
    anonymous: 'anonymous',
    credential_claim: ['azp'],
    upstream_headers_claims: ['sub', 'email'],
    upstream_headers_names: ['X-User', 'X-Email'],
    downstream_headers_claims: ['sub'],
    downstream_headers_names: ['X-User'],
    upstream_introspection_header: 'X-Introspection',
    downstream_introspection_header: 'X-Introspection'
  }
  const loaded = loadConfigObject({
    _format_version: '3.0',
    consumers: [{ username: 'anonymous' }],
    services: [{ name: 's', url: 'http://upstream.example', plugins: [{ name: 'openid-connect', config }] }]
  }, 'tokens.json', {})
  t.match(loaded.entities.plugins[0].config, config)
  const shown = JSON.stringify(redact(schema, loaded.entities.plugins[0].config))
  for (const secret of ['post-arg-secret', 'header-secret']) t.notOk(shown.includes(secret), `${secret} redacted`)
  t.ok(shown.includes('X-Api-Key'), 'the names stay visible')
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
  t.ok(KONG_ONLY.length > 150, `${KONG_ONLY.length} Kong-only fields`)
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
    password_param_type: ['header', 'query', 'body'],
    logout_methods: ['POST', 'DELETE'],
    id_token_param_type: ['header', 'query', 'body']
  }
  const { value, issues } = check({ ...HOWTO, ...kongOrder, redis: null, token_exchange: { cache: null } })
  t.same(issues, [])
  for (const name of ['password_param_type', 'logout_methods', 'id_token_param_type', 'redis', 'token_exchange', 'session_secret']) {
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
    t.match(message, 'services[0].plugins[0].config.session_secret: not supported by Tollgate yet (the auth methods implemented are client_credentials, bearer and introspection)')
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
