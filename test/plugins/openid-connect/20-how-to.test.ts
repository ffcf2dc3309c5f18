// Kong's how-to "Configure OpenID Connect with the client credentials grant", step for step (issue 4), on
// the plugin config: client_id of the IdP's private_key_jwt client, client_auth private_key_jwt,
// no client_secret. As in Kong, the caller's own id and secret then buy the token (client_secret_basic).

import t from 'tap'
import { assertKongUnauthorized, clientBasic, echoed, howToConfig, ROUTE, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'
import type { IssuerListing } from '../../helpers/oidc-stack.ts'

t.test('the three seed steps of the how-to', async (t) => {
  const stack = await startOidcStack(t)
  const { idp, gateway } = stack

  // The config says private_key_jwt without a secret: said once at load, and the grant works as Kong's.
  const notice = await gateway.waitForLog((line) => line.event === 'oidc_private_key_jwt_not_brokered')
  t.equal(notice.client_index, 0)
  t.equal(gateway.logs.filter((line) => line.event === 'oidc_private_key_jwt_not_brokered').length, 1, 'logged once')

  await t.test('1. Admin GET /openid-connect/issuers: the discovery document and the keys', async (t) => {
    const reply = await stack.admin('/openid-connect/issuers')
    t.equal(reply.status, 200)
    const listing = reply.json<IssuerListing>()
    t.equal(listing.next, null)
    t.equal(listing.data.length, 1)
    const [entry] = listing.data
    t.match(entry.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    t.equal(entry.issuer, idp.issuer)
    t.equal(entry.configuration.issuer, idp.issuer)
    t.equal(entry.configuration.token_endpoint, `${idp.url}/token`)
    t.equal(entry.configuration.jwks_uri, `${idp.url}/jwks`)
    t.type(entry.configuration.updated_at, 'number')
    t.type(entry.created_at, 'number')
    t.same(entry.keys.map((key) => key.kid), [idp.signingKid], 'the IdP\'s JWKS')
    t.notOk(entry.keys.some((key) => 'd' in key), 'public keys only')

    const byId = await stack.admin(`/openid-connect/issuers/${entry.id}`)
    t.equal(byId.status, 200)
    t.equal(byId.json().id, entry.id)
    const byIssuer = await stack.admin(`/openid-connect/issuers/${encodeURIComponent(idp.issuer)}`)
    t.equal(byIssuer.status, 200)
    t.equal(byIssuer.json().id, entry.id)
    const unknown = await stack.admin(`/openid-connect/issuers/${encodeURIComponent('http://127.0.0.1:1/other')}`)
    t.equal(unknown.status, 404)
    t.same(unknown.json(), { message: 'Not found' })
  })

  const authorization = clientBasic(idp.clients.secret)
  let first: Awaited<ReturnType<typeof stack.proxy>> | null = null
  let token: string | null = null

  await t.test('2. GET /example-route with Basic: 200, the upstream gets the Bearer token instead', async (t) => {
    const before = idp.tokenRequests
    first = await stack.proxy(ROUTE, { headers: { authorization } })
    t.equal(first.status, 200)
    t.equal(idp.tokenRequests, before + 1, 'one token request to the IdP')
    token = upstreamBearer(first)
    t.ok(token !== null && token.length > 20, 'Authorization: Bearer <access token> upstream')
    t.notOk(token?.includes('.'), 'oidc-provider issues opaque tokens for this grant by default')
    const headers = echoed(first).headers
    t.notOk(Object.values(headers).some((value) => /basic/i.test(value ?? '')), 'no Basic credentials upstream')
    t.match(first.headers['x-kong-proxy-latency'], /^\d+$/)
  })

  await t.test('3. the same credentials again: from the cache, no IdP call, lower X-Kong-Proxy-Latency', async (t) => {
    const before = idp.tokenRequests
    const latencies: number[] = []
    for (let i = 0; i < 5; i++) {
      const again = await stack.proxy(ROUTE, { headers: { authorization } })
      t.equal(again.status, 200)
      t.equal(upstreamBearer(again), token, 'the cached token')
      latencies.push(Number(again.headers['x-kong-proxy-latency']))
    }
    t.equal(idp.tokenRequests, before, 'the IdP was not called again')
    // Supporting evidence only (the call count above is the proof): the best cached latency is not above
    // the miss, which included the IdP round trip.
    t.ok(Math.min(...latencies) <= Number(first!.headers['x-kong-proxy-latency']),
      `cached ${latencies.join('/')} ms vs first ${first!.headers['x-kong-proxy-latency']} ms`)
  })

  await t.test('Admin DELETE forgets the discovery; the next request that needs it rediscovers it', async (t) => {
    const [entry] = (await stack.admin('/openid-connect/issuers')).json<IssuerListing>().data
    t.equal((await stack.admin(`/openid-connect/issuers/${entry.id}`, { method: 'DELETE' })).status, 204)
    t.equal((await stack.admin(`/openid-connect/issuers/${entry.id}`)).status, 404)
    t.same((await stack.admin('/openid-connect/issuers')).json<IssuerListing>().data, [])
    const cold = await stack.proxy(ROUTE, { headers: { authorization: clientBasic(idp.clients.secretPost) } })
    t.equal(cold.status, 200)
    const listing = (await stack.admin('/openid-connect/issuers')).json<IssuerListing>()
    t.same(listing.data.map((e) => e.id), [entry.id], 'rediscovered for that request, with the same id')
  })

  await t.test('the how-to config looks at the header only: query credentials are not used', async (t) => {
    t.same(howToConfig(idp).client_credentials_param_type, ['header'])
    const client = idp.clients.secret
    const query = `client_id=${client.client_id}&client_secret=${encodeURIComponent(client.client_secret ?? '')}`
    const before = idp.tokenRequests
    const seen = stack.upstream.requests.length
    assertKongUnauthorized(t, await stack.proxy(`${ROUTE}?${query}`), 'query credentials')
    t.equal(idp.tokenRequests, before, 'nothing was asked of the IdP')
    t.equal(stack.upstream.requests.length, seen, 'nothing reached the upstream')
  })
})
