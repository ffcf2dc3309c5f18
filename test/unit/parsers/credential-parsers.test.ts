// The openid-connect parsers of attacker input against simple reference models, on random and on
// pathological inputs up to 1 MiB (runs of '&', '=', '%', '+', deep JSON, long base64): the form/query
// field reader, removeCredentialFields, the JSON body reader (lua-cjson's depth limit included), and the
// Basic Authorization parser. Their speed on such inputs is bench/micro/parsers.ts's business; this file
// checks only results.

import t from 'tap'
import fc from 'fast-check'
import { bodyCredentials, isBase64, parseBasicAuthorization } from '../../../src/plugins/openid-connect/worker/credentials.ts'
import { formUrlDecode, parseCredentialFields, removeCredentialFields } from '../../../src/plugins/openid-connect/worker/form-urlencoded.ts'
import type { CredentialFields } from '../../../src/plugins/openid-connect/worker/form-urlencoded.ts'
import { hideBodyCredentials } from '../../../src/plugins/openid-connect/worker/hide-credentials.ts'
import { MAX_JSON_DEPTH, parseJsonObject } from '../../../src/plugins/openid-connect/worker/json-object.ts'

const MiB = 1024 * 1024
const CREDENTIAL_NAMES = new Set(['client_id', 'client_secret', 'grant_type'])

/** A pathological input: `unit` repeated up to `size` characters (at most 1 MiB). */
function repeated (unit: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(unit.filter((u) => u.length > 0), fc.integer({ min: 1, max: MiB }))
    .map(([u, size]) => u.repeat(Math.ceil(size / u.length)).slice(0, size))
}

// ---- form / query fields ----

const FORM_ATOMS = ['&', '=', '%', '+', '%2', '%25', '%zz', '%C3%A9', '%E9', '%F0%9F', 'client_id', 'client_secret',
  'grant_type', 'client%5Fid', 'client_i%64', 'client+id', '%63', 'lient_id', 'lient_secret', '%5f', '%43', '%2B', '%7F', '%80',
  'a', 'x y', 'é', '\u{1F600}', '==', '&&', 'client_credentials']
const formAtom = fc.constantFrom(...FORM_ATOMS)
const formText = fc.array(formAtom, { maxLength: 40 }).map((a) => a.join(''))
const formUnit = fc.array(formAtom, { minLength: 1, maxLength: 4 }).map((a) => a.join(''))
/** pathological text, sometimes followed by real credentials (so the result is not always empty) */
const formPathological = fc.tuple(repeated(formUnit), fc.boolean())
  .map(([text, tail]) => tail ? `${text}&client_id=id%21&client_secret=s+e&grant_type=client_credentials` : text)

const FIELD_KEYS: Readonly<Record<string, keyof CredentialFields>> = { client_id: 'clientId', client_secret: 'clientSecret', grant_type: 'grantType' }

/** The obvious way: split on '&', then on the first '=', decode, first value wins; a field without '=' is no field. */
function modelFields (text: string): CredentialFields {
  const out: CredentialFields = { clientId: null, clientSecret: null, grantType: null }
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=')
    if (eq === -1) continue
    const key = FIELD_KEYS[formUrlDecode(pair.slice(0, eq))]
    if (key !== undefined && out[key] === null) out[key] = formUrlDecode(pair.slice(eq + 1))
  }
  return out
}

function modelRemove (text: string): string {
  const pairs = text.split('&')
  const kept = pairs.filter((pair) => {
    const eq = pair.indexOf('=')
    return !CREDENTIAL_NAMES.has(formUrlDecode(eq === -1 ? pair : pair.slice(0, eq)))
  })
  return kept.length === pairs.length ? text : kept.join('&')
}

t.test('parseCredentialFields = the split model, on random and pathological text', async (t) => {
  fc.assert(fc.property(formText, (text) => {
    t.same(parseCredentialFields(text), modelFields(text))
  }), { numRuns: 500 })
  fc.assert(fc.property(formPathological, (text) => {
    t.same(parseCredentialFields(text), modelFields(text))
  }), { numRuns: 25 })
})

t.test('parseCredentialFields = URLSearchParams on well-formed forms', async (t) => {
  const name = fc.oneof(fc.constantFrom('client_id', 'client_secret', 'grant_type'), fc.string({ unit: 'binary', maxLength: 12 }))
  const field = fc.tuple(name, fc.string({ unit: 'binary', maxLength: 20 }))
  fc.assert(fc.property(fc.array(field, { maxLength: 12 }), fc.array(fc.nat(3), { maxLength: 12 }), (fields, gaps) => {
    // URLSearchParams' own encoding, with runs of empty fields ('&&&') between some fields
    const text = fields.map(([n, v], i) => new URLSearchParams([[n, v]]).toString() + '&'.repeat(gaps[i] ?? 0)).join('&')
    const reference = new URLSearchParams(text)
    t.same(parseCredentialFields(text), {
      clientId: reference.get('client_id'),
      clientSecret: reference.get('client_secret'),
      grantType: reference.get('grant_type')
    })
  }), { numRuns: 500 })
})

t.test('removeCredentialFields = the split/filter/join model', async (t) => {
  fc.assert(fc.property(formText, (text) => {
    t.equal(removeCredentialFields(text), modelRemove(text))
  }), { numRuns: 500 })
  fc.assert(fc.property(formPathological, (text) => {
    t.equal(removeCredentialFields(text), modelRemove(text))
  }), { numRuns: 25 })
  t.equal(removeCredentialFields('a=1&client_id=x&&client%5Fsecret&b'), 'a=1&&b', 'empty fields kept, a name without a value removed')
  const untouched = '&'.repeat(MiB)
  t.equal(removeCredentialFields(untouched), untouched, 'nothing removed: the same text')
})

