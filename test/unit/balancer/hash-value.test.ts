// The value consistent hashing hashes (kong/runloop/balancer/init.lua, get_value_to_hash), and the cookie
// and query readers against simple reference models on random and 1 MiB pathological input.

import t from 'tap'
import fc from 'fast-check'
import { cookieValue } from '../../../src/balancer/cookie-value.ts'
import { compileHashSpec, hashValue } from '../../../src/balancer/hash-value.ts'
import type { HashInput, UpstreamHashFields } from '../../../src/balancer/hash-value.ts'
import { MAX_URI_ARGS, queryArgValue } from '../../../src/balancer/query-arg.ts'
import { formUrlDecode } from '../../../src/plugins/url-decode.ts'

const MiB = 1024 * 1024

function input (fields: Partial<HashInput> = {}): HashInput {
  return { consumerId: null, credentialId: null, clientIp: '192.0.2.7', headers: {}, path: '/a/b', query: null, uriCaptures: null, setCookie: null, ...fields }
}

function value (fields: UpstreamHashFields, request: HashInput): string | null {
  return hashValue(compileHashSpec(fields), request)
}

t.test('each hash_on kind', async (t) => {
  t.equal(value({ hash_on: 'none' }, input()), null)
  t.equal(value({ hash_on: 'consumer' }, input({ consumerId: 'c1', credentialId: 'k1' })), 'c1')
  t.equal(value({ hash_on: 'consumer' }, input({ credentialId: 'k1' })), 'k1')
  t.equal(value({ hash_on: 'ip' }, input()), '192.0.2.7')
  t.equal(value({ hash_on: 'header', hash_on_header: 'X-Tenant' }, input({ headers: { 'x-tenant': 'acme' } })), 'acme')
  t.equal(value({ hash_on: 'header', hash_on_header: 'X-Tenant' }, input({ headers: { 'x-tenant': '' } })), '', 'empty is a value')
  t.equal(value({ hash_on: 'header', hash_on_header: 'set-cookie' }, input({ headers: { 'set-cookie': ['a', 'b'] } })), 'a, b')
  t.equal(value({ hash_on: 'path' }, input()), '/a/b')
  t.equal(value({ hash_on: 'query_arg', hash_on_query_arg: 'user' }, input({ query: 'x=1&user=bob' })), 'bob')
  t.equal(value({ hash_on: 'query_arg', hash_on_query_arg: 'user' }, input({ query: 'user=z&user&user=a%20b' })), 'a b,true,z')
  t.equal(value({ hash_on: 'uri_capture', hash_on_uri_capture: 'id' }, input({ uriCaptures: { id: '42', 1: '42' } })), '42')
  t.equal(value({ hash_on: 'uri_capture', hash_on_uri_capture: '1' }, input({ uriCaptures: { 1: '42' } })), '42')
})

t.test('hash_fallback when hash_on finds nothing; none when neither does', async (t) => {
  const fields: UpstreamHashFields = { hash_on: 'header', hash_on_header: 'x-a', hash_fallback: 'query_arg', hash_fallback_query_arg: 'q' }
  t.equal(value(fields, input({ headers: { 'x-a': '1' }, query: 'q=2' })), '1')
  t.equal(value(fields, input({ query: 'q=2' })), '2')
  t.equal(value(fields, input({ query: 'r=2' })), null)
  t.equal(value({ hash_on: 'consumer', hash_fallback: 'ip' }, input()), '192.0.2.7')
  t.equal(value({ hash_on: 'header', hash_on_header: 'x-a', hash_fallback: 'header', hash_fallback_header: 'X-B' }, input({ headers: { 'x-b': 'b' } })), 'b')
  t.equal(value({ hash_on: 'uri_capture', hash_on_uri_capture: 'id', hash_fallback: 'path' }, input()), '/a/b')
})

