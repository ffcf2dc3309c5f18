// The pure parts of the bearer path: where a token is found (Kong's handler.lua bearer search with
// arguments.lua get_header: the Authorization scheme in any case, Access-Token, X-Access-Token, the query
// and body `access_token`, a cookie), against simple reference models on random input (these parse
// attacker input); the shared-cache value of an introspection answer; the byte-bounded memo's forget();
// and the grant a token's claims make (Kong's order: issuers 401, requirements 403, consumer 403).

import t from 'tap'
import fc from 'fast-check'
import {
  bearerFromAuthorization, cookieValue, headerToken, queryToken
} from '../../../src/plugins/openid-connect/worker/bearer-token.ts'
import { formField, removeFormFields } from '../../../src/plugins/openid-connect/worker/form-urlencoded.ts'
import { decodeIntrospectionValue, encodeIntrospectionValue } from '../../../src/plugins/openid-connect/worker/introspection-value.ts'
import { BoundedMemo, ENTRY_OVERHEAD_BYTES, MAX_CHAIN } from '../../../src/plugins/bounded-memo.ts'
import { createGrantBuilder } from '../../../src/plugins/openid-connect/worker/grant.ts'
import type { OidcConfig } from '../../../src/plugins/openid-connect/worker/oidc-config.ts'
import { createConsumerIndex } from '../../../src/config/consumer-index.ts'
import { validate } from '../../../src/config/schema/engine.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'

// ---- Authorization: Bearer ----

/** Kong's `^(%S+)%s(.+)` on the value, scheme lower-cased: the reference the parser must agree with. */
function modelBearer (value: string): string | null {
  const match = /^(\S+)[ \t](.+)$/s.exec(value)
  if (match === null || match[1].toLowerCase() !== 'bearer') return null
  return match[2]
}

t.test('bearerFromAuthorization agrees with Kong\'s pattern', async (t) => {
  t.equal(bearerFromAuthorization('Bearer abc'), 'abc')
  t.equal(bearerFromAuthorization('bEaReR abc'), 'abc', 'any case')
  t.equal(bearerFromAuthorization('Bearer\tabc'), 'abc', 'a tab is whitespace too')
  t.equal(bearerFromAuthorization('Bearer  abc'), ' abc', 'only one whitespace character is taken off')
  t.equal(bearerFromAuthorization('Bearer '), null, 'no token')
  t.equal(bearerFromAuthorization('Basic abc'), null, 'another scheme')
  t.equal(bearerFromAuthorization('Bearerabc'), null)
  const atoms = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', ' ', '\t', 'a', '.', '=', 'Bear', 'er', '\u00e9')
  fc.assert(fc.property(fc.array(atoms, { maxLength: 12 }).map((a) => a.join('')), (value) => {
    t.equal(bearerFromAuthorization(value), modelBearer(value), JSON.stringify(value))
  }), { numRuns: 2000 })
})

t.test('header locations: Authorization, then Access-Token, then X-Access-Token, then a named header', async (t) => {
  t.same(headerToken({ authorization: 'Bearer a', 'access-token': 'b' }), { token: 'a', source: 'authorization' })
  t.same(headerToken({ authorization: 'Basic x', 'access-token': 'b' }), { token: 'b', source: 'access-token' })
  t.same(headerToken({ 'x-access-token': 'c' }), { token: 'c', source: 'x-access-token' })
  t.same(headerToken({ 'access-token': '' }), null, 'an empty value counts as absent')
  t.same(headerToken({ 'x-token': 'Bearer d' }, 'x-token'), { token: 'd', source: 'named-header', header: 'x-token' })
  t.same(headerToken({ 'x-token': 'e' }, 'x-token'), { token: 'e', source: 'named-header', header: 'x-token' })
  t.same(headerToken({}), null)
})

// ---- query / body fields ----

/** split on '&', then on the first '=', names decoded, first match wins; a name without '=' has value '' */
function modelField (text: string, name: string): string | null {
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=')
    const rawName = eq === -1 ? pair : pair.slice(0, eq)
    if (decode(rawName) === name) return eq === -1 ? '' : decode(pair.slice(eq + 1))
  }
  return null
}

