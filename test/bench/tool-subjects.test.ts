// The counting tools' subjects (bench/lib/tool-subjects.ts) write what the comparison asks of them: the
// gateway kong.conf's default response headers and the -kong floors Kong's, neither the two microsecond
// headers the suite's gateway writes for its recorder; the suite's own floors and gateway keep them.

import t from 'tap'
import { request } from 'undici'
import { KONG_DEFAULT_HEADERS, floorArgs, gatewayConfig } from '../../bench/lib/environment.ts'
import { SCENARIOS, type Scenario } from '../../bench/lib/scenarios.ts'
import { BenchChild } from '../../bench/lib/child.ts'
import { gatewaySubject, startFloor, startGateway, startUpstream } from '../../bench/lib/tool-subjects.ts'
import { SERVER_TOKEN } from '../../src/core/version.ts'

const MICROSECOND_HEADERS = ['x-tollgate-proxy-latency-us', 'x-tollgate-upstream-latency-us']

function scenario (name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name)
  if (found === undefined) throw new Error(`no scenario ${name}`)
  return found
}

async function headersOf (url: string): Promise<Record<string, string | string[] | undefined>> {
  const res = await request(url)
  await res.body.dump()
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`)
  return res.headers
}

t.test('the suite writes the microsecond headers, the counting tools do not', async (t) => {
  t.same(gatewayConfig(1, 'http://127.0.0.1:1', [], 8).headers, [...KONG_DEFAULT_HEADERS, 'microsecond_latency_tokens'])
  t.ok(floorArgs('floor-kong', 'http://127.0.0.1:1', null).includes('--microseconds'), 'the suite\'s -kong floor')
  t.notOk(floorArgs('floor-kong', 'http://127.0.0.1:1', null, false).includes('--microseconds'), 'the tools\' -kong floor')
  t.notOk(floorArgs('floor', 'http://127.0.0.1:1', null).includes('--microseconds'), 'a floor without Kong\'s headers')
})

t.test('the tools\' gateway and -kong floor answer with Kong\'s headers only', async (t) => {
  const upstream = await startUpstream(null)
  t.teardown(() => upstream.stop())
  const start = { upstreamUrl: upstream.info.url as string, certificate: null, cpus: null }
  const floor = await startFloor(scenario('floor-kong'), start)
  t.teardown(() => floor.child.stop())
  const gateway = await startGateway([scenario('proxy')], start)
  t.teardown(() => gateway.stop())

  for (const [who, url] of [['floor-kong', floor.subject.url], ['gateway', gatewaySubject(gateway, scenario('proxy')).url]]) {
    const headers = await headersOf(url)
    t.equal(headers.via, `1.1 ${SERVER_TOKEN}`, `${who}: Via`)
    t.match(headers['x-kong-proxy-latency'], /^\d+$/, `${who}: X-Kong-Proxy-Latency`)
    t.match(headers['x-kong-request-id'], /^[0-9a-f]{32}$/, `${who}: X-Kong-Request-Id`)
    for (const name of MICROSECOND_HEADERS) t.equal(headers[name], undefined, `${who}: no ${name}`)
  }

  // the same floor as the suite starts it writes them
  const suiteFloor = await BenchChild.start('floor-kong', new URL('../../bench/procs/floor.ts', import.meta.url), {
    cpus: null, args: floorArgs('floor-kong', start.upstreamUrl, null)
  })
  t.teardown(() => suiteFloor.stop())
  const headers = await headersOf((suiteFloor.info.url as string) + scenario('floor-kong').path)
  for (const name of MICROSECOND_HEADERS) t.match(headers[name], /^\d+$/, `the suite's floor-kong: ${name}`)
})
