// cors through the real gateway (CLI, worker thread, sockets) and a real upstream, after Kong's
// spec/03-plugins/13-cors/01-access_spec.lua: a preflight answered by the gateway (200, no body, Kong's
// headers, the upstream not called), max_age and allowed headers, private network, preflight_continue
// (the upstream answers, untouched), a non-preflight OPTIONS proxied, simple requests with an allowed and
// a refused origin (an upstream's Access-Control-Allow-Origin replaced or removed, its Vary kept),
// credentials with "*" (the Origin echoed), regex origins, and allow_origin_absent.

import t from 'tap'
import { send, type Reply, type SendOptions } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'
import { SERVER_TOKEN } from '../../../src/core/version.ts'

const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT'
const CORS_HEADERS = ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers',
  'access-control-expose-headers', 'access-control-allow-credentials', 'access-control-max-age', 'access-control-allow-private-network']

function corsRoute (name: string, config: Record<string, unknown>): Record<string, unknown> {
  return { name, paths: [`/${name}`], plugins: [{ name: 'cors', config }] }
}

/** every value of a response header, in order, from the raw list (node joins repeated ones) */
function all (reply: Reply, name: string): string[] {
  const values: string[] = []
  for (let i = 0; i < reply.rawHeaders.length; i += 2) if (reply.rawHeaders[i].toLowerCase() === name) values.push(reply.rawHeaders[i + 1])
  return values
}

