// Repeated request headers end to end: a route's `headers` condition matches when any line of a repeated
// header matches, and a single line "a, b" is one value (kong/router/fields.lua adds each value
// ngx.req.get_headers() gives; Kong's spec/01-unit/08-router_spec.lua "evaluates Routes with more [headers]
// first" matches location = { "north", "west" }). Sent as raw bytes so the header lines are exactly these.

import t from 'tap'
import { parseRawResponse, rawExchange, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

t.test('repeated request headers match a route when any of their lines does', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const service = (name: string, route: Record<string, unknown>): Record<string, unknown> =>
    ({ name, url: `${upstream.url}/${name}`, routes: [{ name, paths: ['/r'], ...route }] })
  const gateway = await startGateway({
    services: [
      service('plain', { headers: { 'x-v': ['beta'] } }),
      service('agent', { headers: { 'user-agent': ['curl'] } }),
      service('regex', { headers: { 'x-r': ['~*^tok-\\d+$'] } }),
      service('both', { headers: { 'x-v': ['beta'], 'x-w': ['1'] } })
    ]
  })
  t.teardown(() => gateway.stop())

  const routeOf = async (lines: readonly string[]): Promise<string | number> => {
    const head = ['GET /r HTTP/1.1', 'Host: gw.test', ...lines, 'Connection: close', '', ''].join('\r\n')
    const reply = parseRawResponse((await rawExchange(gateway.proxyUrl, [head])).data)
    if (reply === null) return 0
    if (reply.status !== 200) return reply.status
    return (JSON.parse(reply.body) as { url: string }).url.split('/')[1]
  }

  t.equal(await routeOf(['X-V: alpha', 'X-V: BETA']), 'plain', 'the second line matches')
  t.equal(await routeOf(['X-V: beta', 'X-V: alpha']), 'plain', 'the first line matches')
  t.equal(await routeOf(['X-V: alpha, beta']), 404, 'one line "alpha, beta" is one value')
  t.equal(await routeOf(['X-V: alpha', 'X-V: gamma']), 404, 'no line matches')
  t.equal(await routeOf(['User-Agent: wget', 'User-Agent: curl']), 'agent', 'a name Node keeps only once in req.headers')
  t.equal(await routeOf(['X-R: nope', 'X-R: TOK-42']), 'regex', 'a ~* regex against each line')
  t.equal(await routeOf(['X-R: nope, tok-42']), 404, 'one line "nope, tok-42" is one value for the regex too')
  t.equal(await routeOf(['X-V: alpha', 'X-W: 1', 'X-V: beta']), 'both', 'interleaved lines, more headers first')
})
