// upstream/downstream_headers_names + _claims and the value rendering of Kong's headers.lua get.

import t from 'tap'
import fc from 'fast-check'
import { createClaimHeaders, encodeHeaderValue, headerSafe } from '../../../src/plugins/openid-connect/worker/claim-headers.ts'

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

t.test('encodeHeaderValue renders as headers.lua get', async (t) => {
  t.equal(encodeHeaderValue('alice'), 'alice')
  t.equal(encodeHeaderValue(1700000000), '1700000000')
  t.equal(encodeHeaderValue(0.5), '0.5')
  t.equal(encodeHeaderValue(1e20), '1e+20', 'Lua prints numbers with %.14g')
  t.equal(encodeHeaderValue(true), 'true')
  t.equal(encodeHeaderValue(false), null)
  t.equal(encodeHeaderValue(null), null)
  t.equal(encodeHeaderValue(undefined), null)
  t.equal(encodeHeaderValue(['a', 'b']), b64('["a","b"]'), 'a table is JSON, then base64')
  t.equal(encodeHeaderValue({ iss: 'https://idp/' }), b64('{"iss":"https:\\/\\/idp\\/"}'), 'cjson escapes /')
  t.equal(encodeHeaderValue({ n: Infinity }), null, 'cjson cannot encode it: no header')
})

t.test('a value node:http would refuse goes out safe', async (t) => {
  t.equal(encodeHeaderValue('a\r\nx-injected: 1'), 'a%0D%0Ax-injected: 1', 'CR LF escaped as nginx escapes them')
  t.equal(encodeHeaderValue('nul\u0000'), 'nul%00')
  t.equal(encodeHeaderValue('bell\u0007del\u007f'), 'bell%07del%7F')
  t.equal(encodeHeaderValue('tab\tok'), 'tab\tok')
  t.equal(encodeHeaderValue('José 日本'), Buffer.from('José 日本', 'utf8').toString('latin1'), 'UTF-8 bytes, as latin1')
})

t.test('property: headerSafe output is always a valid node header value, and lossless for printable ASCII', async (t) => {
  const INVALID = /[^\t\x20-\x7e\x80-\xff]/
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
    const safe = headerSafe(text)
    if (INVALID.test(safe)) throw new Error('invalid header character')
    if (/^[\t\x20-\x7e]*$/.test(text) && safe !== text) throw new Error('changed a safe value')
  }), { numRuns: 3000 })
  t.pass('held on every run')
})

t.test('createClaimHeaders pairs names and claims by position', async (t) => {
  t.equal(createClaimHeaders(null, ['sub']), null)
  t.equal(createClaimHeaders(['x-sub'], null), null)
  t.equal(createClaimHeaders([], []), null)
  const headers = createClaimHeaders(['X-Sub', 'x-Groups', 'x-missing', 'x-extra'], ['sub', 'groups', 'nope'])
  if (headers === null) throw new Error('expected headers')
  t.same(headers({ sub: 'alice', groups: ['a', 'b'] }), [['x-sub', 'alice'], ['x-groups', b64('["a","b"]')]],
    'names lower-cased; a name without a claim is skipped')
})

t.test('a claim is one top-level name, and get_value drops empty values', async (t) => {
  const headers = createClaimHeaders(['x-a', 'x-b', 'x-c', 'x-d', 'x-e', 'x-f', 'x-g'], ['a.b', 'empty', 'none', 'obj', 'arr', 'f', '__proto__'])
  if (headers === null) throw new Error('expected headers')
  t.same(headers(JSON.parse('{"a":{"b":"nested"},"a.b":"dotted","empty":"","none":null,"obj":{},"arr":[],"f":false}')),
    [['x-a', 'dotted']], 'no path, no empty string, null, empty table or false')
  t.same(headers(JSON.parse('{"__proto__":{"x":1}}')), [['x-g', b64('{"x":1}')]], 'an own __proto__ claim is data')
  t.same(headers({}), [], 'Object.prototype is not a claim')
})

t.test('authorization:bearer, :basic, :dpop write Authorization', async (t) => {
  const headers = createClaimHeaders(['authorization:bearer', 'Authorization:Basic', 'authorization:dpop'], ['t', 't', 't'])
  if (headers === null) throw new Error('expected headers')
  t.same(headers({ t: 'tok' }), [['authorization', 'Bearer tok'], ['authorization', 'Basic tok'], ['authorization', 'DPoP tok']])
})

t.test('a header name that is not a token is refused when the instance is built', async (t) => {
  t.throws(() => createClaimHeaders(['bad name'], ['sub']), TypeError)
  t.throws(() => createClaimHeaders(['x-ok\r\n'], ['sub']), TypeError)
})
