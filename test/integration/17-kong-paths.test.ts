// Kong's request paths end to end (Kong compatibility round 2): a regex path matched against the
// percent-decoded path while the upstream gets it re-escaped, the empty query kept, and router_flavor
// deciding whether path_handling v1 applies.

import { request } from 'node:http'
import t from 'tap'
import { startGateway, type RunningGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

/** GET with the request target written exactly (node's URL parsing would drop a bare '?'). */
function get (gateway: RunningGateway, path: string): Promise<{ status: number, url: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gateway.proxyPort, path, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        resolve({ status: res.statusCode!, url: res.statusCode === 200 ? (JSON.parse(text) as { url: string }).url : null })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

function service (name: string, url: string, routes: Array<Record<string, unknown>>): Record<string, unknown> {
  return { name, url, routes }
}

t.test('traditional_compatible (the default)', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    services: [
      service('spaces', upstream.url, [{ name: 'spaced-regex', paths: ['~/with space/\\d+$'], strip_path: false }]),
      service('echo', upstream.url, [{ name: 'request', paths: ['/request'], strip_path: false }]),
      service('v1-ignored', `${upstream.url}/srv`, [{ name: 'old-style', paths: ['/rou'], path_handling: 'v1', strip_path: false }])
    ]
  })
  t.teardown(() => gateway.stop())

  // spec/02-integration/05-proxy/02-router_spec.lua "re-encode special characters in request uri when proxying
  // to the upstream"; kong/tools/uri.lua normalize decodes %20 before the router sees the path
  t.test('a regex path with a literal space matches %20, and the upstream gets %20 back', async (t) => {
    t.same(await get(gateway, '/with%20space/42'), { status: 200, url: '/with%20space/42' })
    t.same(await get(gateway, '/with%20space/42x'), { status: 404, url: null }, 'the regex still applies')
  })

  // kong/runloop/handler.lua balancer `after`: a request URI ending with '?' keeps it upstream
  t.test('an empty query string is kept', async (t) => {
    t.same(await get(gateway, '/request?'), { status: 200, url: '/request?' })
    t.same(await get(gateway, '/request'), { status: 200, url: '/request' }, 'no query: no ?')
    t.same(await get(gateway, '/request?a=1'), { status: 200, url: '/request?a=1' })
  })

  // spec/fixtures/router_path_handling_tests.lua line 17 (v1) gives /srvroureq under traditional only
  t.test('path_handling v1 is ignored, with one warning naming the route', async (t) => {
    t.same(await get(gateway, '/roureq'), { status: 200, url: '/srv/roureq' })
    // a warning goes to stderr, the lines the helper waited for to stdout: wait for it, then count
    await gateway.waitForLog((l) => l.event === 'route_path_handling_ignored')
    const warnings = gateway.logs.filter((l) => l.event === 'route_path_handling_ignored')
    t.equal(warnings.length, 1)
    t.equal(warnings[0].route, 'old-style')
    t.equal(warnings[0].router_flavor, 'traditional_compatible')
  })
})

t.test('router_flavor = traditional honours path_handling v1', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    services: [service('v1', `${upstream.url}/srv`, [{ name: 'old-style', paths: ['/rou'], path_handling: 'v1', strip_path: false }])]
  }, { settings: { router_flavor: 'traditional' } })
  t.teardown(() => gateway.stop())
  t.same(await get(gateway, '/roureq'), { status: 200, url: '/srvroureq' })
  t.equal(gateway.logs.filter((l) => l.event === 'route_path_handling_ignored').length, 0, 'no warning')
})
