// Broker mode uses entry i of each companion array for client_id[i], never Kong's fallback to entry 0:
// with client_id [svc-a, svc-b], client_secret [secret-a] and client_auth [private_key_jwt], the caller
// svc-b:secret-a used to get a token the gateway fetched for svc-b. Such a config is now refused, naming
// the short array; pass-through configs (no brokered client) keep Kong's fallback.

import t from 'tap'
import { validate } from '../../../src/config/schema/engine.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
import { basicAuth, clientBasic, oidcService, ROUTE, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'

const BASE = { issuer: 'http://127.0.0.1:9/realms/test', auth_methods: ['client_credentials'], client_credentials_param_type: ['header'] }

function issues (config: Record<string, unknown>) {
  return validate(openIdConnectSchema.configSchema, { ...BASE, ...config }, 'config').issues
}

t.test('schema: in broker mode every set companion array has an entry per client_id', async (t) => {
  const issue = issues({ client_id: ['svc-a', 'svc-b'], client_secret: ['secret-a'], client_auth: ['private_key_jwt'] })
  t.same(issue.map((i) => i.path), ['config.client_secret', 'config.client_auth'], 'the issue\'s config: both short arrays named')
  t.match(issue[0].message, /has 1 entries for 2 client_id entries: in broker mode/)

  t.same(issues({ client_id: ['a', 'b'], client_secret: ['s'], client_auth: ['client_secret_basic', 'private_key_jwt'] })
    .map((i) => i.path), ['config.client_secret'], 'a private_key_jwt entry whose secret exists only by fallback')
  t.same(issues({ client_id: ['a', 'b'], client_secret: ['s', 't'], client_auth: ['private_key_jwt', 'private_key_jwt'], client_alg: ['ES256'] })
    .map((i) => i.path), ['config.client_alg'])
  t.same(issues({ client_id: ['a', 'b'], client_secret: ['s', 't'], client_auth: ['private_key_jwt', 'client_secret_basic'] }), [],
    'full arrays: a is brokered, b is not')
  t.same(issues({ client_id: ['a', 'b'], client_secret: ['s', 't'], client_auth: ['private_key_jwt', 'private_key_jwt'] }), [])

  // pass-through (no client brokered): Kong's fallback to the first entry is kept
  t.same(issues({ client_id: ['a', 'b'], client_auth: ['private_key_jwt'] }), [], 'private_key_jwt without secrets')
  t.same(issues({ client_id: ['a', 'b'], client_secret: ['s'], client_auth: ['client_secret_post'] }), [], 'no private_key_jwt')
  t.same(issues({ client_id: ['a', 'b', 'c'], client_alg: ['HS512'] }), [])
})

t.test('the real gateway: the issue\'s config is refused on reload, and full arrays broker only entry i', async (t) => {
  const BROKER_SECRET = 'broker-only-secret'
  const stack = await startOidcStack(t, {
    services: (idp, upstream) => [oidcService('example-service', upstream.url, ROUTE, {
      issuer: idp.issuer,
      client_id: [idp.clients.jwt.client_id, idp.clients.secret.client_id],
      client_secret: [BROKER_SECRET, 'unused-for-a-pass-through-client'],
      client_auth: ['private_key_jwt', 'client_secret_basic'],
      auth_methods: ['client_credentials'],
      client_credentials_param_type: ['header']
    })]
  })
  const { idp, gateway, upstream } = stack
  await idp.setJwtClientJwksUri(`${gateway.adminUrl}/openid-connect/jwks`)

  const brokered = await stack.proxy(ROUTE, { headers: { authorization: basicAuth(idp.clients.jwt.client_id, BROKER_SECRET) } })
  t.equal(brokered.status, 200, 'client_id[0] is brokered with client_secret[0]')
  const brokerToken = upstreamBearer(brokered)

  const before = idp.tokenRequests
  const crossed = await stack.proxy(ROUTE, { headers: { authorization: basicAuth(idp.clients.secret.client_id, BROKER_SECRET) } })
  t.equal(crossed.status, 401, 'client_id[1] with client_secret[0]: the IdP refuses it, no broker vouches for it')
  t.equal(idp.tokenRequests, before + 1, 'it went to the IdP as a pass-through caller')

  const own = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(idp.clients.secret) } })
  t.equal(own.status, 200, 'client_id[1] with its own secret: Kong\'s grant')
  t.not(upstreamBearer(own), brokerToken)

  await gateway.writeConfig({
    services: [oidcService('example-service', upstream.url, ROUTE, {
      issuer: idp.issuer,
      client_id: [idp.clients.jwt.client_id, idp.clients.secret.client_id],
      client_secret: [BROKER_SECRET],
      client_auth: ['private_key_jwt'],
      auth_methods: ['client_credentials'],
      client_credentials_param_type: ['header']
    })]
  })
  const rejected = await gateway.reload()
  t.equal(rejected.event, 'reload_rejected')
  t.same((rejected.issues as Array<{ path: string }>).map((i) => i.path).sort(), [
    'services[0].plugins[0].config.client_auth',
    'services[0].plugins[0].config.client_secret'
  ], 'the JSON paths of both short arrays')
  const still = await stack.proxy(ROUTE, { headers: { authorization: basicAuth(idp.clients.jwt.client_id, BROKER_SECRET) } })
  t.equal(upstreamBearer(still), brokerToken, 'the old config keeps serving')
})
