// basic-auth's header parser (src/plugins/basic-auth/basic-header.ts), which reads attacker input, against
// a model written with regexes that say what Kong's kong/plugins/basic-auth/access.lua retrieve_credentials
// does: ngx.re.gmatch [[\s*[Bb]asic\s*(.+)]] (PCRE: \s is ASCII whitespace, '.' stops at a line feed),
// nginx's ngx_decode_base64, ngx.re.match "([^:]+):(.*)". Kong's own cases from
// spec/03-plugins/10-basic-auth/03-access_spec.lua, random and pathological headers, the password check
// (crypto.lua's hash) and the config schema (kong/plugins/basic-auth/schema.lua).

import { isUtf8 } from 'node:buffer'
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import fc from 'fast-check'
import { basicPayload, decodeBase64, parseBasic, splitCredentials } from '../../../src/plugins/basic-auth/basic-header.ts'
import { basicAuthSchema } from '../../../src/plugins/basic-auth/schema.ts'
import { validPassword } from '../../../src/plugins/basic-auth/handler.ts'
import { basicAuthHash } from '../../../src/config/resolve-credentials.ts'
import { validate } from '../../../src/config/schema/engine.ts'
import type { CredentialMatch } from '../../../src/config/credential-index.ts'
import type { BasicAuthCredential, Consumer } from '../../../src/config/types.ts'

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64')

/** The model: the three steps as regexes over the header and the decoded bytes (latin1: one char a byte). */
function model (header: string): { username: string, password: string } | null {
  const m = /[ \t\n\v\f\r]*[Bb]asic[ \t\n\v\f\r]*([^\n]+)/.exec(header)
  if (m === null) return null
  const d = /^([^=]*)/.exec(m[1])![1]
  if (!/^[A-Za-z0-9+/]*$/.test(d) || d.length % 4 === 1) return null
  const decoded = Buffer.from(d, 'base64').toString('latin1')
  const parts = /([^:]+):([^\n]*)/.exec(decoded)
  if (parts === null) return null
  const name = Buffer.from(parts[1], 'latin1')
  if (!isUtf8(name)) return null
  return { username: name.toString('utf8'), password: parts[2] }
}

function parsed (header: string): { username: string, password: string } | null {
  const out = parseBasic(header)
  return out === null ? null : { username: out.username, password: out.password.toString('latin1') }
}

t.test("Kong's spec cases", async (t) => {
  t.strictSame(parsed('Basic Ym9iOmtvbmc='), { username: 'bob', password: 'kong' })
  t.strictSame(parsed('Basic dXNlcjEyMzpwYXNzd29yZDEyMw=='), { username: 'user123', password: 'password123' })
  t.strictSame(parsed('Basic dXNlcjMyMTpwYXNzd29yZDoxMjM='), { username: 'user321', password: 'password:123' }, 'a password with a colon')
  t.equal(parseBasic('Basic a29uZw=='), null, '"kong": no colon')
  t.equal(parseBasic('Basic Ym9i'), null, '"bob": no colon')
  t.equal(parseBasic('Basic adXNlcjEyMzpwYXNzd29yZDEyMw=='), null, 'a length of 4n+1 before the padding')
})

t.test('the edges of each step', async (t) => {
  t.equal(basicPayload('Basic'), null, 'nothing after Basic')
  t.equal(basicPayload('Bearer x'), null)
  t.equal(basicPayload('BASIC Ym9iOmtvbmc='), null, '[Bb]asic only')
  t.equal(basicPayload('basic   abc'), 'abc')
  t.equal(basicPayload('Basicabc'), 'abc', '\\s* may match nothing')
  t.equal(basicPayload('Token x, Basic abc'), 'abc', 'unanchored')
  t.equal(basicPayload('Basic   '), ' ', 'only whitespace: (.+) takes the last one')
  t.equal(decodeBase64('Ym9iOmtvbmc=garbage')?.toString(), 'bob:kong', 'what follows the first = is ignored')
  t.equal(decodeBase64('Ym9iOmtvbmc')?.toString(), 'bob:kong', 'a short last group is decoded')
  t.equal(decodeBase64('Ym9i Omtv'), null, 'a space before any = fails')
  t.equal(decodeBase64('Ym9i-_'), null, 'not the URL alphabet')
  t.strictSame(splitCredentials(Buffer.from('::a:b')), { username: 'a', password: Buffer.from('b') }, 'leading colons skipped')
  t.equal(splitCredentials(Buffer.from(':pass')), null)
  t.strictSame(splitCredentials(Buffer.from('a:')), { username: 'a', password: Buffer.alloc(0) }, 'an empty password')
  t.strictSame(splitCredentials(Buffer.from('a:b\nc')), { username: 'a', password: Buffer.from('b') }, '(.*) stops at a line feed')
  t.equal(splitCredentials(Buffer.from([0xff, 0x3a, 0x61])), null, 'a username that is not UTF-8')
  t.strictSame(parsed(`Basic ${b64(Buffer.from([0x61, 0x3a, 0xff, 0x00]))}`), { username: 'a', password: '\xff\x00' }, 'password bytes kept')
})

