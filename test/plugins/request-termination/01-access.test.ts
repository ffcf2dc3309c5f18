// request-termination through the real gateway (CLI, worker thread, sockets) and a real upstream, case for
// case after Kong's spec/03-plugins/14-request-termination/02-access_spec.lua and its handler.lua: the
// default 503, Kong's default messages, a configured message as {"message": ...} (kong.response.exit adds
// no request_id), a raw body with or without content_type, no body at all, echo, and trigger.

import t from 'tap'
import { send, type Reply } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'
import { SERVER_TOKEN } from '../../../src/core/version.ts'

const JSON_TYPE = 'application/json; charset=utf-8'
const MAINTENANCE = '<html><body><h1>Service is down for maintenance</h1></body></html>'

function terminated (path: string, config: Record<string, unknown>): Record<string, unknown> {
  const name = path.slice(1)
  return { name, paths: [path], plugins: [{ name: 'request-termination', config }] }
}

t.test('request-termination', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      terminated('/default', {}),
      terminated('/not-found', { status_code: 404 }),
      terminated('/invalid', { status_code: 406, message: 'Invalid' }),
      terminated('/no-content', { status_code: 204 }),
      terminated('/forbidden', { status_code: 403 }),
      terminated('/bad-request', { status_code: 400 }),
      terminated('/html', { body: MAINTENANCE }),
      terminated('/infringement', { status_code: 451, content_type: 'text/html', body: MAINTENANCE }),
      terminated('/json-body', { body: '{"code": 1, "message": "Service unavailable"}' }),
      terminated('/trigger', { status_code: 418, message: 'caught', trigger: 'X-Debug' }),
      terminated('/echo', { echo: true, status_code: 404 }),
      terminated('/echo-trigger', { echo: true, status_code: 404, trigger: 'gimme-an-echo' }),
      { name: 'open', paths: ['/open'] }
    ]
  }, {
    // Kong's spec: a route without a service still runs its plugins before Kong's own 503
    routes: [terminated('/serviceless', {}), { name: 'bare', paths: ['/bare'] }]
  })
  const call = (path: string, options: Parameters<typeof send>[1] = {}): Promise<Reply> => send(`${gateway.proxyUrl}${path}`, options)

  /** asserts the request was answered by the gateway, never reaching the upstream */
  const own = async (path: string, options?: Parameters<typeof send>[1]): Promise<Reply> => {
    const before = upstream.requests.length
    const reply = await call(path, options)
    t.equal(upstream.requests.length, before, `${path}: the upstream is not called`)
    t.equal(reply.headers.server, SERVER_TOKEN, `${path}: Server as on Kong's own answers`)
    return reply
  }
  const proxied = async (path: string, options?: Parameters<typeof send>[1]): Promise<void> => {
    const before = upstream.requests.length
    const reply = await call(path, options)
    t.equal(reply.status, 200, `${path}: proxied`)
    // the upstream records a request before it answers
    t.equal(upstream.requests.length, before + 1, `${path}: the upstream got it`)
  }

  t.test('status code and message', async (t) => {
    let reply = await own('/default')
    t.equal(reply.status, 503, 'status_code defaults to 503')
    t.equal(reply.headers['content-type'], JSON_TYPE)
    t.strictSame(reply.json(), { message: 'Service unavailable' }, "Kong's default message, and no request_id in the body")
    t.match(reply.headers['x-kong-request-id'], /^[0-9a-f]+$/, 'the request id is still in its header')

    reply = await own('/not-found')
    t.equal(reply.status, 404)
    t.strictSame(reply.json(), { message: 'Not found' }, "the status's default message")

    reply = await own('/invalid')
    t.equal(reply.status, 406)
    t.strictSame(reply.json(), { message: 'Invalid' }, 'the configured message')

    reply = await own('/no-content')
    t.equal(reply.status, 204)
    t.equal(reply.headers['content-length'], undefined, 'a 204 has no Content-Length')
    t.equal(reply.text, '')

    reply = await own('/forbidden')
    t.equal(reply.status, 403)
    t.equal(reply.text, '', 'no default message for 403: no body')
    t.equal(reply.headers['content-length'], '0')
    t.equal(reply.headers['content-type'], undefined)

    reply = await own('/bad-request')
    t.equal(reply.status, 400)
    t.match(reply.json(), { message: 'Bad request' }, "a status Kong's nginx sends to its error handler gets that handler's message")
  })

  t.test('status code and body', async (t) => {
    let reply = await own('/html')
    t.equal(reply.status, 503)
    t.equal(reply.text, MAINTENANCE, 'the body as configured')
    t.equal(reply.headers['content-type'], undefined, 'without content_type, no Content-Type (Kong: default_type \'\')')
    t.equal(reply.headers['content-length'], String(MAINTENANCE.length))

    reply = await own('/infringement')
    t.equal(reply.status, 451)
    t.equal(reply.text, MAINTENANCE)
    t.equal(reply.headers['content-type'], 'text/html')

    reply = await own('/json-body')
    t.equal(reply.status, 503)
    t.strictSame(reply.json(), { code: 1, message: 'Service unavailable' })
  })

  t.test('trigger: a header of that name (any case) or a query argument of exactly that name', async (t) => {
    await proxied('/trigger')
    await proxied('/trigger?x-debug=1', {})
    await proxied('/trigger?x-debug', {})
    await proxied('/trigger?debug=1', { headers: { debug: '1' } })
    for (const [path, headers] of [
      ['/trigger', { 'x-debug': '1' }],
      ['/trigger', { 'X-DEBUG': '' }],
      ['/trigger?X-Debug', {}],
      ['/trigger?a=b&X-Debug=', {}],
      ['/trigger?X%2DDebug=yes', {}]
    ] as const) {
      const reply = await own(path, { headers })
      t.equal(reply.status, 418, `${path} ${JSON.stringify(headers)}: terminated`)
      t.strictSame(reply.json(), { message: 'caught' })
    }
  })

  t.test('echo: a JSON copy of the request, in Kong\'s shape', async (t) => {
    const body = JSON.stringify({ greeting: 'cool body' })
    const reply = await own('/echo/status/200?hello=there&flag&a=1&a=2&plus=a+b', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twice': ['one', 'two'], 'X-Mixed-Case': 'v' },
      body
    })
    t.equal(reply.status, 404)
    t.equal(reply.headers['content-type'], JSON_TYPE)
    const json = reply.json<Record<string, any>>()
    t.equal(json.message, 'Not found', "the status's default message")
    t.strictSame(Object.keys(json).sort(), ['kong', 'matched_route', 'matched_service', 'message', 'request'])
    t.match(json.kong, { worker_pid: Number, hostname: String })
    t.equal(json.matched_route.name, 'echo')
    t.strictSame(json.matched_route.paths, ['/echo'])
    t.equal(json.matched_service.name, 'backend')
    t.strictSame(json.request, {
      scheme: 'http',
      host: '127.0.0.1',
      port: gateway.proxyPort,
      headers: {
        host: `127.0.0.1:${gateway.proxyPort}`,
        connection: 'close',
        'content-type': 'application/json',
        'content-length': String(body.length),
        'x-twice': ['one', 'two'],
        'x-mixed-case': 'v'
      },
      query: { hello: 'there', flag: true, a: ['1', '2'], plus: 'a b' },
      body: { greeting: 'cool body' },
      raw_body: body,
      method: 'POST',
      path: '/echo/status/200',
      uri_captures: { named: {}, unnamed: {} }
    })
  })

  t.test('echo without a body: raw_body is "", body absent', async (t) => {
    const reply = await own('/echo')
    t.equal(reply.status, 404)
    const request = reply.json<Record<string, any>>().request
    t.equal(request.raw_body, '')
    t.notOk('body' in request)
    t.strictSame(request.query, {})
  })

  t.test('echo with a trigger echoes only requests that carry it', async (t) => {
    await proxied('/echo-trigger')
    let reply = await own('/echo-trigger', { headers: { 'Gimme-An-Echo': 'anything will do' } })
    t.equal(reply.status, 404)
    t.equal(reply.json<Record<string, any>>().request.headers['gimme-an-echo'], 'anything will do')
    reply = await own('/echo-trigger?gimme-an-echo=anything', {})
    t.equal(reply.status, 404)
    t.strictSame(reply.json<Record<string, any>>().request.query, { 'gimme-an-echo': 'anything' })
  })

  t.test('a route without a service: the plugin answers; without the plugin, Kong\'s 503', async (t) => {
    const terminatedReply = await own('/serviceless')
    t.equal(terminatedReply.status, 503)
    t.strictSame(terminatedReply.json(), { message: 'Service unavailable' })
    const bare = await own('/bare')
    t.equal(bare.status, 503)
    t.equal(bare.json().message, 'no Service found with those values')
  })

  t.test('a route without the plugin is proxied', async () => {
    await proxied('/open')
  })
})
