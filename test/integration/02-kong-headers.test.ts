// The headers Kong adds and removes: latency, Via, Server and X-Kong-Request-Id downstream (each one
// switchable by `headers`), X-Kong-Request-Id, X-Forwarded-* and X-Real-IP upstream, Host per
// preserve_host, and hop-by-hop headers dropped in both directions. One gateway, reconfigured by SIGHUP.

import t from 'tap'
import { parseRawResponse, rawExchange, send, startGateway, type Reply } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { VERSION } from '../../src/core/version.ts'

const INTEGER = /^\d+$/
const REQUEST_ID = /^[0-9a-f]{32}$/
const KONG_DOWNSTREAM = ['x-kong-proxy-latency', 'x-kong-upstream-latency', 'x-kong-response-latency', 'via', 'x-kong-request-id', 'x-kong-upstream-status']

interface Echo { url: string, headers: Record<string, string> }

t.test('Kong headers', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const entities = (settings: Record<string, unknown>): Record<string, unknown> => ({
    ...settings,
    services: [{
      name: 'echo',
      url: `${upstream.url}/base`,
      routes: [
        { name: 'stripped', paths: ['/strip'] },
        { name: 'kept', paths: ['/keep'], strip_path: false },
        { name: 'preserve', paths: ['/preserve'], preserve_host: true }
      ]
    }]
  })
  const gateway = await startGateway(entities({}))
  t.teardown(() => gateway.stop())
  const proxied = (path: string, headers?: Record<string, string>): Promise<Reply> => send(`${gateway.proxyUrl}${path}`, { headers })
  const reconfigure = async (settings: Record<string, unknown>): Promise<void> => {
    await gateway.writeConfig(entities(settings))
    t.equal((await gateway.reload()).event, 'reloaded')
  }

  t.test('defaults: latency, Via and request id on proxied responses; the upstream Server passes', async (t) => {
    const reply = await proxied('/strip/x')
    t.equal(reply.status, 200)
    t.match(reply.headers['x-kong-proxy-latency'], INTEGER)
    t.match(reply.headers['x-kong-upstream-latency'], INTEGER)
    t.equal(reply.headers.via, `1.1 tollgate/${VERSION}`)
    t.equal(reply.headers.server, 'test-upstream')
    t.match(reply.headers['x-kong-request-id'], REQUEST_ID)
    t.notOk('x-kong-response-latency' in reply.headers, 'no response latency on a proxied response')
    t.notOk('x-kong-upstream-status' in reply.headers, 'X-Kong-Upstream-Status is off by default')
    t.equal(reply.json<Echo>().headers['x-kong-request-id'], reply.headers['x-kong-request-id'], 'the same id went upstream')
  })

  t.test('defaults: response latency, Server and request id on the gateway\'s own responses', async (t) => {
    const reply = await proxied('/nowhere')
    t.equal(reply.status, 404)
    t.match(reply.headers['x-kong-response-latency'], INTEGER)
    t.equal(reply.headers.server, `tollgate/${VERSION}`)
    t.match(reply.headers['x-kong-request-id'], REQUEST_ID)
    t.equal(reply.json().request_id, reply.headers['x-kong-request-id'], 'the body carries the same id')
    for (const name of ['x-kong-proxy-latency', 'x-kong-upstream-latency', 'via']) t.notOk(name in reply.headers, `no ${name}`)
  })

  t.test('an upstream Via is kept and Tollgate\'s is appended', async (t) => {
    const reply = await proxied('/strip/headers?h=Via:1.0%20upstream-proxy')
    t.equal(reply.headers.via, `1.0 upstream-proxy, 1.1 tollgate/${VERSION}`)
  })

  t.test('headers: off and headers_upstream: off remove every Kong header', async (t) => {
    await reconfigure({ headers: 'off', headers_upstream: 'off' })
    const reply = await proxied('/strip/x')
    for (const name of KONG_DOWNSTREAM) t.notOk(name in reply.headers, `no ${name}`)
    t.equal(reply.headers.server, 'test-upstream')
    t.notOk('x-kong-request-id' in reply.json<Echo>().headers, 'no request id upstream')
    const own = await proxied('/nowhere')
    for (const name of [...KONG_DOWNSTREAM, 'server']) t.notOk(name in own.headers, `no ${name} on a 404`)
    t.same(own.json(), { message: 'no Route matched with those values' }, 'no request_id in the body either')
  })

  const singles: Array<[setting: string, proxiedHeader: string | null, ownHeader: string | null]> = [
    ['via', 'via', null],
    ['server', null, 'server'],
    ['X-Kong-Proxy-Latency', 'x-kong-proxy-latency', null],
    ['X-Kong-Upstream-Latency', 'x-kong-upstream-latency', null],
    ['X-Kong-Response-Latency', null, 'x-kong-response-latency'],
    ['X-Kong-Upstream-Status', 'x-kong-upstream-status', null],
    ['X-Kong-Request-Id', 'x-kong-request-id', 'x-kong-request-id']
  ]
  for (const [setting, onProxied, onOwn] of singles) {
    t.test(`headers: ${setting} alone`, async (t) => {
      await reconfigure({ headers: setting, headers_upstream: 'off' })
      const reply = await proxied('/strip/x')
      const own = await proxied('/nowhere')
      for (const name of KONG_DOWNSTREAM) {
        t.equal(name in reply.headers, name === onProxied, `${name} ${name === onProxied ? 'on' : 'not on'} a proxied response`)
        t.equal(name in own.headers, name === onOwn, `${name} ${name === onOwn ? 'on' : 'not on'} an own response`)
      }
      t.equal('server' in own.headers, onOwn === 'server')
      if (onProxied === 'x-kong-upstream-status') t.equal(reply.headers[onProxied], '200')
    })
  }

  t.test('X-Forwarded-* and X-Real-IP as Kong sets them for an untrusted client', async (t) => {
    await reconfigure({})
    const reply = await proxied('/strip/a/b?q=1', {
      host: 'Api.Example.COM:8443',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'spoofed.example',
      'x-forwarded-port': '1',
      'x-forwarded-path': '/spoofed',
      'x-forwarded-prefix': '/spoofed'
    })
    const seen = reply.json<Echo>().headers
    t.equal(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1', 'the client address is appended')
    t.equal(seen['x-real-ip'], '127.0.0.1')
    t.equal(seen['x-forwarded-proto'], 'http')
    t.equal(seen['x-forwarded-host'], 'api.example.com', 'the request host, without its port')
    t.equal(seen['x-forwarded-port'], String(gateway.proxyPort), 'the port the gateway listens on')
    t.equal(seen['x-forwarded-path'], '/strip/a/b', 'the request path, without the query')
    t.equal(seen['x-forwarded-prefix'], '/strip', 'the stripped prefix')

    const kept = (await proxied('/keep/x', { 'x-forwarded-prefix': '/spoofed' })).json<Echo>().headers
    t.notOk('x-forwarded-prefix' in kept, 'no prefix when nothing was stripped, and the client\'s is dropped')
    t.equal(kept['x-forwarded-for'], '127.0.0.1', 'a first hop gets just the client address')
  })

  t.test('X-Forwarded-* from a client in trusted_ips are passed on', async (t) => {
    await reconfigure({ trusted_ips: ['127.0.0.1'] })
    const seen = (await proxied('/strip/x', {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'edge.example',
      'x-forwarded-port': '443',
      'x-forwarded-path': '/edge/strip/x',
      'x-forwarded-prefix': '/edge'
    })).json<Echo>().headers
    t.equal(seen['x-forwarded-proto'], 'https')
    t.equal(seen['x-forwarded-host'], 'edge.example')
    t.equal(seen['x-forwarded-port'], '443')
    t.equal(seen['x-forwarded-path'], '/edge/strip/x')
    t.equal(seen['x-forwarded-prefix'], '/edge')
    await reconfigure({})
  })

  t.test('Host follows preserve_host', async (t) => {
    const replaced = (await proxied('/strip/x', { host: 'client.example' })).json<Echo>().headers
    t.equal(replaced.host, `127.0.0.1:${upstream.port}`, 'preserve_host false: the service host and port')
    const preserved = (await proxied('/preserve/x', { host: 'client.example' })).json<Echo>().headers
    t.equal(preserved.host, 'client.example', 'preserve_host true: the client\'s Host')
  })

  t.test('hop-by-hop request headers, and those the Connection header names, are not forwarded', async (t) => {
    // written raw: node:http refuses to send a Trailer header without a chunked body
    const answer = await rawExchange(gateway.proxyUrl, [[
      'GET /strip/x HTTP/1.1',
      'Host: hop.example',
      'Connection: close, X-Private-Hop',
      'X-Private-Hop: secret',
      'Keep-Alive: timeout=5',
      'TE: trailers',
      'Trailer: x-checksum',
      'Proxy-Connection: keep-alive',
      'Upgrade: h2c',
      'X-End-To-End: kept',
      '', ''
    ].join('\r\n')], 5000)
    const response = parseRawResponse(answer.data)
    t.equal(response?.status, 200)
    const seen = (JSON.parse(response?.body ?? '{}') as Echo).headers
    for (const name of ['x-private-hop', 'keep-alive', 'te', 'trailer', 'proxy-connection', 'upgrade']) {
      t.notOk(name in seen, `${name} not forwarded`)
    }
    t.notMatch(seen.connection ?? '', /private/i, 'the client\'s Connection header is not forwarded')
    t.equal(seen['x-end-to-end'], 'kept')
  })

  t.test('hop-by-hop response headers, and those the Connection header names, are not returned', async (t) => {
    const reply = await proxied('/strip/headers?' + [
      'Connection:x-upstream-private',
      'X-Upstream-Private:secret',
      'Keep-Alive:timeout=99,%20max=7',
      'Proxy-Connection:keep-alive',
      'Upgrade:h2c',
      'X-End-To-End:kept'
    ].map((h) => `h=${h}`).join('&'))
    t.equal(reply.status, 200)
    for (const name of ['x-upstream-private', 'proxy-connection', 'upgrade']) t.notOk(name in reply.headers, `${name} not returned`)
    t.notMatch(reply.headers['keep-alive'] ?? '', /max=7/, 'the upstream\'s Keep-Alive is not returned')
    t.notMatch(reply.headers.connection ?? '', /private/, 'the upstream\'s Connection is not returned')
    t.equal(reply.headers['x-end-to-end'], 'kept')
  })
})