function decode (value: string): string {
  const text = value.replaceAll('+', ' ')
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const FORM_ATOMS = ['&', '=', '%', '+', '%61', 'access_token', 'access%5Ftoken', 'access+token', 'a', 'tok', '%zz', '%C3%A9', '==']
const formText = fc.array(fc.constantFrom(...FORM_ATOMS), { maxLength: 30 }).map((a) => a.join(''))

t.test('formField and removeFormFields agree with the obvious reading', async (t) => {
  fc.assert(fc.property(formText, (text) => {
    t.equal(formField(text, 'access_token'), modelField(text, 'access_token'), JSON.stringify(text))
    const removed = removeFormFields(text, ['access_token'])
    t.equal(modelField(removed, 'access_token'), null, `nothing left: ${JSON.stringify(removed)}`)
    const kept = text.split('&').filter((pair) => decode(pair.split('=', 1)[0]) !== 'access_token')
    if (kept.length === text.split('&').length) t.equal(removed, text, 'untouched when absent')
  }), { numRuns: 2000 })
  t.same(queryToken('a=1&access_token=x%2By&access_token=z'), { token: 'x+y', source: 'query' }, 'decoded, the first one')
  t.same(queryToken('access_token='), null, 'empty is absent')
})

t.test('cookieValue finds one cookie by exact name', async (t) => {
  t.equal(cookieValue('a=1; at=tok; b=2', 'at'), 'tok')
  t.equal(cookieValue('xat=1;at=2', 'at'), '2', 'not a suffix of another name')
  t.equal(cookieValue('at', 'at'), null, 'no =')
  t.equal(cookieValue('a=1', 'at'), null)
  const atoms = fc.constantFrom('at', 'a', '=', ';', ' ', 'x', 'at=', '; at=')
  fc.assert(fc.property(fc.array(atoms, { maxLength: 14 }).map((a) => a.join('')), (cookie) => {
    const pairs = cookie.split(';').map((p) => p.trimStart())
    const hit = pairs.find((p) => p.startsWith('at='))
    t.equal(cookieValue(cookie, 'at'), hit === undefined ? null : hit.slice(3).trim(), JSON.stringify(cookie))
  }), { numRuns: 1000 })
})

// ---- the introspection value ----

t.test('an introspection answer round-trips through the cache value; a foreign value is refused', async (t) => {
  const value = { token: 'tök€n', claims: { active: true, scope: 'a b', nested: { x: [1, 2] } }, expiresAt: 1_700_000_000_000 }
  const bytes = encodeIntrospectionValue(value)
  t.same(decodeIntrospectionValue(bytes), value)
  const longer = new Uint8Array(bytes.length + 10)
  longer.set(bytes)
  t.same(decodeIntrospectionValue(longer.subarray(0, bytes.length)), value, 'a view of exactly the value')
  t.equal(decodeIntrospectionValue(Uint8Array.of(1, 2, 3)), null, 'too short')
  const other = Uint8Array.from(bytes)
  other[0] = 1
  t.equal(decodeIntrospectionValue(other), null, 'another format')
  const cut = bytes.subarray(0, bytes.length - 3)
  t.equal(decodeIntrospectionValue(cut), null, 'truncated JSON')
})

// ---- the memo ----

t.test('BoundedMemo.forget keeps the byte count, and a churn of forget/remember stays bounded', async (t) => {
  const memo = new BoundedMemo<string>({ budget: 100_000, sizeOf: (v) => v.length })
  memo.remember('k1', 'v1')
  t.equal(memo.bytes, 2 + 2 + ENTRY_OVERHEAD_BYTES)
  memo.forget('k1')
  t.equal(memo.bytes, 0)
  t.equal(memo.size, 0)
  for (let i = 0; i < 50_000; i++) {
    memo.remember('k', 'v')
    memo.forget('k')
  }
  memo.remember('k', 'v')
  t.equal(memo.size, 1)
  t.equal(memo.bytes, 2 + ENTRY_OVERHEAD_BYTES)
  const zero = new BoundedMemo<string>({ budget: 0, sizeOf: (v) => v.length })
  zero.remember('k', 'v')
  t.equal(zero.size, 0, 'a budget of 0 holds nothing (the cache off)')
})

t.test('BoundedMemo with indexBy: keys sharing a tail are told apart, chains are bounded, forget unlinks', async (t) => {
  const memo = new BoundedMemo<number>({ budget: 1_000_000, maxKeyLength: 100_000, indexBy: 8, sizeOf: () => 8 })
  const tail = 'SAMETAIL'
  const keys = Array.from({ length: MAX_CHAIN + 2 }, (_, i) => `Bearer ${'x'.repeat(i + 1)}${tail}`)
  keys.forEach((key, i) => memo.remember(key, i))
  t.equal(memo.size, MAX_CHAIN, 'a chain holds at most MAX_CHAIN keys')
  for (let i = 0; i < MAX_CHAIN; i++) t.equal(memo.get(keys[i]), i, `key ${i} finds its own value`)
  t.equal(memo.get(keys[MAX_CHAIN]), undefined, 'one past the chain bound was not remembered')
  t.equal(memo.get(`Bearer other${tail}`), undefined, 'the same tail is not the same key')
  memo.forget(keys[3])
  t.equal(memo.get(keys[3]), undefined)
  t.equal(memo.get(keys[2]), 2, 'the rest of the chain survives')
  t.equal(memo.get(keys[4]), 4)
  t.equal(memo.size, MAX_CHAIN - 1)
  const long = `Bearer ${'y'.repeat(50_000)}`
  memo.remember(long, 99)
  t.equal(memo.get(long.slice(0)), 99, 'a long key found by its tail, compared whole')
  t.equal(memo.get(`${long.slice(0, -1)}z`), undefined)
  const short = new BoundedMemo<number>({ budget: 10_000, indexBy: 8, sizeOf: () => 0 })
  short.remember('abc', 1)
  t.equal(short.get('abc'), 1, 'a key shorter than indexBy is its own index')
  t.same(memo.keys().length, memo.size, 'keys() lists what is held')
})

// ---- the grant ----

function oidcConfig (fields: Record<string, unknown>): OidcConfig {
  const result = validate(openIdConnectSchema.configSchema, { issuer: 'https://idp.example', auth_methods: ['bearer'], ...fields }, 'config', [])
  if (result.issues.length > 0) throw new Error(JSON.stringify(result.issues))
  return result.value as unknown as OidcConfig
}

t.test('the grant: Kong\'s order of checks and the headers it sets', async (t) => {
  const consumers = createConsumerIndex([
    { id: 'c1', username: 'alice', custom_id: null, tags: null, created_at: 0, updated_at: 0 }
  ])
  const header = { name: 'authorization', prefix: 'Bearer ' }
  const input = (claims: Record<string, unknown>) => ({ token: 'tok', payload: claims, introspection: null, expiresAt: 1 })

  const strict = createGrantBuilder(oidcConfig({
    issuers_allowed: ['https://idp.example'], scopes_required: ['read'], consumer_claims: [['sub']], consumer_by: ['username']
  }), consumers, header)
  t.match(strict(input({ sub: 'alice', scope: 'read' })), { refusal: { status: 401 } }, 'no iss: issuers come first, 401')
  t.match(strict(input({ iss: 'https://idp.example', sub: 'alice' })), { refusal: { status: 403 } }, 'no scope: 403')
  t.match(strict(input({ iss: 'https://idp.example', sub: 'bob', scope: 'read' })), { refusal: { status: 403, reason: /kong consumer was not found/ } })
  const granted = strict(input({ iss: 'https://idp.example', sub: 'alice', scope: 'read' }))
  t.equal(granted.refusal, null)
  t.equal(granted.consumer?.id, 'c1')
  t.same(granted.credential, { id: 'alice', consumer_id: 'c1' })
  t.same(granted.upstream.at(-1), ['authorization', 'Bearer tok'], 'the token header last')
  t.ok(granted.remove.includes('x-anonymous-consumer'), 'X-Anonymous-Consumer is removed')
  t.ok(granted.remove.includes('x-consumer-custom-id'), 'a consumer without custom_id: its header removed')

  const introspected = createGrantBuilder(oidcConfig({
    auth_methods: ['introspection'],
    upstream_introspection_header: 'X-Introspection',
    upstream_headers_claims: ['scope'],
    upstream_headers_names: ['x-scope']
  }), consumers, header)
  const grant = introspected({ token: 'tok', payload: { scope: 'from-jwt' }, introspection: { active: true, scope: 'from-idp' }, expiresAt: 1 })
  const headers = Object.fromEntries(grant.upstream)
  t.equal(headers['x-scope'], 'from-idp', 'the introspection answer before the JWT\'s claims')
  t.same(JSON.parse(Buffer.from(headers['x-introspection'], 'base64').toString()), { active: true, scope: 'from-idp' })
})
