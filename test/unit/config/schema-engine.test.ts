import t from 'tap'
import { joinPath, joinRelative, redact, validate, type ConfigNotice, type FieldSchema } from '../../../src/config/schema/engine.ts'
import { allOf, atLeastOneOf, mutuallyExclusive, requires } from '../../../src/config/schema/checks.ts'

t.test('joinPath', async (t) => {
  t.equal(joinPath('a', 0), 'a[0]')
  t.equal(joinPath('a', 'b'), 'a.b')
  t.equal(joinPath('', 'b'), 'b')
  t.equal(joinPath('', 2), '[2]')
  t.equal(joinPath('headers', 'x-tenant'), 'headers.x-tenant')
  t.equal(joinPath('headers', 'has space'), 'headers["has space"]')
  t.equal(joinRelative('config', ''), 'config')
  t.equal(joinRelative('config', 'a'), 'config.a')
  t.equal(joinRelative('config', '[1]'), 'config[1]')
  t.equal(joinRelative('', 'a'), 'a')
})

t.test('type errors use Kong messages', async (t) => {
  const cases: Array<[FieldSchema, unknown, string]> = [
    [{ type: 'string' }, 1, 'expected a string'],
    [{ type: 'integer' }, 1.5, 'expected an integer'],
    [{ type: 'integer' }, '1', 'expected an integer'],
    [{ type: 'number' }, 'x', 'expected a number'],
    [{ type: 'number' }, Infinity, 'expected a number'],
    [{ type: 'boolean' }, 'true', 'expected a boolean'],
    [{ type: 'array', elements: { type: 'string' } }, 'x', 'expected an array'],
    [{ type: 'set', elements: { type: 'string' } }, {}, 'expected a set'],
    [{ type: 'record', fields: {} }, [], 'expected a record'],
    [{ type: 'map', keys: { type: 'string' }, values: { type: 'string' } }, 'x', 'expected a map'],
  ]
  for (const [schema, input, message] of cases) {
    t.strictSame(validate(schema, input, 'f').issues, [{ path: 'f', message }], `${schema.type} ${JSON.stringify(input)}`)
  }
})

t.test('string rules', async (t) => {
  t.strictSame(validate({ type: 'string' }, '', 'f').issues, [{ path: 'f', message: 'length must be at least 1' }], 'empty refused by default')
  t.strictSame(validate({ type: 'string', len_min: 0 }, '', 'f').issues, [])
  t.strictSame(validate({ type: 'string', len_max: 2 }, 'abc', 'f').issues, [{ path: 'f', message: 'length must be at most 2' }])
  t.strictSame(validate({ type: 'string', one_of: ['http', 'https'] }, 'ftp', 'f').issues,
    [{ path: 'f', message: 'expected one of: http, https' }])
  t.strictSame(validate({ type: 'string', match: /^[A-Z]+$/ }, 'get', 'f').issues, [{ path: 'f', message: 'invalid value: get' }])
  t.strictSame(validate({ type: 'string', match: /^[A-Z]+$/, match_description: 'upper-case' }, 'get', 'f').issues,
    [{ path: 'f', message: 'invalid value: get (upper-case)' }])
  t.strictSame(validate({ type: 'string', url: true }, 'not a url', 'f').issues, [{ path: 'f', message: 'invalid url: not a url' }])
  t.strictSame(validate({ type: 'string', url: true }, 'ftp://x', 'f').issues, [{ path: 'f', message: 'invalid url: ftp://x' }])
  t.strictSame(validate({ type: 'string', url: true }, 'https://idp.example.com/realms/a', 'f').issues, [])
  t.strictSame(validate({ type: 'string', custom: (v) => v === 'ok' ? null : 'not ok' }, 'no', 'f').issues, [{ path: 'f', message: 'not ok' }])
})

t.test('secret values never appear in messages', async (t) => {
  const schema: FieldSchema = { type: 'string', secret: true, match: /^[a-z]+$/, url: true }
  const { issues } = validate(schema, 'S3CRET!', 'f')
  t.equal(issues.length, 1)
  t.notMatch(issues[0].message, /S3CRET/)
})

