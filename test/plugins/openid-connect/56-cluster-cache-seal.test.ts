// The cluster cache's protection at rest (worker/cluster-cache-seal.ts): Redis key names that are a
// one-way function of the credentials and the instance salt, AES-256-GCM values bound to their key name.
// A Redis value is attacker input (anyone who can write to Redis): open() must answer null, never throw,
// on any bytes that this credential's key did not seal. Tokens and introspection answers live in separate
// namespaces: one can never be found, nor opened, as the other.

import t from 'tap'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { INTROSPECTION_NAMESPACE, open, seal, sealKeys, TOKENS_NAMESPACE, VERSION } from '../../../src/plugins/openid-connect/worker/cluster-cache-seal.ts'
import { encodeInactiveMark, encodeIntrospectionValue, inactiveMarkUntil, introspectionValueExpiresAt } from '../../../src/plugins/openid-connect/worker/introspection-value.ts'
import { encodeTokenValue, tokenValueExpiresAt } from '../../../src/plugins/openid-connect/worker/token-value.ts'

const digestOf = (material: string): Buffer => createHash('sha256').update(material).digest()
const DIGEST = digestOf('https://idp.example/#grant_type=client_credentials&my-client&my-secret&salt')
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJteS1jbGllbnQifQ.c2lnbmF0dXJl'
const PLAIN = encodeTokenValue({ accessToken: TOKEN, tokenType: 'Bearer', expiresAt: 1_900_000_000_000 })

t.test('key names: derived from the digest and the salt, revealing neither', async (t) => {
  const keys = sealKeys(DIGEST, 'salt-a')
  t.match(keys.valueKey, /^tollgate:oidc:v1:\{[A-Za-z0-9_-]{32}\}$/)
  t.equal(keys.lockKey, `${keys.valueKey}:lock`, 'the lock shares the value\'s hash tag (one Cluster slot)')
  t.same(sealKeys(DIGEST, 'salt-a'), keys, 'the same on every node')
  t.not(sealKeys(DIGEST, 'salt-b').valueKey, keys.valueKey, 'another salt, another key')
  t.not(sealKeys(digestOf('other'), 'salt-a').valueKey, keys.valueKey, 'other credentials, another key')
  for (const form of ['hex', 'base64', 'base64url'] as const) {
    t.notOk(keys.valueKey.includes(DIGEST.toString(form).slice(0, 16)), `the digest is not in the name (${form})`)
  }
  t.not(keys.aesKey.toString('hex'), DIGEST.toString('hex'), 'the value key is not the digest')
})

t.test('seal and open: a round trip; random IVs; bound to the key name', async (t) => {
  const keys = sealKeys(DIGEST, 'salt-a')
  const sealed = seal(keys, PLAIN)
  t.equal(sealed[0], VERSION)
  t.notOk(sealed.toString('latin1').includes(TOKEN.slice(0, 12)), 'no token text in the value')
  t.same(open(keys, sealed), Buffer.from(PLAIN))
  t.equal(tokenValueExpiresAt(open(keys, sealed)!), 1_900_000_000_000)
  t.not(seal(keys, PLAIN).toString('hex'), sealed.toString('hex'), 'a fresh IV per write')
  t.equal(open(sealKeys(DIGEST, 'salt-b'), sealed), null, 'another instance salt cannot open it')
  t.equal(open(sealKeys(digestOf('other'), 'salt-a'), sealed), null, 'other credentials cannot open it')
  // the same value key under another name (a value copied between keys) fails the tag
  t.equal(open({ ...keys, valueKey: `${keys.valueKey}x` }, sealed), null, 'a value moved to another key does not open')
  const flipped = Buffer.from(sealed)
  flipped[flipped.length - 1] ^= 1
  t.equal(open(keys, flipped), null, 'a flipped ciphertext bit')
  const tag = Buffer.from(sealed)
  tag[15] ^= 1
  t.equal(open(keys, tag), null, 'a flipped tag bit')
  const version = Buffer.from(sealed)
  version[0] = 2
  t.equal(open(keys, version), null, 'another format version is skipped')
  t.equal(open(keys, sealed.subarray(0, 20)), null, 'truncated')
  t.equal(open(keys, new Uint8Array(0)), null, 'empty')
})

t.test('open: any bytes from Redis give null or the sealed value, never a throw', async (t) => {
  const keys = sealKeys(DIGEST, 'salt-a')
  const sealed = seal(keys, PLAIN)
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
    const opened = open(keys, bytes)
    return opened === null || Buffer.from(PLAIN).equals(opened)
  }), { numRuns: 2000 })
  // mutations of a real value: any change to a byte makes it unreadable
  fc.assert(fc.property(fc.integer({ min: 0, max: sealed.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
    const changed = Buffer.from(sealed)
    changed[at] ^= xor
    return open(keys, changed) === null
  }), { numRuns: 500 })
  t.pass('no bytes opened except the sealed value, and nothing threw')
})

t.test('introspection answers: their own namespace, never readable as a token or the reverse', async (t) => {
  const tokens = sealKeys(DIGEST, 'salt-a', TOKENS_NAMESPACE)
  const answers = sealKeys(DIGEST, 'salt-a', INTROSPECTION_NAMESPACE)
  t.same(sealKeys(DIGEST, 'salt-a'), tokens, 'tokens keep the names main has always used')
  t.match(answers.valueKey, /^tollgate:oidc:v1:introspection:\{[A-Za-z0-9_-]{32}\}$/)
  t.not(answers.valueKey.slice(-34), tokens.valueKey.slice(-34), 'another key id for the same digest (another HKDF info)')
  t.not(answers.aesKey.toString('hex'), tokens.aesKey.toString('hex'), 'another value key')
  const answer = encodeIntrospectionValue({ token: TOKEN, claims: { active: true, sub: 'me' }, expiresAt: 1_900_000_000_000 })
  const sealed = seal(answers, answer)
  t.same(open(answers, sealed), Buffer.from(answer))
  t.equal(open(tokens, sealed), null, 'an introspection answer does not open as a token')
  t.equal(open({ ...answers, valueKey: tokens.valueKey }, sealed), null, 'nor copied under the token key name')
  t.equal(open(answers, seal(tokens, PLAIN)), null, 'a token does not open as an introspection answer')
})

t.test('introspection values: the expiry of an answer or an inactive mark; null for any other bytes', async (t) => {
  t.equal(introspectionValueExpiresAt(encodeIntrospectionValue({ token: TOKEN, claims: {}, expiresAt: 1234 })), 1234)
  t.equal(introspectionValueExpiresAt(encodeInactiveMark(5678)), 5678)
  t.equal(inactiveMarkUntil(encodeInactiveMark(5678)), 5678)
  t.equal(inactiveMarkUntil(encodeIntrospectionValue({ token: TOKEN, claims: {}, expiresAt: 1234 })), null, 'an answer is not a mark')
  t.equal(introspectionValueExpiresAt(PLAIN), null, 'a token value is not an introspection value')
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    const at = introspectionValueExpiresAt(bytes)
    const until = inactiveMarkUntil(bytes)
    return (at === null || typeof at === 'number') && (until === null || (bytes[0] === 3 && bytes.length === 9))
  }), { numRuns: 2000 })
})
