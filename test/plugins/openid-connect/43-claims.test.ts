// Kong's claims.find (kong/plugins/openid-connect/claims.lua) on hostile JSON: findClaim, claimText,
// the Lua number printing and the lua-cjson encoding that header values use.

import t from 'tap'
import fc from 'fast-check'
import {
  claimText, findClaim, jsonText, luaNumberString, MAX_ENCODE_DEPTH
} from '../../../src/plugins/openid-connect/worker/claims.ts'

t.test('findClaim walks objects by own key and arrays by 1-based Lua position', async (t) => {
  const claims = JSON.parse('{"a":{"b":"x"},"list":["one",{"deep":"two"}],"1":"key one","s":"str","n":5}')
  t.equal(findClaim(claims, ['a', 'b']), 'x')
  t.equal(findClaim(claims, ['list', '1']), 'one')
  t.equal(findClaim(claims, ['list', '2', 'deep']), 'two')
  t.equal(findClaim(claims, ['list', '0']), undefined, 'Lua arrays start at 1')
  t.equal(findClaim(claims, ['list', '3']), undefined)
  t.equal(findClaim(claims, ['list', '-1']), undefined)
  t.equal(findClaim(claims, ['list', '1.0']), 'one', 'tonumber reads 1.0 as a whole number')
  t.equal(findClaim(claims, ['list', ' 2 ', 'deep']), 'two', 'tonumber skips blanks')
  t.equal(findClaim(claims, ['list', '0x1']), 'one', 'tonumber reads hex')
  t.equal(findClaim(claims, ['list', '1.5']), undefined)
  t.equal(findClaim(claims, ['list', 'length']), undefined, 'no array property is a step')
  t.equal(findClaim(claims, ['1']), 'key one', 'an object key that looks like a number is a key')
  t.equal(findClaim(claims, ['s', 'len']), undefined, 'a string is no table (Lua would find string.len)')
  t.equal(findClaim(claims, ['s', '1']), undefined)
  t.equal(findClaim(claims, ['n', 'x']), undefined, 'a number is no table (a Lua error in Kong)')
  t.equal(findClaim(claims, ['missing']), undefined)
  t.same(findClaim(claims, []), claims, 'an empty path is the whole payload, as in Kong')
})

t.test('findClaim: false and null are absent, a JSON string is not parsed', async (t) => {
  const claims = JSON.parse('{"f":false,"z":null,"j":"{\\"a\\":1}","zero":0,"empty":""}')
  t.equal(findClaim(claims, ['f']), undefined)
  t.equal(findClaim(claims, ['z']), undefined)
  t.equal(findClaim(claims, ['j', 'a']), undefined)
  t.equal(findClaim(claims, ['zero']), 0, '0 is truthy in Lua')
  t.equal(findClaim(claims, ['empty']), '', '"" is truthy in Lua')
})

t.test('findClaim never reads Object.prototype', async (t) => {
  const claims = JSON.parse('{"__proto__":{"polluted":"yes"},"x":{}}')
  t.same(findClaim(claims, ['__proto__']), { polluted: 'yes' }, 'an own "__proto__" claim is data')
  t.equal(findClaim(claims, ['__proto__', 'polluted']), 'yes')
  for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
    t.equal(findClaim(claims, ['x', key]), undefined, key)
    t.equal(findClaim({}, [key]), undefined, key)
  }
  t.equal(findClaim(Object.create(null), ['toString']), undefined)
})

t.test('claimText is claims.find without no_transform', async (t) => {
  t.equal(claimText('a b'), 'a b')
  t.equal(claimText(['a', 'b c', 3]), 'a b c 3', 'table.concat(t, " ")')
  t.equal(claimText([]), '')
  t.equal(claimText({ a: 'x' }), '', 'concat sees no array part in an object')
  t.equal(claimText(true), 'true')
  t.equal(claimText(false), null)
  t.equal(claimText(null), null)
  t.equal(claimText(undefined), null)
  t.equal(claimText(['a', true]), null, 'concat raises on a boolean: absent here')
  t.equal(claimText(['a', ['b']]), null)
  t.equal(claimText(['a', null]), null)
  t.equal(claimText(12), '12')
})