t.test('number rules', async (t) => {
  t.strictSame(validate({ type: 'integer', between: [0, 32767] }, 40000, 'f').issues,
    [{ path: 'f', message: 'value should be between 0 and 32767' }])
  t.strictSame(validate({ type: 'integer', between: [0, 32767] }, 32767, 'f').issues, [])
  t.strictSame(validate({ type: 'number', gt: 0 }, 0, 'f').issues, [{ path: 'f', message: 'value must be greater than 0' }])
  t.strictSame(validate({ type: 'integer', one_of: [426, 301] }, 302, 'f').issues, [{ path: 'f', message: 'expected one of: 426, 301' }])
})

t.test('absent, null, defaults and required', async (t) => {
  const schema: FieldSchema = {
    type: 'record',
    fields: {
      a: { type: 'string', required: true },
      b: { type: 'integer', default: 5 },
      c: { type: 'string' },
      d: { type: 'array', elements: { type: 'string' }, default: ['x'] },
      e: { type: 'boolean', default: true },
    },
  }
  const absent = validate(schema, {}, 'r')
  t.strictSame(absent.issues, [{ path: 'r.a', message: 'required field missing' }])
  t.strictSame(absent.value, { a: null, b: 5, c: null, d: ['x'], e: true })
  const nulls = validate(schema, { a: 'v', b: null, c: null, d: null, e: null }, 'r')
  t.strictSame(nulls.issues, [])
  t.strictSame(nulls.value, { a: 'v', b: 5, c: null, d: ['x'], e: true }, 'explicit null: the default where there is one, else null')
  t.strictSame(validate(schema, { a: null }, 'r').issues, [{ path: 'r.a', message: 'required field missing' }])
  const required: FieldSchema = { type: 'record', fields: { f: { type: 'integer', required: true, default: 1 } } }
  t.strictSame(validate(required, { f: null }, 'r').issues, [{ path: 'r.f', message: 'required field missing' }],
    'a required field given null is an error even with a default, as Kong validates it')
})

t.test('defaults are copies', async (t) => {
  const schema: FieldSchema = { type: 'record', fields: { d: { type: 'array', elements: { type: 'string' }, default: ['x'] } } }
  const first = validate(schema, {}, '').value as { d: string[] }
  first.d.push('y')
  t.strictSame((validate(schema, {}, '').value as { d: string[] }).d, ['x'])
})

t.test('an absent record is filled with its defaults, or null when that is not valid', async (t) => {
  const schema: FieldSchema = {
    type: 'record',
    fields: {
      session: { type: 'record', fields: { ttl: { type: 'integer', default: 60 } } },
      client: { type: 'record', fields: { id: { type: 'string', required: true } } },
      must: { type: 'record', required: true, fields: { id: { type: 'string', required: true } } },
    },
  }
  const { value, issues } = validate(schema, {}, 'c')
  t.strictSame(value, { session: { ttl: 60 }, client: null, must: null })
  t.strictSame(issues, [{ path: 'c.must', message: 'required field missing' }])
})

t.test('unknown fields are reported, each', async (t) => {
  const schema: FieldSchema = { type: 'record', fields: { a: { type: 'string' } } }
  t.strictSame(validate(schema, { a: 'x', b: 1, c: 2 }, 'r').issues, [
    { path: 'r.b', message: 'unknown field' },
    { path: 'r.c', message: 'unknown field' },
  ])
})

t.test('every error is collected, with nested paths', async (t) => {
  const schema: FieldSchema = {
    type: 'array',
    elements: { type: 'record', fields: { xs: { type: 'array', elements: { type: 'integer' } } } },
  }
  t.strictSame(validate(schema, [{ xs: [1, 'a'] }, { xs: ['b', null] }], 'list').issues, [
    { path: 'list[0].xs[1]', message: 'expected an integer' },
    { path: 'list[1].xs[0]', message: 'expected an integer' },
    { path: 'list[1].xs[1]', message: 'required field missing' },
  ])
})

