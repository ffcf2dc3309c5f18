// /metrics adds openid-connect's own families: IdP token calls by outcome, the shared token cache's
// counters and signing latency, summed over workers, and they add up exactly after known traffic.

import t from 'tap'
import { basicAuth, clientBasic, howToConfig, oidcService, ROUTE, startOidcStack } from '../../helpers/oidc-stack.ts'

function sample (text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? ' ' : `{${labels}} `}`))
  if (line === undefined) throw new Error(`no sample ${name}{${labels}} in:\n${text}`)
  return Number(line.slice(line.lastIndexOf(' ') + 1))
}

t.test('token calls, cache hits and misses appear in /metrics', async (t) => {
  const stack = await startOidcStack(t, {
    settings: { worker_processes: 2 },
    services: (idp, upstream) => [oidcService('example-service', upstream.url, ROUTE, howToConfig(idp))]
  })
  const { idp } = stack
  const good = clientBasic(idp.clients.secret)
  for (let i = 0; i < 5; i++) t.equal((await stack.proxy(ROUTE, { headers: { authorization: good } })).status, 200)
  t.equal((await stack.proxy(ROUTE, { headers: { authorization: basicAuth(idp.clients.secret.client_id, 'wrong') } })).status, 401)
  t.equal(idp.tokenRequests, 2, 'one call for the good credential, one for the wrong one')

  const scrape = await stack.admin('/metrics')
  t.equal(scrape.status, 200)
  const text = scrape.text
  t.equal(sample(text, 'tollgate_idp_token_requests_total', 'outcome="success"'), 1)
  t.equal(sample(text, 'tollgate_idp_token_requests_total', 'outcome="rejected"'), 1)
  t.equal(sample(text, 'tollgate_idp_token_requests_total', 'outcome="error"'), 0)
  t.equal(sample(text, 'tollgate_idp_token_request_latency_ms_count'), 2)
  t.equal(sample(text, 'tollgate_token_cache_misses_total'), 2, 'two cold keys')
  t.equal(sample(text, 'tollgate_token_cache_hits_total', 'kind="fresh"'), 4, 'four requests served from the cache')
  t.equal(sample(text, 'tollgate_token_cache_entries', 'state="ready"'), 1)
  t.equal(sample(text, 'tollgate_token_cache_entries', 'state="negative"'), 1)
  t.equal(sample(text, 'tollgate_signing_latency_ms_count'), 0, 'no broker client: nothing signed')
})