t.test('cookie: its value, or a new uuid with the Set-Cookie Kong sends', async (t) => {
  const fields: UpstreamHashFields = { hash_on: 'cookie', hash_on_cookie: 'Affinity', hash_on_cookie_path: '/app' }
  const found = input({ headers: { cookie: 'a=1; affinity=xyz; b=2' } })
  t.equal(value(fields, found), 'xyz')
  t.equal(found.setCookie, null)
  const fresh = input({ headers: { cookie: 'a=1' } })
  const made = value(fields, fresh)!
  t.match(made, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.equal(fresh.setCookie, `Affinity=${made}; Path=/app; Same-Site=Lax; HttpOnly`)
  const other = value({ hash_on: 'cookie', hash_on_cookie: 'c' }, input())!
  t.not(other, made)
})

// ---- the readers against models ----

/** The obvious nginx cookie lookup: split on ';', trim leading spaces, name case-insensitive, '=' after spaces. */
function modelCookie (header: string, name: string): string | null {
  for (const pair of header.split(';')) {
    const rest = pair.replace(/^ */, '')
    if (rest.length < name.length || rest.slice(0, name.length).toLowerCase() !== name) continue
    const after = rest.slice(name.length).replace(/^ */, '')
    if (after.startsWith('=')) return after.slice(1).replace(/^ */, '')
  }
  return null
}

/** get_uri_args then get_query_arg's normalisation, the obvious way. */
function modelQuery (query: string, name: string): string | null {
  const values: string[] = []
  let args = 0
  for (const pair of query.split('&')) {
    if (args === MAX_URI_ARGS) break
    const eq = pair.indexOf('=')
    const key = formUrlDecode(eq === -1 ? pair : pair.slice(0, eq))
    if (key === '') continue
    args++
    if (key === name) values.push(eq === -1 ? 'true' : formUrlDecode(pair.slice(eq + 1)))
  }
  if (values.length === 0) return null
  return values.length === 1 ? values[0] : values.sort().join(',')
}

const COOKIE_ATOMS = [';', ' ', '=', 'sid', 'SID', 's', 'si', 'x', 'v', '\t', ',', '%3B', 'sidx']
const QUERY_ATOMS = ['&', '=', '%', '+', '%20', '%zz', 'q', 'Q', 'q2', '%71', 'v', 'é', 'qq', '==', '&&']
const text = (atoms: string[]): fc.Arbitrary<string> => fc.array(fc.constantFrom(...atoms), { maxLength: 40 }).map((a) => a.join(''))
/** a pathological input: a short unit repeated up to 1 MiB, sometimes with a real match at the end */
const pathological = (atoms: string[], tail: string): fc.Arbitrary<string> =>
  fc.tuple(fc.array(fc.constantFrom(...atoms), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: MiB }), fc.boolean())
    .map(([unit, size, withTail]) => {
      const u = unit.join('')
      return u.repeat(Math.ceil(size / u.length)).slice(0, size) + (withTail ? tail : '')
    })

t.test('cookieValue = the split model', async (t) => {
  fc.assert(fc.property(text(COOKIE_ATOMS), (header) => {
    t.equal(cookieValue(header, 'sid'), modelCookie(header, 'sid'))
  }), { numRuns: 1000 })
  fc.assert(fc.property(pathological(COOKIE_ATOMS, '; sid=found'), (header) => {
    t.equal(cookieValue(header, 'sid'), modelCookie(header, 'sid'))
  }), { numRuns: 20 })
})

t.test('queryArgValue = the split model', async (t) => {
  fc.assert(fc.property(text(QUERY_ATOMS), (query) => {
    t.equal(queryArgValue(query, 'q'), modelQuery(query, 'q'))
  }), { numRuns: 1000 })
  fc.assert(fc.property(pathological(QUERY_ATOMS, '&q=found'), (query) => {
    t.equal(queryArgValue(query, 'q'), modelQuery(query, 'q'))
  }), { numRuns: 20 })
})

t.test('1 MiB of separators reads in linear time', async (t) => {
  // quadratic work on 1 MiB takes minutes; linear takes milliseconds (2 s: room for a loaded machine)
  for (const unit of ['&', '=', '&=', 'a&', ';', ' ', 'x=;', 'q']) {
    const big = unit.repeat(MiB / unit.length)
    const start = process.hrtime.bigint()
    queryArgValue(big, 'q')
    cookieValue(big, 'sid')
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    t.ok(ms < 2000, `${JSON.stringify(unit)} × ${big.length}: ${ms.toFixed(1)} ms`)
  }
})
