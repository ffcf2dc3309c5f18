// The headers cors composes (handler.ts), on stand-in requests: the preflight answer (CorsHandler:access)
// and a response's headers (CorsHandler:header_filter), after Kong's handler.lua and the expectations of
// spec/03-plugins/13-cors/01-access_spec.lua: Vary set once on a preflight and appended after the
// upstream's on a response (twice with "*" among several origins and credentials, as Kong's two
// add_header calls), credentials with "*" echoing the Origin, Access-Control-Allow-Credentials even when
// the origin is refused, an upstream's Access-Control-Allow-Origin replaced or removed, and
// kong.request.get_header's first value of a repeated header.

import t from 'tap'
import type { IncomingMessage } from 'node:http'
import { validate } from '../../../src/config/schema/engine.ts'
import { corsSchema } from '../../../src/plugins/cors/schema.ts'
import { CorsPolicy, addResponseHeaders, firstHeader, preflightHeaders, type CorsConfig } from '../../../src/plugins/cors/handler.ts'

function policy (config: Record<string, unknown>): CorsPolicy {
  const { value, issues } = validate(corsSchema.configSchema, config, 'config')
  if (issues.length > 0) throw new Error(JSON.stringify(issues))
  return new CorsPolicy(value as CorsConfig)
}

/** A request as node:http gives it: lower-case joined headers, and the raw list. */
function request (raw: string[], method = 'OPTIONS'): IncomingMessage {
  const headers: Record<string, string> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    headers[name] = headers[name] === undefined ? raw[i + 1] : `${headers[name]}, ${raw[i + 1]}`
  }
  return { method, headers, rawHeaders: raw } as unknown as IncomingMessage
}

const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT'

t.test('preflight: the defaults (cors1)', async (t) => {
  t.strictSame(preflightHeaders(policy({}), request(['Origin', 'origin1.test']), 'origin1.test'), {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': DEFAULT_METHODS
  })
})

t.test('preflight: config options (cors2)', async (t) => {
  const p = policy({ origins: ['example.test'], methods: ['GET'], headers: ['origin', 'type', 'accepts'], exposed_headers: ['x-auth-token'], max_age: 23, credentials: true })
  t.strictSame(preflightHeaders(p, request(['Origin', 'origin5.test']), 'origin5.test'), {
    vary: 'Origin',
    'access-control-allow-origin': 'example.test',
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'origin,type,accepts',
    'access-control-allow-methods': 'GET',
    'access-control-max-age': '23'
  })
})

t.test('preflight: "*" with credentials echoes the Origin (cors5), request headers echoed', async (t) => {
  const p = policy({ origins: ['*'], credentials: true })
  t.strictSame(preflightHeaders(p, request(['Origin', 'origin5.test', 'Access-Control-Request-Headers', 'origin,accepts']), 'origin5.test'), {
    vary: 'Origin',
    'access-control-allow-origin': 'origin5.test',
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'origin,accepts',
    'access-control-allow-methods': DEFAULT_METHODS
  })
})

t.test('preflight: private network only when asked with "true" (cors13)', async (t) => {
  const p = policy({ origins: ['allowed-domain.test'], private_network: true })
  t.equal(preflightHeaders(p, request(['Access-Control-Request-Private-Network', 'true']), 'x')['access-control-allow-private-network'], 'true')
  t.equal(preflightHeaders(p, request(['Access-Control-Request-Private-Network', 'yes']), 'x')['access-control-allow-private-network'], undefined)
  t.equal(preflightHeaders(policy({}), request(['Access-Control-Request-Private-Network', 'true']), 'x')['access-control-allow-private-network'],
    undefined, 'off by default')
})

t.test('preflight: a refused origin still gets credentials; empty methods send nothing', async (t) => {
  const p = policy({ origins: ['http://a.test', 'http://b.test'], credentials: true, methods: [] })
  t.strictSame(preflightHeaders(p, request([]), 'http://evil.test'), { vary: 'Origin', 'access-control-allow-credentials': 'true' })
})

t.test('response: defaults, upstream Vary kept, upstream ACAO replaced or removed', async (t) => {
  let headers: Record<string, string | string[]> = { 'access-control-allow-origin': 'https://upstream.test' }
  addResponseHeaders(policy({}), null, headers)
  t.strictSame(headers, { 'access-control-allow-origin': '*' }, 'no Vary for allow-all')

  headers = { vary: 'Accept-Encoding' }
  addResponseHeaders(policy({ origins: ['example.test'], exposed_headers: ['x-auth-token'] }), 'example.test', headers)
  t.strictSame(headers, { vary: ['Accept-Encoding', 'Origin'], 'access-control-allow-origin': 'example.test', 'access-control-expose-headers': 'x-auth-token' })

  // cors12: "removes upstream ACAO header when no match is found", credentials sent anyway
  const p = policy({ origins: ['a.xxx.test', 'allowed-domain.test'], credentials: true })
  headers = { 'access-control-allow-origin': '*', 'response-header': 'is-added' }
  addResponseHeaders(p, 'allowed-domain.test', headers)
  t.strictSame(headers, { 'access-control-allow-origin': 'allowed-domain.test', 'response-header': 'is-added', vary: 'Origin', 'access-control-allow-credentials': 'true' })
  headers = { 'access-control-allow-origin': '*' }
  addResponseHeaders(p, 'disallowed-domain.test', headers)
  t.strictSame(headers, { vary: 'Origin', 'access-control-allow-credentials': 'true' })
})

t.test('response: "*" among several with credentials adds Vary twice, as Kong does', async (t) => {
  const headers: Record<string, string | string[]> = {}
  addResponseHeaders(policy({ origins: ['foo.bar', '*'], credentials: true }), 'http://www.example.net', headers)
  t.strictSame(headers, { vary: ['Origin', 'Origin'], 'access-control-allow-origin': 'http://www.example.net', 'access-control-allow-credentials': 'true' })
})

t.test('response: "*" with credentials but no Origin: "*" and no credentials', async (t) => {
  const headers: Record<string, string | string[]> = {}
  addResponseHeaders(policy({ credentials: true }), null, headers)
  t.strictSame(headers, { 'access-control-allow-origin': '*' })
})

t.test('the first value of a repeated header, as kong.request.get_header', async (t) => {
  const req = request(['Origin', 'http://a.test', 'X-Other', 'x', 'ORIGIN', 'http://b.test'])
  t.equal(req.headers.origin, 'http://a.test, http://b.test', 'node joins them')
  t.equal(firstHeader(req, 'origin'), 'http://a.test')
  t.equal(firstHeader(request(['Access-Control-Request-Headers', 'a,b']), 'access-control-request-headers'), 'a,b', 'one header with a comma is kept whole')
  t.equal(firstHeader(request([]), 'origin'), undefined)
})
