// The openid-connect config schema: Kong's defaults, and the refusals where Tollgate does less than Kong.

import t from 'tap'
import { redact, validate } from '../../../src/config/schema/typedefs.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/schema.ts'

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
  t.match(openIdConnectSchema, { name: 'openid-connect', PRIORITY: 1050, noConsumer: true })
  t.type(openIdConnectSchema.VERSION, 'string')
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
    [{ bearer_token_param_type: ['header'] }, 'config.bearer_token_param_type', /unknown field/],
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