const BYTES = fc.array(fc.constantFrom(':', 'a', 'b', '\n', 'é', '\xff', '\x00', ' '), { maxLength: 12 }).map((a) => Buffer.from(a.join(''), 'latin1'))
const ATOM = fc.oneof(
  fc.constantFrom('Basic', 'basic', 'BASIC', 'asic', 'B', ' ', '\t', '\v', 'x', '=', '==', '!', '-', '+', '/', 'Ym9iOmtvbmc=', 'é', '\u00a0'),
  BYTES.map((b) => b.toString('base64')),
  BYTES.map((b) => b.toString('base64').replaceAll('=', ''))
)
const HEADER = fc.array(ATOM, { maxLength: 12 }).map((a) => a.join(''))

t.test('parseBasic agrees with the regex model (property)', async (t) => {
  fc.assert(fc.property(HEADER, (header) => isDeepStrictEqual(parsed(header), model(header))), { numRuns: 3000 })
  t.pass('3000 headers')
})

t.test('what a client encodes comes back (property)', async (t) => {
  const username = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes(':') && !/[\ud800-\udfff]/.test(s))
  const password = fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n') && !/[\ud800-\udfff]/.test(s))
  fc.assert(fc.property(username, password, fc.constantFrom('Basic ', 'basic\t', 'Basic'), (u, p, scheme) => {
    const out = parseBasic(scheme + b64(`${u}:${p}`))
    return out !== null && out.username === u && out.password.toString('utf8') === p
  }))
  t.pass('round trips')
})

const UNITS = ['asic', 'Basic ', 'B', ' ', 'basic:', 'QUFB', '=', 'Basic Og==']

t.test('pathological headers agree with the model (which is quadratic on some: 16 KiB)', async (t) => {
  for (const unit of UNITS) {
    const header = unit.repeat(Math.ceil(16384 / unit.length))
    t.strictSame(parsed(header), model(header), unit)
  }
})

t.test('pathological headers of 1 MiB take one pass', async (t) => {
  for (const unit of UNITS) {
    const header = unit.repeat(Math.ceil(1024 * 1024 / unit.length))
    const started = performance.now()
    parseBasic(header)
    t.ok(performance.now() - started < 500, `${unit}: ${(performance.now() - started).toFixed(1)} ms`)
  }
})

t.test('the password check: crypto.lua hash of the given bytes and the consumer id, constant time', async (t) => {
  const consumer = { id: '8a1b3c4d-0000-4000-8000-000000000001' } as Consumer
  const match = (stored: string): CredentialMatch<BasicAuthCredential> =>
    ({ credential: { password: stored } as BasicAuthCredential, consumer, authenticated: { id: 'c', consumer_id: consumer.id }, expiresAt: Infinity })
  const stored = basicAuthHash(consumer.id, 'kong')
  t.ok(validPassword(match(stored), Buffer.from('kong')))
  t.notOk(validPassword(match(stored), Buffer.from('Kong')))
  t.notOk(validPassword(match(stored), Buffer.alloc(0)))
  t.notOk(validPassword(match(stored.toUpperCase()), Buffer.from('kong')), 'compared as Kong compares strings')
  t.notOk(validPassword(match('kong'), Buffer.from('kong')), 'a stored value that is not a hash never matches its own text')
})

t.test("the config schema: Kong's fields and defaults", async (t) => {
  const { value, issues } = validate(basicAuthSchema.configSchema, {}, 'config')
  t.strictSame(issues, [])
  t.strictSame(value, { anonymous: null, hide_credentials: false, realm: 'service' })
  const bad = validate(basicAuthSchema.configSchema, { realm: 'a\nb', hide_credentials: 'yes' }, 'config')
  t.strictSame(bad.issues.map((i) => i.path).sort(), ['config.hide_credentials', 'config.realm'])
})
