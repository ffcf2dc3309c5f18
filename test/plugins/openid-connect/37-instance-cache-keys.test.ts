// Plugin instances do not share tokens unless they agree on everything that decides the token. Without
// cache_tokens_salt, two instances on one issuer shared keys whatever their scopes: a token fetched with
// scope `openid api` on one route was forwarded on a route configured with scope `openid`. As in Kong
// (cache_tokens_salt is `auto` in kong/plugins/openid-connect/schema.lua), each instance now has its own
// salt (its stable plugin id), and the key carries a fingerprint of the instance's token-relevant fields.

import t from 'tap'
import { createHash } from 'node:crypto'
import { createCacheKeyParts, instanceFingerprint, tokenCacheKey } from '../../../src/plugins/openid-connect/worker/cache-key.ts'
import { validate } from '../../../src/config/schema/engine.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
import { startIdp } from '../../helpers/idp.ts'
import { clientBasic, howToConfig, jwtClaims, oidcService, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'

const ISSUER = 'http://127.0.0.1:9999'
const PLUGIN_A = '6f1c3a52-8e0b-5d47-9a1f-0b6c2e4d8a11'
const PLUGIN_B = '0a9e7c24-3b5d-5f18-8c2a-7d4e1f6b9c33'

function loaded (patch: Record<string, unknown> = {}): Record<string, unknown> {
  const { value, issues } = validate(openIdConnectSchema.configSchema, {
    issuer: ISSUER, auth_methods: ['client_credentials'], client_id: ['kong'], client_auth: ['private_key_jwt'], ...patch
  }, 'config')
  if (issues.length > 0) throw new Error(JSON.stringify(issues))
  return value as Record<string, unknown>
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const key = (config: Record<string, unknown>, plugin: string | null = PLUGIN_A, broker: string | null = null): string =>
  hex(tokenCacheKey(createCacheKeyParts(config, ISSUER, plugin), 'id', 'secret', broker))

t.test('the material: the plugin id as the default salt, then the instance fingerprint', async (t) => {
  const config = loaded()
  const expected = createHash('sha256')
    .update(`${ISSUER}#grant_type=client_credentials&id&secret&${PLUGIN_A}&${instanceFingerprint(config)}`).digest('hex')
  t.equal(key(config), expected)
  t.match(instanceFingerprint(config), /^[\w-]{43}$/)
  const salted = loaded({ cache_tokens_salt: 'shared-salt' })
  t.equal(key(salted), createHash('sha256')
    .update(`${ISSUER}#grant_type=client_credentials&id&secret&shared-salt&${instanceFingerprint(salted)}`).digest('hex'), 'a set salt wins')
  t.equal(key(config, null), createHash('sha256').update(`${ISSUER}#grant_type=client_credentials&id&secret`).digest('hex'),
    'no instance: Kong\'s material exactly')
})

t.test('instances: their own salt by default; a shared salt shares only with the same token config', async (t) => {
  const base = loaded()
  t.not(key(base, PLUGIN_A), key(base, PLUGIN_B), 'no salt: two instances never share')
  t.equal(key(base, PLUGIN_A), key(loaded(), PLUGIN_A), 'the same instance, reloaded: the same key')
  const salted = loaded({ cache_tokens_salt: 'shared' })
  t.equal(key(salted, PLUGIN_A), key(salted, PLUGIN_B), 'one salt, one token config: shared, as Kong')

  const changes: Array<[string, Record<string, unknown>]> = [
    ['scopes', { scopes: ['openid', 'admin'] }],
    ['token_endpoint', { token_endpoint: 'http://127.0.0.1:9999/other-token' }],
    ['token_post_args values', { token_post_args_names: ['audience'], token_post_args_values: ['b'] }],
    ['token_headers values', { token_headers_names: ['x-tenant'], token_headers_values: ['b'] }],
    ['token_endpoint_auth_method', { token_endpoint_auth_method: 'client_secret_jwt' }],
    ['client_alg[0] (the pass-through client_secret_jwt alg)', { client_alg: ['HS512'] }],
    ['issuers_allowed', { issuers_allowed: ['http://elsewhere'] }],
    ['cache_ttl_max', { cache_ttl_max: 60 }],
    ['verify_signature', { verify_signature: false }]
  ]
  const withArgs = loaded({ cache_tokens_salt: 'shared', token_post_args_names: ['audience'], token_post_args_values: ['a'] })
  const withHeaders = loaded({ cache_tokens_salt: 'shared', token_headers_names: ['x-tenant'], token_headers_values: ['a'] })
  for (const [name, patch] of changes) {
    const changed = loaded({ cache_tokens_salt: 'shared', ...patch })
    const reference = 'token_post_args_names' in patch ? withArgs : 'token_headers_names' in patch ? withHeaders : salted
    t.not(key(changed, PLUGIN_B), key(reference, PLUGIN_A), `${name}: not shared`)
  }
  const answerOnly: Array<[string, Record<string, unknown>]> = [
    ['hide_credentials', { hide_credentials: true }],
    ['display_errors', { display_errors: true }],
    ['upstream_access_token_header', { upstream_access_token_header: 'x-token' }],
    ['client_credentials_param_type', { client_credentials_param_type: ['query'] }],
    ['timeout', { timeout: 5000 }],
    ['another client', { client_id: ['kong', 'other'], client_auth: ['private_key_jwt', 'private_key_jwt'] }]
  ]
  for (const [name, patch] of answerOnly) t.equal(key(loaded(patch)), key(base), `${name}: the same tokens`)
  const reordered = Object.fromEntries(Object.entries(base).reverse())
  t.equal(key(reordered), key(base), 'field order does not matter')
  t.not(key(base, PLUGIN_A, 'private_key_jwt:RS256:gateway'), key(base), 'a broker client has its own key')
  t.not(key(base, PLUGIN_A, 'private_key_jwt:RS256:gateway'), key(base, PLUGIN_A, 'private_key_jwt:ES256:gateway'))
})

t.test('the real gateway: two routes with different scopes never get each other\'s token', async (t) => {
  const idp = await startIdp({ accessTokenFormat: 'jwt' })
  t.teardown(() => idp.close())
  const stack = await startOidcStack(t, {
    idp,
    services: (idp, upstream) => [
      oidcService('admin', upstream.url, '/admin', { ...howToConfig(idp), scopes: ['openid', 'api'] }),
      oidcService('read', upstream.url, '/read', { ...howToConfig(idp), scopes: ['openid'] })
    ]
  })
  const authorization = clientBasic(idp.clients.secret)
  const admin = await stack.proxy('/admin', { headers: { authorization } })
  t.equal(admin.status, 200)
  const adminToken = upstreamBearer(admin)!
  t.equal(jwtClaims(adminToken).scope, 'openid api')

  const read = await stack.proxy('/read', { headers: { authorization } })
  t.equal(read.status, 200)
  const readToken = upstreamBearer(read)!
  t.not(readToken, adminToken, 'the read route did not get the admin route\'s token')
  t.equal(jwtClaims(readToken).scope, 'openid', 'it got one with its own scope')
  t.equal(idp.tokenRequests, 2)

  t.equal(upstreamBearer(await stack.proxy('/admin', { headers: { authorization } })), adminToken, 'each keeps its own cached token')
  t.equal(upstreamBearer(await stack.proxy('/read', { headers: { authorization } })), readToken)
  t.equal(idp.tokenRequests, 2)
})
