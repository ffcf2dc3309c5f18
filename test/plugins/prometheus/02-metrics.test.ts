// The prometheus plugin entity through the real gateway (CLI, worker thread, sockets), a real upstream
// and the Admin API's GET /metrics: its flags decide which families are written and which requests they
// count (kong/plugins/prometheus/handler.lua PrometheusHandler:log; the most specific plugin applies, as
// kong/runloop/plugins_iterator.lua), and a config without the plugin writes every family, as Tollgate
// always has (Kong writes none of them then).

import t from 'tap'
import { send, startGateway } from '../../helpers/gateway.ts'
import { startUpstream } from '../../helpers/upstream.ts'
import { matchesAll, scrapeUntil } from '../../helpers/metrics-scrape.ts'

const PER_REQUEST = ['kong_bandwidth_bytes', 'kong_http_requests_total', 'kong_kong_latency_ms', 'kong_request_latency_ms', 'kong_upstream_latency_ms']

function config (upstreamUrl: string, plugins: boolean): Record<string, unknown> {
  return {
    services: [{
      name: 'backend',
      url: upstreamUrl,
      routes: [
        { name: 'plain', paths: ['/plain'] },
        { name: 'lat', paths: ['/lat'], plugins: plugins ? [{ name: 'prometheus', config: { latency_metrics: true } }] : [] },
      ]
    }],
    plugins: plugins ? [{ name: 'prometheus', config: { status_code_metrics: true } }] : []
  }
}

t.test('prometheus flags change what GET /metrics writes', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway(config(upstream.url, true))
  t.teardown(() => gateway.stop())

  const scrape = async (): Promise<string> => {
    const reply = await send(`${gateway.adminUrl}/metrics`)
    t.equal(reply.status, 200)
    return reply.text
  }
  const families = (text: string): string[] => PER_REQUEST.filter((name) => text.includes(`# TYPE ${name} `))
  const proxied = async (path: string): Promise<void> => {
    t.equal((await send(`${gateway.proxyUrl}${path}`)).status, 200, `${path} proxied`)
  }

  await proxied('/plain')
  await proxied('/lat')
  const plainCounted = /kong_http_requests_total\{service="backend",route="plain",code="200",source="service",workspace="default",consumer=""\} 1/
  const latTimed = /kong_request_latency_ms_count\{service="backend",route="lat",workspace="default"\} 1/
  let text = await scrapeUntil(scrape, matchesAll([plainCounted, latTimed]))
  t.same(families(text), ['kong_http_requests_total', 'kong_kong_latency_ms', 'kong_request_latency_ms', 'kong_upstream_latency_ms'],
    'only the families a configured plugin enables; no bandwidth')
  t.match(text, plainCounted, 'the global plugin counts statuses on /plain')
  t.notMatch(text, /kong_http_requests_total\{[^}]*route="lat"/, "/lat's own plugin wins: no status count there")
  t.match(text, latTimed, '/lat records latencies')
  t.notMatch(text, /kong_request_latency_ms_count\{[^}]*route="plain"/, "the global plugin's flags record no latency on /plain")

  // without any prometheus plugin: every family again, every request counted
  await gateway.writeConfig(config(upstream.url, false))
  t.match((await gateway.reload()).event, 'reloaded')
  await proxied('/plain')
  const plainTwice = /kong_http_requests_total\{service="backend",route="plain",code="200",source="service",workspace="default",consumer=""\} 2/
  const plainTimed = /kong_request_latency_ms_count\{service="backend",route="plain",workspace="default"\} 1/
  text = await scrapeUntil(scrape, matchesAll([plainTwice, plainTimed]))
  t.same(families(text), PER_REQUEST, 'every family, as without the plugin')
  t.match(text, /kong_bandwidth_bytes\{service="backend",route="plain",direction="ingress",workspace="default",consumer=""\} \d+/)
  t.match(text, plainTwice)
  t.match(text, plainTimed)
})