t.test('array and set lengths; a set drops repeats', async (t) => {
  const set: FieldSchema = { type: 'set', elements: { type: 'string' }, len_min: 1, len_max: 2 }
  t.strictSame(validate(set, ['a', 'b', 'a'], 's'), { value: ['a', 'b'], issues: [] })
  t.strictSame(validate(set, [], 's').issues, [{ path: 's', message: 'length must be at least 1' }])
  t.strictSame(validate(set, ['a', 'b', 'c'], 's').issues, [{ path: 's', message: 'length must be at most 2' }])
})

t.test('map keys and values', async (t) => {
  const map: FieldSchema = { type: 'map', keys: { type: 'string', len_max: 3 }, values: { type: 'integer' } }
  t.strictSame(validate(map, { ok: 1, long: 2, bad: 'x' }, 'm').issues, [
    { path: 'm.long', message: 'length must be at most 3' },
    { path: 'm.bad', message: 'expected an integer' },
  ])
  const proto = validate(map, JSON.parse('{"__proto__": 1}'), 'm').value as Record<string, unknown>
  t.strictSame(Object.keys(proto), ['__proto__'], '__proto__ stays a plain key')
  t.equal(Object.getPrototypeOf(proto), Object.prototype)
})

t.test('any keeps the value and runs custom', async (t) => {
  t.strictSame(validate({ type: 'any' }, { a: [1] }, 'x'), { value: { a: [1] }, issues: [] })
  t.strictSame(validate({ type: 'any', custom: () => 'nope' }, 1, 'x').issues, [{ path: 'x', message: 'nope' }])
})

t.test('record checks run when the fields are valid, with paths relative to the record', async (t) => {
  const schema: FieldSchema = {
    type: 'record',
    fields: { message: { type: 'string' }, body: { type: 'string' }, n: { type: 'integer' } },
    checks: (value) => value.message !== null && value.body !== null
      ? [{ path: '', message: 'exclusive' }, { path: 'body', message: 'here' }]
      : [],
  }
  t.strictSame(validate(schema, { message: 'a', body: 'b' }, 'plugins[0].config').issues, [
    { path: 'plugins[0].config', message: 'exclusive' },
    { path: 'plugins[0].config.body', message: 'here' },
  ])
  t.strictSame(validate(schema, { message: 'a', body: 'b', n: 'x' }, 'c').issues,
    [{ path: 'c.n', message: 'expected an integer' }], 'checks skipped while a field is invalid')
})

t.test('check helpers', async (t) => {
  t.strictSame(atLeastOneOf('a', 'b')({ a: null, b: '' }), [{ path: '', message: "at least one of these fields must be non-empty: 'a', 'b'" }])
  t.strictSame(atLeastOneOf('a', 'b')({ a: null, b: 'x' }), [])
  t.strictSame(mutuallyExclusive('a', 'b')({ a: 1, b: 2 }), [{ path: '', message: "only one or none of these fields must be set: 'a', 'b'" }])
  t.strictSame(mutuallyExclusive('a', 'b')({ a: 1, b: null }), [])
  t.strictSame(requires('a', 'b')({ a: 'x', b: null }), [{ path: '', message: "'a' requires 'b'" }])
  t.strictSame(requires('a', 'b')({ a: null, b: null }), [])
  t.equal(allOf(atLeastOneOf('a'), requires('b', 'c'))({ a: null, b: 1, c: null }).length, 2)
})

t.test('validate leaves its input untouched', async (t) => {
  const input = { a: ['x', 'x'] }
  validate({ type: 'record', fields: { a: { type: 'set', elements: { type: 'string' } }, b: { type: 'integer', default: 1 } } }, input, '')
  t.strictSame(input, { a: ['x', 'x'] })
})

