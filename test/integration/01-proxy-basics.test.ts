// Proxying end to end with two real worker threads: both workers take connections (reusePort), the path
// sent upstream follows strip_path and v0 path joining, the query string travels untouched, and statuses
// (bodiless ones too) pass through.

import { request } from 'node:http'
import t from 'tap'
import { echoConfig, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { DOCS_TABLE, KONG_V0_SPEC } from '../unit/router/path-handling-cases.ts'

const REQUEST_ID = /^[0-9a-f]{32}$/

t.test('two workers both serve traffic, each with its own request-id prefix', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  }, { settings: { worker_processes: 2 } })
  t.teardown(() => gateway.stop())

  // the kernel spreads fresh connections over the two listening sockets by hash: a few dozen are
  // enough to see both; the bound only stops a broken gateway from looping forever
  const prefixes = new Set<string>()
  let sent = 0
  while (prefixes.size < 2 && sent < 200) {
    const reply = await send(`${gateway.proxyUrl}/spread/${sent}`)
    sent++
    t.equal(reply.status, 200)
    const id = reply.headers['x-kong-request-id'] as string
    t.match(id, REQUEST_ID)
    t.equal(reply.json<{ headers: Record<string, string> }>().headers['x-kong-request-id'], id, 'the upstream saw the same id')
    prefixes.add(id.slice(0, 16))
  }
  t.equal(prefixes.size, 2, `both workers answered within ${sent} fresh connections`)
})

t.test('strip_path and path joining end to end, with the query string forwarded verbatim', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  // one service and route per case, told apart by the Host header so that equal route paths do not clash
  const cases = [...DOCS_TABLE.filter((c) => c.handling === 'v0'), ...KONG_V0_SPEC.slice(0, 30)]
  const services = cases.map((c, i) => ({
    name: `case-${i}`,
    url: `${upstream.url}${c.servicePath}`,
    routes: [{ name: `case-${i}`, hosts: [`case-${i}.test`], paths: [c.routePath ?? '/'], strip_path: c.strip }]
  }))
  const gateway = await startGateway({ services })
  t.teardown(() => gateway.stop())

  const query = 'a=1&b=%2F%20x&empty=&flag&a=2'
  for (const [i, c] of cases.entries()) {
    const reply = await send(`${gateway.proxyUrl}${c.request}?${query}`, { headers: { host: `case-${i}.test` } })
    t.equal(reply.status, 200, `case ${i} routed`)
    const seen = reply.json<{ url: string }>().url
    t.equal(seen, `${c.upstream}?${query}`,
      `service ${c.servicePath} + route ${c.routePath} (strip ${c.strip}) + ${c.request} -> ${c.upstream}`)
  }

  // Kong keeps an empty query (kong/runloop/handler.lua); node's URL parsing would drop the bare '?', so
  // the request target is written as is
  const bare = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gateway.proxyPort, path: `${cases[0].request}?`, headers: { host: 'case-0.test' }, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString()) as { url: string }).url))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
  t.equal(bare, `${cases[0].upstream}?`, 'an empty query is kept upstream')
})

t.test('upstream statuses pass through, bodiless ones too', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    ...echoConfig(upstream.url)
  })
  t.teardown(() => gateway.stop())
  // the test upstream sends its Content-Length even on 204 and 304, as some servers do
  for (const code of [200, 201, 204, 304, 401, 404, 500, 503]) {
    const reply = await send(`${gateway.proxyUrl}/status?code=${code}`)
    t.equal(reply.status, code)
    t.equal(reply.headers.server, 'test-upstream', `${code} is the upstream's own answer`)
    if (code === 204 || code === 304) t.equal(reply.body.length, 0, `${code} has no body`)
  }
  const head = await send(`${gateway.proxyUrl}/anything`, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(head.body.length, 0, 'HEAD has no body')
  t.ok(Number(head.headers['content-length']) > 0, 'HEAD keeps the upstream\'s Content-Length')
  t.equal((await send(`${gateway.proxyUrl}/after`)).status, 200, 'the gateway still serves')
})
