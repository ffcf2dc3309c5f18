// Routing end to end: Kong's answers when nothing matches (404), when the route wants https (426 or a
// redirect) and when it has no service (503), and matching on methods, hosts and headers.

import t from 'tap'
import { send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

const REQUEST_ID = /^[0-9a-f]{32}$/

t.test('routing', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    services: [
      {
        name: 'echo',
        url: upstream.url,
        routes: [
          { name: 'posts-only', paths: ['/write'], methods: ['POST', 'PUT'] },
          { name: 'exact-host', hosts: ['api.example.com'], paths: ['/h'] },
          { name: 'wildcard-host', hosts: ['*.example.org'], paths: ['/h'] },
          { name: 'by-header', paths: ['/versioned'], headers: { 'x-version': ['v1', 'v2'] } },
          { name: 'regex', paths: ['~/items/\\d+$'] },
          { name: 'tls-only', paths: ['/secure'], protocols: ['https'] },
          { name: 'tls-redirect', paths: ['/moved'], protocols: ['https'], https_redirect_status_code: 301 }
        ]
      },
      {
        name: 'echo-b',
        url: `${upstream.url}/b`,
        routes: [{ name: 'by-header-and-method', paths: ['/versioned'], headers: { 'x-version': ['v2'] }, methods: ['GET'] }]
      },
      { name: 'off', url: upstream.url, enabled: false, routes: [{ name: 'disabled-service', paths: ['/disabled'] }] }
    ],
    routes: [{ name: 'no-service', paths: ['/orphan'] }]
  })
  t.teardown(() => gateway.stop())
  const routeOf = async (path: string, options: Parameters<typeof send>[1] = {}): Promise<string | number> => {
    const reply = await send(`${gateway.proxyUrl}${path}`, options)
    if (reply.status !== 200) return reply.status
    return reply.json<{ headers: Record<string, string> }>().headers['x-forwarded-path']
  }

  t.test('no route: 404 with Kong\'s body and the request id', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/nothing/here`)
    t.equal(reply.status, 404)
    t.equal(reply.headers['content-type'], 'application/json; charset=utf-8')
    const body = reply.json()
    t.same(Object.keys(body).sort(), ['message', 'request_id'])
    t.equal(body.message, 'no Route matched with those values')
    t.match(body.request_id, REQUEST_ID)
    t.equal(body.request_id, reply.headers['x-kong-request-id'])
  })

  t.test('an https-only route answers plain http with 426 and Upgrade headers', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/secure/x`)
    t.equal(reply.status, 426)
    t.equal(reply.headers.upgrade, 'TLS/1.2, HTTP/1.1')
    t.equal(reply.headers.connection, 'Upgrade')
    t.equal(reply.json().message, 'Please use HTTPS protocol')
    t.equal(upstream.requests.length, 0, 'nothing reached the upstream')
  })

  t.test('https_redirect_status_code redirects to the https URL instead', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/moved/x?a=1`, { headers: { host: 'shop.example' } })
    t.equal(reply.status, 301)
    t.equal(reply.headers.location, 'https://shop.example/moved/x?a=1')
  })

  t.test('a route without a service: 503 no Service found', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/orphan`)
    t.equal(reply.status, 503)
    t.equal(reply.json().message, 'no Service found with those values')
  })

  t.test('routes of a disabled service are not routed', async (t) => {
    t.equal(await routeOf('/disabled'), 404)
  })

  t.test('methods', async (t) => {
    t.equal(await routeOf('/write', { method: 'POST', body: 'x' }), '/write')
    t.equal(await routeOf('/write', { method: 'PUT', body: 'x' }), '/write')
    t.equal(await routeOf('/write'), 404, 'GET is not among the methods')
  })

  t.test('hosts: exact, wildcard, with or without a port', async (t) => {
    t.equal(await routeOf('/h', { headers: { host: 'api.example.com' } }), '/h')
    t.equal(await routeOf('/h', { headers: { host: 'api.example.com:8000' } }), '/h', 'a port in Host still matches a portless host')
    t.equal(await routeOf('/h', { headers: { host: 'shop.example.org' } }), '/h')
    t.equal(await routeOf('/h', { headers: { host: 'a.b.example.org:1234' } }), '/h')
    t.equal(await routeOf('/h', { headers: { host: 'example.org' } }), 404, 'the wildcard needs a label')
    t.equal(await routeOf('/h', { headers: { host: 'other.example.com' } }), 404)
  })

  t.test('headers: AND across names, OR across values; more criteria win', async (t) => {
    // the upstream URL tells the routes apart: service echo-b has the path /b
    const matched = async (headers: Record<string, string>, method = 'GET'): Promise<string | number> => {
      const reply = await send(`${gateway.proxyUrl}/versioned`, { method, headers, body: method === 'GET' ? undefined : 'x' })
      return reply.status === 200 ? reply.json<{ url: string }>().url : reply.status
    }
    t.equal(await matched({ 'x-version': 'v1' }), '/')
    t.equal(await matched({ 'x-version': 'v3' }), 404)
    t.equal(await matched({}), 404)
    t.equal(await matched({ 'x-version': 'v2' }), '/b', 'headers + methods outrank headers alone (match weight)')
    t.equal(await matched({ 'x-version': 'v2' }, 'DELETE'), '/', 'DELETE falls back to the header-only route')
  })

  t.test('regex paths', async (t) => {
    t.equal(await routeOf('/items/42'), '/items/42')
    t.equal(await routeOf('/items/42/more'), 404, 'anchored with $')
    t.equal(await routeOf('/items/abc'), 404)
  })
})