t.test('cors', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      corsRoute('defaults', {}),
      corsRoute('options', { origins: ['example.test'], methods: ['GET'], headers: ['origin', 'type', 'accepts'], exposed_headers: ['x-auth-token'], max_age: 23, credentials: true }),
      corsRoute('continue', { origins: ['example.test'], methods: ['GET'], max_age: 23, preflight_continue: true }),
      corsRoute('star-credentials', { origins: ['*'], credentials: true }),
      corsRoute('list', { origins: ['http://my-site.test', 'https://my-other-site.test:9000'] }),
      corsRoute('regex', { origins: ['bar.test', 'https://(.*\\.)?foo\\.test(:8000)?'] }),
      corsRoute('private', { origins: ['allowed-domain.test'], private_network: true }),
      corsRoute('absent-off', { origins: ['foo.bar'], allow_origin_absent: false, exposed_headers: ['x-auth-token'], credentials: true })
    ]
  })

  const call = (path: string, options: SendOptions = {}): Promise<Reply> => send(`${gateway.proxyUrl}${path}`, options)
  const preflight = (path: string, headers: Record<string, string>): Promise<Reply> =>
    call(path, { method: 'OPTIONS', headers: { 'access-control-request-method': 'GET', ...headers } })
  /** asserts the gateway answered a preflight itself */
  const answered = async (path: string, headers: Record<string, string>): Promise<Reply> => {
    const before = upstream.requests.length
    const reply = await preflight(path, headers)
    t.equal(upstream.requests.length, before, `${path}: the upstream is not called`)
    t.equal(reply.status, 200, `${path}: 200`)
    t.equal(reply.headers['content-length'], '0', `${path}: no body`)
    t.equal(reply.headers['content-type'], undefined, `${path}: no Content-Type, as kong.response.exit(200)`)
    t.equal(reply.headers.server, SERVER_TOKEN, `${path}: Server as on Kong's own answers`)
    return reply
  }

  t.test('a preflight is answered by the gateway, with the defaults', async (t) => {
    const reply = await answered('/defaults', { origin: 'origin1.test' })
    t.equal(reply.headers['access-control-allow-origin'], '*')
    t.equal(reply.headers['access-control-allow-methods'], DEFAULT_METHODS)
    for (const name of ['access-control-allow-headers', 'access-control-expose-headers', 'access-control-allow-credentials', 'access-control-max-age', 'vary']) {
      t.equal(reply.headers[name], undefined, `no ${name}`)
    }
  })

  t.test('a preflight with the config options: max_age, headers, methods, credentials', async (t) => {
    const reply = await answered('/options', { origin: 'origin5.test' })
    t.equal(reply.headers['access-control-allow-origin'], 'example.test')
    t.equal(reply.headers['access-control-allow-methods'], 'GET')
    t.equal(reply.headers['access-control-allow-headers'], 'origin,type,accepts')
    t.equal(reply.headers['access-control-max-age'], '23')
    t.equal(reply.headers['access-control-allow-credentials'], 'true')
    t.strictSame(all(reply, 'vary'), ['Origin'])
    t.equal(reply.headers['access-control-expose-headers'], undefined, 'exposed headers are for actual responses')
  })

  t.test('a preflight with "*" and credentials echoes the Origin, and the requested headers', async (t) => {
    const reply = await answered('/star-credentials', { origin: 'origin5.test', 'access-control-request-headers': 'origin,accepts' })
    t.equal(reply.headers['access-control-allow-origin'], 'origin5.test')
    t.equal(reply.headers['access-control-allow-credentials'], 'true')
    t.equal(reply.headers['access-control-allow-headers'], 'origin,accepts')
    t.strictSame(all(reply, 'vary'), ['Origin'])
  })

  t.test('private network', async (t) => {
    let reply = await answered('/private', { origin: 'allowed-domain.test', 'access-control-request-private-network': 'true' })
    t.equal(reply.headers['access-control-allow-private-network'], 'true')
    reply = await answered('/private', { origin: 'allowed-domain.test' })
    t.equal(reply.headers['access-control-allow-private-network'], undefined, 'only when the request asks')
    reply = await answered('/defaults', { origin: 'allowed-domain.test', 'access-control-request-private-network': 'true' })
    t.equal(reply.headers['access-control-allow-private-network'], undefined, 'only when configured')
  })

  t.test('preflight_continue: the upstream answers the preflight, untouched', async (t) => {
    const before = upstream.requests.length
    const reply = await preflight('/continue/status?code=201', { origin: 'example.test' })
    t.equal(reply.status, 201, "the upstream's status")
    t.equal(upstream.requests.length, before + 1, 'the upstream got it')
    t.equal(upstream.requests.at(-1)!.method, 'OPTIONS')
    t.equal(upstream.requests.at(-1)!.headers['access-control-request-method'], 'GET', 'with its CORS request headers')
    for (const name of CORS_HEADERS) t.equal(reply.headers[name], undefined, `no ${name} added`)
    t.equal(reply.headers.vary, undefined)
  })

  t.test('an OPTIONS that is no preflight is proxied, with the response headers', async (t) => {
    const before = upstream.requests.length
    const reply = await call('/defaults', { method: 'OPTIONS' })
    t.equal(reply.status, 200)
    t.equal(upstream.requests.length, before + 1)
    t.equal(reply.json().method, 'OPTIONS')
    t.equal(reply.headers['access-control-allow-origin'], '*')
    t.equal(reply.headers['access-control-allow-methods'], undefined)
  })

  t.test('simple requests: an allowed origin, a refused one', async (t) => {
    let reply = await call('/list', { headers: { origin: 'http://my-site.test:80' } })
    t.equal(reply.status, 200)
    t.equal(reply.headers['access-control-allow-origin'], 'http://my-site.test', 'the normalised origin')
    t.strictSame(all(reply, 'vary'), ['Origin'])
    reply = await call('/list', { headers: { origin: 'https://my-other-site.test:9000' } })
    t.equal(reply.headers['access-control-allow-origin'], 'https://my-other-site.test:9000')

    // the upstream's own ACAO is removed for a refused origin; its Vary stays, Origin after it
    const refuse = '/list/headers?h=Access-Control-Allow-Origin:*&h=Vary:Accept-Encoding'
    for (const origin of ['http://my-site.test.bad-guys.test', 'https://my-site.test', 'http://my-site.test:8000']) {
      reply = await call(refuse, { headers: { origin } })
      t.equal(reply.status, 200)
      t.equal(reply.headers['access-control-allow-origin'], undefined, `${origin} refused`)
      t.strictSame(all(reply, 'vary'), ['Accept-Encoding', 'Origin'])
    }
    reply = await call(refuse, { headers: { origin: 'http://my-site.test' } })
    t.strictSame(all(reply, 'access-control-allow-origin'), ['http://my-site.test'], "the upstream's value replaced")
  })

  t.test('simple requests: the config options, and "*" with credentials', async (t) => {
    let reply = await call('/options')
    t.equal(reply.headers['access-control-allow-origin'], 'example.test', 'a single plain origin is sent as is, Origin or not')
    t.equal(reply.headers['access-control-expose-headers'], 'x-auth-token')
    t.equal(reply.headers['access-control-allow-credentials'], 'true')
    t.equal(reply.headers['access-control-max-age'], undefined)
    t.equal(reply.headers['access-control-allow-methods'], undefined)

    reply = await call('/star-credentials', { headers: { origin: 'http://www.example.net:3000' } })
    t.equal(reply.headers['access-control-allow-origin'], 'http://www.example.net:3000', 'Kong echoes the Origin')
    t.equal(reply.headers['access-control-allow-credentials'], 'true')
    t.strictSame(all(reply, 'vary'), ['Origin'])

    reply = await call('/defaults', { headers: { origin: 'http://www.example.net' } })
    t.equal(reply.headers['access-control-allow-origin'], '*')
    t.equal(reply.headers.vary, undefined)
  })

  t.test('regex origins, anchored, by scheme and port when the regex has a colon', async (t) => {
    const cases: Array<[string, string | undefined]> = [
      ['https://foo.test', 'https://foo.test'],
      ['https://api.foo.test:8000', 'https://api.foo.test:8000'],
      ['https://api.foo.test:443', 'https://api.foo.test'],
      ['http://foo.test', undefined],
      ['https://foo.test.evil.test', undefined],
      ['https://evilfoo.test', undefined],
      ['https://foo.test:9000', undefined],
      ['bar.test', 'bar.test']
    ]
    for (const [origin, want] of cases) {
      const reply = await call('/regex', { headers: { origin } })
      t.equal(reply.headers['access-control-allow-origin'], want, origin)
      t.strictSame(all(reply, 'vary'), ['Origin'], `${origin}: Vary`)
    }
    const reply = await answered('/regex', { origin: 'https://www.foo.test' })
    t.equal(reply.headers['access-control-allow-origin'], 'https://www.foo.test', 'on a preflight too')
  })

  t.test('allow_origin_absent off: nothing without an Origin', async (t) => {
    for (const headers of [{}, { origin: '' }] as Array<Record<string, string>>) {
      const reply = await call('/absent-off', { headers })
      t.equal(reply.status, 200)
      for (const name of CORS_HEADERS) t.equal(reply.headers[name], undefined, `no ${name}`)
    }
    const reply = await call('/absent-off', { headers: { origin: 'http://x.test' } })
    t.equal(reply.headers['access-control-allow-origin'], 'foo.bar')
    t.equal(reply.headers['access-control-expose-headers'], 'x-auth-token')
  })
})