// ---- JSON bodies ----

function nested (depth: number, inner: string): string {
  return '{"a":['.repeat(depth) + inner + ']}'.repeat(depth)
}

/** Container depth of a parsed value, iteratively (a recursive walk would overflow on the inputs here). */
function valueDepth (value: unknown): number {
  let max = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [v, d] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (d > max) max = d
    for (const child of Object.values(v)) stack.push([child, d + 1])
  }
  return max
}

function modelJsonObject (text: string): Record<string, unknown> | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  return valueDepth(value) > MAX_JSON_DEPTH ? null : value as Record<string, unknown>
}

const credentialsJson = (inner: string): string => `{"client_id":"i[d{\\"","client_secret":"s}]","deep":${inner}}`
const jsonText = fc.oneof(
  fc.json(),
  fc.json().map(credentialsJson),
  fc.integer({ min: 0, max: 1200 }).map((d) => credentialsJson(nested(d, '1'))),
  fc.integer({ min: 1, max: Math.floor(MiB / 6) }).map((d) => credentialsJson(nested(d, '"x"'))),
  repeated(fc.constantFrom('[', '{', '"', '\\', ']', '}', '{"a":', ',')),
  fc.integer({ min: 1, max: MiB / 2 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: MiB / 8 }).map((n) => `{"client_id":"a","client_secret":"${'\\"'.repeat(n)}"}`)
)

t.test('JSON bodies: parsed as JSON.parse does, refused past lua-cjson\'s depth of 1000', async (t) => {
  fc.assert(fc.property(jsonText, (text) => {
    const expected = modelJsonObject(text)
    const body = Buffer.from(text)
    // compared as text: tap's deep comparison recurses, and these values are up to 1000 deep
    t.equal(JSON.stringify(parseJsonObject(body)), JSON.stringify(expected))
    const found = bodyCredentials('json', body)
    const id = expected?.client_id
    const secret = expected?.client_secret
    const usable = typeof id === 'string' && typeof secret === 'string' && id !== '' && secret !== '' &&
      (expected?.grant_type === undefined || expected.grant_type === null || expected.grant_type === 'client_credentials')
    t.same(found, usable ? { clientId: id, clientSecret: secret, location: 'body' } : null)
    const hidden = hideBodyCredentials('json', body)
    if (expected === null || !['client_id', 'client_secret', 'grant_type'].some((k) => Object.hasOwn(expected, k))) {
      t.equal(hidden, body, 'nothing to hide: the same buffer')
    } else {
      const { client_id: _a, client_secret: _b, grant_type: _c, ...rest } = expected
      t.equal(hidden.toString(), JSON.stringify(rest))
    }
  }), { numRuns: 150 })
  const deepest = nested(MAX_JSON_DEPTH / 2, '1')
  t.equal(JSON.stringify(parseJsonObject(Buffer.from(deepest))), deepest, '1000 deep: parsed')
  t.equal(parseJsonObject(Buffer.from(`{"x":${nested(MAX_JSON_DEPTH / 2, '1')}}`)), null, '1001 deep: refused')
})

// ---- Basic Authorization ----

function modelIsBase64 (value: string): boolean {
  return value !== '' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.replace(/={1,2}$/, '').length % 4 !== 1
}

function modelBasic (authorization: string): [string, string] | null {
  const match = /^basic[ \t]/i.exec(authorization.trim())
  if (match === null) return null
  const encoded = authorization.trim().slice(6).trim()
  const decoded = modelIsBase64(encoded) ? Buffer.from(encoded, 'base64').toString('utf8') : encoded
  const colon = decoded.indexOf(':', 1)
  return colon === -1 ? null : [decoded.slice(0, colon), decoded.slice(colon + 1)]
}

const BASIC_ATOMS = ['Basic ', 'basic\t', 'BASIC ', ' ', '\t', '=', '==', 'QQ', 'YTpi', 'Og', ':', 'a', '+', '/', '-', '_', 'é', '%']
const basicText = fc.array(fc.constantFrom(...BASIC_ATOMS), { maxLength: 30 }).map((a) => a.join(''))
const basicPathological = fc.tuple(
  fc.constantFrom('Basic ', 'basic\t', '', ' Basic  '),
  repeated(fc.array(fc.constantFrom(...BASIC_ATOMS.slice(3)), { minLength: 1, maxLength: 3 }).map((a) => a.join(''))),
  fc.constantFrom('', '==', '=', ':x', 'OnN4')
).map(([scheme, body, tail]) => scheme + body + tail)
const basicValid = fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }))
  .map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`)

t.test('Basic Authorization and isBase64 = the regular-expression model', async (t) => {
  fc.assert(fc.property(fc.oneof(basicText, basicValid), (value) => {
    t.same(parseBasicAuthorization(value), modelBasic(value))
  }), { numRuns: 500 })
  fc.assert(fc.property(basicPathological, (value) => {
    t.same(parseBasicAuthorization(value), modelBasic(value))
  }), { numRuns: 25 })
  fc.assert(fc.property(fc.oneof(repeated(fc.constantFrom('QUJD', 'QQ', '=', 'a', '+/', '-')), basicText), (value) => {
    t.equal(isBase64(value), modelIsBase64(value))
  }), { numRuns: 60 })
  const long = 'QUJD'.repeat(MiB / 4)
  t.ok(isBase64(long) && isBase64(`${long}QQ==`) && !isBase64(`${long}Q`), '1 MiB of base64, and its padding rule')
})
