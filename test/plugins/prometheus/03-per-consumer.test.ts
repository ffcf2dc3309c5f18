// per_consumer end to end: openid-connect maps a token to a config consumer (ctx.authenticate), and the
// prometheus plugin on the service counts that request under the consumer's username; a request nobody
// identified counts under consumer="" (kong/plugins/prometheus/handler.lua: serialized.consumer is the
// consumer's username; exporter.lua writes "" without one). Latencies carry no consumer label.

import t from 'tap'
import { startIdp } from '../../helpers/idp.ts'
import { oidcService, startOidcStack } from '../../helpers/oidc-stack.ts'
import { matchesAll, scrapeUntil } from '../../helpers/metrics-scrape.ts'

t.test('per_consumer labels kong_http_requests_total with the authenticated consumer', async (t) => {
  const idp = await startIdp({ accessTokenFormat: 'jwt' })
  t.teardown(() => idp.close())
  const stack = await startOidcStack(t, {
    idp,
    consumers: [{ username: 'tollgate-basic' }, { username: 'someone-else' }],
    services: (idp, upstream) => {
      const service = oidcService('svc', upstream.url, '/svc',
        { issuer: idp.issuer, auth_methods: ['bearer'], consumer_claims: [['client_id']], consumer_by: ['username'] })
      const plugins = service.plugins as unknown[]
      plugins.push({ name: 'prometheus', config: { status_code_metrics: true, per_consumer: true, latency_metrics: true } })
      return [service]
    }
  })
  const token = await idp.issueToken(idp.clients.secret)
  t.equal((await stack.proxy('/svc', { headers: { authorization: `Bearer ${token}` } })).status, 200, 'mapped to tollgate-basic')
  t.equal((await stack.proxy('/svc')).status, 401, 'no token: nobody identified')

  const identified = /kong_http_requests_total\{service="svc",route="svc-route",code="200",source="service",workspace="default",consumer="tollgate-basic"\} 1/
  const nobody = /kong_http_requests_total\{service="svc",route="svc-route",code="401",source="kong",workspace="default",consumer=""\} 1/
  const latencies = /kong_request_latency_ms_count\{service="svc",route="svc-route",workspace="default"\} 2/
  const text = await scrapeUntil(async () => (await stack.admin('/metrics')).text, matchesAll([identified, nobody, latencies]))
  t.match(text, identified)
  t.match(text, nobody)
  t.notMatch(text, /consumer="someone-else"/, 'a consumer that sent nothing has no sample')
  t.match(text, latencies, 'latencies per route, both requests')
  t.notMatch(text, /# TYPE kong_bandwidth_bytes /, 'bandwidth_metrics is off')
})