t.test('redact', async (t) => {
  const schema: FieldSchema = {
    type: 'record',
    fields: {
      client_id: { type: 'string' },
      client_secret: { type: 'array', elements: { type: 'string' }, secret: true },
      keys: { type: 'array', elements: { type: 'string', secret: true } },
      nested: { type: 'record', fields: { password: { type: 'string', secret: true }, user: { type: 'string' } } },
      headers: { type: 'map', keys: { type: 'string' }, values: { type: 'string', secret: true } },
      none: { type: 'string', secret: true },
    },
  }
  const value = {
    client_id: 'id',
    client_secret: ['s1'],
    keys: ['k1', 'k2'],
    nested: { password: 'p', user: 'u' },
    headers: { authorization: 'Bearer x' },
    none: null,
  }
  t.strictSame(redact(schema, value), {
    client_id: 'id',
    client_secret: '<redacted>',
    keys: ['<redacted>', '<redacted>'],
    nested: { password: '<redacted>', user: 'u' },
    headers: { authorization: '<redacted>' },
    none: null,
  })
  t.strictSame(value.keys, ['k1', 'k2'], 'the input is not changed')
})

t.test('omit: a field is validated but left out of the result', async (t) => {
  const schema: FieldSchema = {
    type: 'record',
    fields: {
      kept: { type: 'string' },
      legacy: { type: 'any', omit: true, custom: (v) => v === 'ok' ? null : 'not supported' }
    }
  }
  const accepted = validate(schema, { kept: 'a', legacy: 'ok' }, 'config')
  t.same(accepted.issues, [])
  t.same(accepted.value, { kept: 'a' }, 'the omitted field is not in the result')
  const refused = validate(schema, { legacy: 'other' }, 'config')
  t.same(refused.issues, [{ path: 'config.legacy', message: 'not supported' }], 'but it is still validated')
})

t.test('shorthand fields, as Kong\'s process_auto_fields expands them', async (t) => {
  // spec/01-unit/01-db/01-schema/01-schema_spec.lua, describe "shorthand_fields"
  const schema: FieldSchema = {
    type: 'record',
    fields: { field_A: { type: 'string' }, field_B: { type: 'record', fields: { x: { type: 'string' }, y: { type: 'string' } } } },
    shorthands: [
      { name: 'shorthand_A', schema: { type: 'string' }, expand: (value) => ({ field_A: value }) },
      { name: 'shorthand_B', schema: { type: 'string' }, expand: (value) => ({ field_B: { x: value } }) },
      { name: 'old_A', schema: { type: 'string' }, expand: (value) => ({ field_A: value }), deprecation: { message: 'old_A is deprecated', replacedWith: [{ path: ['field_A'] }] } },
    ],
  }
  t.strictSame(validate(schema, { shorthand_A: 'test1', field_A: 'ignored', shorthand_B: 'test2', field_B: { x: 'ignored', y: 'kept' } }, 'r'),
    { value: { field_A: 'test1', field_B: { x: 'test2', y: 'kept' } }, issues: [] }, '"takes precedence": a plain shorthand wins')
  t.strictSame(validate(schema, { shorthand_A: 3 }, 'r'), { value: null, issues: [{ path: 'r.shorthand_A', message: 'expected a string' }] },
    '"validates shorthands type check": its own error only')
  const notices: ConfigNotice[] = []
  t.strictSame(validate(schema, { old_A: 'v' }, 'r', notices).value, { field_A: 'v', field_B: { x: null, y: null } }, '"converts fields"')
  t.strictSame(notices, [{ path: 'r.old_A', message: 'old_A is deprecated' }])
  t.strictSame(validate(schema, { old_A: 'v', field_A: 'w' }, 'r').issues, [{
    path: 'r.old_A', message: 'both deprecated and new field are used but their values mismatch: old_A = v vs field_A = w',
  }], '"notifes of error if values mismatch with replaced field"')
  t.strictSame(validate(schema, { old_A: null }, 'r', notices).value, { field_A: null, field_B: { x: null, y: null } },
    '"allows to set explicit nulls": no value, no notice')
  t.equal(notices.length, 1)
})