t.test('luaNumberString is C %.14g', async (t) => {
  const cases: Array<[number, string]> = [
    [0, '0'], [-0, '-0'], [1, '1'], [-7, '-7'], [1.5, '1.5'], [0.1, '0.1'], [1 / 3, '0.33333333333333'],
    [123456789012345, '1.2345678901234e+14'], [12345678901234, '12345678901234'], [1e14, '1e+14'],
    [1e20, '1e+20'], [1700000000, '1700000000'], [0.0001, '0.0001'], [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'], [1e100, '1e+100'], [2 ** 53, '9.007199254741e+15'], [100000000000000.5, '1e+14'], [12345678901234.5, '12345678901234'], [12345678901235.5, '12345678901236'], [-2.5e-300, '-2.5e-300'],
    [Infinity, 'inf'], [-Infinity, '-inf'], [NaN, 'nan'], [99999999999999.98, '1e+14']
  ]
  for (const [n, text] of cases) t.equal(luaNumberString(n), text, String(n))
})

t.test('jsonText encodes as lua-cjson does', async (t) => {
  t.equal(jsonText({ iss: 'https://idp/x', n: 1e20, a: [1, 'b', null, true] }), '{"iss":"https:\\/\\/idp\\/x","n":1e+20,"a":[1,"b",null,true]}')
  t.equal(jsonText('\u0001\n"\\é'), '"\\u0001\\n\\"\\\\é"')
  t.equal(jsonText({ x: Infinity }), null, 'cjson refuses inf')
  let deep: unknown = 'leaf'
  for (let i = 0; i < MAX_ENCODE_DEPTH; i++) deep = [deep]
  t.type(jsonText(deep), 'string', 'at the depth limit')
  t.equal(jsonText([deep]), null, 'one deeper: cjson.safe gives nil')
  let deeper: unknown = {}
  for (let i = 0; i < 100_000; i++) deeper = { a: deeper }
  t.equal(jsonText(deeper), null, 'no stack overflow on very deep values')
})

// the reference model: what claims.find does, written as plainly as possible (canonical numerals only)
function naiveFind (claims: unknown, path: readonly string[]): unknown {
  let value = claims
  for (const step of path) {
    if (Array.isArray(value)) value = /^[1-9]\d*$/.test(step) ? value[Number(step) - 1] : undefined
    else if (value !== null && typeof value === 'object' && Object.keys(value).includes(step)) value = (value as Record<string, unknown>)[step]
    else return undefined
    if (value === undefined || value === null || value === false) return undefined
  }
  return value
}

const hostileKey = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'length', '1', '2', '0', 'a'))
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string({ maxLength: 6 }),
    fc.array(tie('value'), { maxLength: 5 }), fc.dictionary(hostileKey, tie('value'), { maxKeys: 5 }))
})).value
// JSON.parse makes "__proto__" an own key, as a token's payload would have it
const payload = fc.dictionary(hostileKey, json, { maxKeys: 6 }).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>)
const path = fc.array(fc.oneof(hostileKey, fc.constantFrom('1', '2', '3')), { maxLength: 4 })

t.test('property: findClaim agrees with the reference model and never throws', async (t) => {
  fc.assert(fc.property(payload, path, (claims, p) => {
    const found = findClaim(claims, p)
    if (found !== naiveFind(claims, p)) throw new Error('differs from the model')
    if (found !== undefined && p.length > 0 && Object.values(Object.getOwnPropertyDescriptors(Object.prototype)).some((d) => d.value === found)) {
      throw new Error('a value from Object.prototype')
    }
  }), { numRuns: 2000 })
  t.pass('held on every run')
})

t.test('property: claimText never throws and joins what concat joins', async (t) => {
  fc.assert(fc.property(json, (value) => {
    const text = claimText(value)
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      if (text !== value.join(' ')) throw new Error('join differs')
    }
    if (typeof value === 'string' && text !== value) throw new Error('string changed')
  }), { numRuns: 2000 })
  t.pass('held on every run')
})

t.test('property: jsonText reads back as the same JSON', async (t) => {
  fc.assert(fc.property(json, (value) => {
    const text = jsonText(value)
    if (text === null) throw new Error('finite JSON must encode')
    // numbers are rounded to 14 digits, so compare after the same rounding on both sides
    const round = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => typeof x === 'number' ? Number(luaNumberString(x)) : x))
    if (JSON.stringify(round(JSON.parse(text))) !== JSON.stringify(round(value))) throw new Error('round trip differs')
  }), { numRuns: 1000 })
  t.pass('held on every run')
})
