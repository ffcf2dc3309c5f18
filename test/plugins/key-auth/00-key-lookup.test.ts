// key-auth's key lookup (src/plugins/key-auth/key-lookup.ts), which reads attacker input: the query and form
// scanner against URLSearchParams (what a parsed query says), removal of an argument, JSON members, and the
// config schema's defaults and key_names rule (kong/plugins/key-auth/schema.lua).

import t from 'tap'
import fc from 'fast-check'
import { ABSENT, DUPLICATE, NOT_A_STRING, argValue, jsonValue, mediaType, parseJsonBody, withoutArg } from '../../../src/plugins/key-auth/key-lookup.ts'
import { keyAuthSchema } from '../../../src/plugins/key-auth/schema.ts'
import { validate } from '../../../src/config/schema/engine.ts'

t.test('argValue: Kong get_query semantics', async (t) => {
  t.equal(argValue('apikey=abc', 'apikey'), 'abc')
  t.equal(argValue('a=1&apikey=a%20b+c&b=2', 'apikey'), 'a b c', 'decoded, + as a space')
  t.equal(argValue('apikey=%zz', 'apikey'), '%zz', 'an undecodable value is kept as sent')
  t.equal(argValue('apikey', 'apikey'), NOT_A_STRING, '?apikey alone is true in Kong')
  t.equal(argValue('apikey=', 'apikey'), '', 'empty')
  t.equal(argValue('apikey=a&apikey=b', 'apikey'), DUPLICATE)
  t.equal(argValue('apikey&apikey=b', 'apikey'), DUPLICATE)
  t.equal(argValue('apikeys=a&xapikey=b', 'apikey'), ABSENT, 'only the exact name')
  t.equal(argValue('', 'apikey'), ABSENT)
})

const NAME = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/)
// query text with the characters that matter to a scanner: separators, '=', '+', '%' and the name's own
const QUERY = fc.array(fc.constantFrom('a', 'k', '=', '&', '+', '%', '%20', '%2', 'ey', 'apikey', 'apikey=', 'é'), { maxLength: 30 }).map((parts) => parts.join(''))

t.test('argValue agrees with a full parse of the query (property)', async (t) => {
  fc.assert(fc.property(QUERY, fc.constantFrom('apikey', 'a', 'k'), (query, name) => {
    const found = argValue(query, name)
    const pairs = query.split('&').filter((pair) => pair.split('=')[0] === name)
    if (pairs.length === 0) return found === ABSENT
    if (pairs.length > 1) return found === DUPLICATE
    if (!pairs[0].includes('=')) return found === NOT_A_STRING
    const raw = pairs[0].slice(name.length + 1).replaceAll('+', ' ')
    let decoded = raw
    try { decoded = decodeURIComponent(raw) } catch {}
    return found === decoded
  }))
  t.pass('agrees')
})

t.test('withoutArg removes every occurrence and keeps the rest in order (property)', async (t) => {
  fc.assert(fc.property(QUERY, NAME, (query, name) => {
    const out = withoutArg(query, name)
    const kept = query.split('&').filter((pair) => pair !== '' && pair.split('=')[0] !== name)
    return out === kept.join('&') && argValue(out, name) === ABSENT
  }))
  t.equal(withoutArg('a=1&apikey=x&b=2&apikey', 'apikey'), 'a=1&b=2')
})

t.test('argValue never throws on any string (property)', async (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), NAME, (query, name) => {
    const found = argValue(query, name)
    return typeof found === 'string' || found === ABSENT || found === DUPLICATE || found === NOT_A_STRING
  }))
  t.pass('total')
})

t.test('JSON bodies: a string is the key, an object or array is Kong\'s table (duplicate)', async (t) => {
  const body = parseJsonBody('{"apikey":"k","list":["a"],"obj":{},"n":1,"z":null}')
  t.equal(jsonValue(body, 'apikey'), 'k')
  t.equal(jsonValue(body, 'list'), DUPLICATE)
  t.equal(jsonValue(body, 'obj'), DUPLICATE)
  t.equal(jsonValue(body, 'n'), NOT_A_STRING)
  t.equal(jsonValue(body, 'z'), ABSENT)
  t.equal(jsonValue(body, 'toString'), ABSENT, 'own members only')
  t.equal(parseJsonBody('[1]'), null)
  t.equal(parseJsonBody('{'), null)
  t.equal(mediaType('Application/JSON; charset=utf-8'), 'application/json')
  t.equal(mediaType(undefined), '')
})

t.test('schema: Kong defaults and the key_names rule', async (t) => {
  const defaults = validate(keyAuthSchema.configSchema, {}, 'config')
  t.same(defaults.issues, [])
  t.strictSame(defaults.value, {
    key_names: ['apikey'],
    hide_credentials: false,
    anonymous: null,
    key_in_header: true,
    key_in_query: true,
    key_in_body: false,
    run_on_preflight: true,
    realm: null,
  })
  const bad = validate(keyAuthSchema.configSchema, { key_names: ['api key'] }, 'config')
  t.strictSame(bad.issues, [{ path: 'config.key_names[0]', message: "bad header name 'api key', allowed characters are A-Z, a-z, 0-9, '_', and '-'" }])
  t.equal(keyAuthSchema.noConsumer, true, 'no_consumer')
})
