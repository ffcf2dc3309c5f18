// Token cache key (Kong's openid-connect cache.lua), expiry rules and the cached value codec.

import t from 'tap'
import { createCacheKeyParts, tokenCacheKey } from '../../../src/plugins/openid-connect/worker/cache-key.ts'
import type { CacheKeyConfig } from '../../../src/plugins/openid-connect/worker/cache-key.ts'
import {
  createExpiryRules, DEFAULT_CACHE_TTL, isExpiredOnArrival, NEVER, tokenExpiresAt
} from '../../../src/plugins/openid-connect/worker/token-expiry.ts'
import {
  createTokenValueCodec, decodeTokenValue, encodeTokenValue, HEADER_BYTES, parseUpstreamTokenHeader
} from '../../../src/plugins/openid-connect/worker/token-value.ts'
import { createHash } from 'node:crypto'

const ISSUER = 'http://127.0.0.1:9999'
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

t.test('cache key: Kong material, stable, and every input changes it', async (t) => {
  const base: CacheKeyConfig = { cache_tokens_salt: 'salt', token_cache_key_include_scope: false, scopes: ['openid'] }
  const key = (config: CacheKeyConfig, id = 'id', secret = 'secret', issuer = ISSUER): string =>
    hex(tokenCacheKey(createCacheKeyParts(config, issuer), id, secret))

  const expected = createHash('sha256').update(`${ISSUER}#grant_type=client_credentials&id&secret&salt`).digest('hex')
  t.equal(key(base), expected, 'Kong\'s key material')
  t.equal(tokenCacheKey(createCacheKeyParts(base, ISSUER), 'id', 'secret').length, 32)
  t.equal(key(base), key({ ...base }), 'stable')

  const variants = new Set([
    key(base),
    key(base, 'id2'),
    key(base, 'id', 'secret2'),
    key(base, 'id', 'secret', `${ISSUER}/other`),
    key({ ...base, cache_tokens_salt: 'salt2' }),
    key({ ...base, cache_tokens_salt: null }),
    key({ ...base, token_cache_key_include_scope: true }),
    key({ ...base, token_cache_key_include_scope: true, scopes: ['openid', 'api'] })
  ])
  t.equal(variants.size, 8, 'each input changes the key')
  t.equal(key({ ...base, scopes: ['openid', 'api'] }), key(base), 'scopes count only with token_cache_key_include_scope')
  t.equal(key({ ...base, cache_tokens_salt: null }),
    createHash('sha256').update(`${ISSUER}#grant_type=client_credentials&id&secret`).digest('hex'), 'no salt: no &salt')
  t.equal(key({ ...base, token_cache_key_include_scope: true, scopes: ['openid', 'api'] }),
    createHash('sha256').update(`${ISSUER}#grant_type=client_credentials&id&secret&salt&openid+api`).digest('hex'),
    'url-encoded scopes last')
  t.not(key(base, 'a&b', 'c'), key(base, 'a', 'b&c'), 'a separator inside a credential cannot collide')
  t.not(key(base, 'a%26b', 'c'), key(base, 'a&b', 'c'), 'nor can its escaped form')
})

t.test('expiry rules', async (t) => {
  const now = 1_700_000_000_000
  const s = (seconds: number): number => now + seconds * 1000
  const rules = (config: Parameters<typeof createExpiryRules>[0]) => createExpiryRules(config)
  const plain = rules({})
  const clamped = rules({ cache_ttl_min: 30, cache_ttl_max: 300, cache_ttl: 100 })
  const cases: Array<[string, ReturnType<typeof createExpiryRules>, number | null, number | null, number]> = [
    ['expires_in', plain, 60, null, s(60)],
    ['expires_in under min', clamped, 10, null, s(30)],
    ['expires_in over max', clamped, 1000, null, s(300)],
    ['expires_in 0 with max', clamped, 0, null, s(300)],
    ['expires_in 0 without max: never', plain, 0, null, NEVER],
    ['negative expires_in with min', clamped, -5, null, s(30)],
    ['negative expires_in without min: cache_ttl', rules({ cache_ttl: 77 }), -5, null, s(77)],
    ['negative expires_in, defaults', plain, -5, null, s(DEFAULT_CACHE_TTL)],
    ['no expires_in: the token exp', plain, null, now / 1000 + 120, s(120)],
    ['no expires_in: the token exp, clamped by max', clamped, null, now / 1000 + 1000, s(300)],
    ['nothing: cache_ttl', rules({ cache_ttl: 100 }), null, null, s(100)],
    ['nothing: cache_ttl clamped', rules({ cache_ttl: 100, cache_ttl_max: 50 }), null, null, s(50)],
    ['nothing, defaults: 3600', plain, null, null, s(3600)],
    ['never past the token exp', plain, 600, now / 1000 + 60, s(60)],
    ['min does not outlive the token exp', clamped, 10, now / 1000 + 20, s(20)],
    ['expires_in 0 and exp: the exp', plain, 0, now / 1000 + 90, s(90)],
    ['max wins over min when they conflict', rules({ cache_ttl_min: 100, cache_ttl_max: 50 }), 10, null, s(50)]
  ]
  for (const [name, r, expiresIn, exp, expected] of cases) t.equal(tokenExpiresAt(r, expiresIn, exp, now), expected, name)
  t.ok(Math.abs(tokenExpiresAt(plain, 60, null) - (Date.now() + 60_000)) < 5_000, 'now defaults to Date.now()')

  const leeway = rules({ leeway: 10 })
  t.equal(isExpiredOnArrival(plain, null, now), false, 'no exp')
  t.equal(isExpiredOnArrival(plain, now / 1000 + 1, now), false)
  t.equal(isExpiredOnArrival(plain, now / 1000, now), true, 'exp == now')
  t.equal(isExpiredOnArrival(leeway, now / 1000 - 5, now), false, 'within leeway')
  t.equal(isExpiredOnArrival(leeway, now / 1000 - 10, now), true, 'past leeway')
})

t.test('upstream token header forms', async (t) => {
  t.same(parseUpstreamTokenHeader('authorization:bearer'), { name: 'authorization', prefix: 'Bearer ' })
  t.same(parseUpstreamTokenHeader('Authorization:Basic'), { name: 'authorization', prefix: 'Basic ' })
  t.same(parseUpstreamTokenHeader('authorization:dpop'), { name: 'authorization', prefix: 'DPoP ' })
  t.same(parseUpstreamTokenHeader('X-Access-Token'), { name: 'x-access-token', prefix: '' })
  t.equal(parseUpstreamTokenHeader(null), null)
  t.equal(parseUpstreamTokenHeader(''), null)
})

t.test('token value codec', async (t) => {
  const value = { accessToken: 'eyJ.tok€n.sig', tokenType: 'Bearer', expiresAt: 1_700_000_060_000 }
  const bytes = encodeTokenValue(value)
  t.equal(bytes.length, HEADER_BYTES + 6 + Buffer.byteLength(value.accessToken))
  const bearer = createTokenValueCodec('authorization:bearer')
  t.same(bearer.decode(bytes), { ...value, upstreamValue: 'Bearer eyJ.tok€n.sig', grant: null })
  t.equal(createTokenValueCodec('x-token').decode(bytes)?.upstreamValue, value.accessToken, 'plain header: the raw token')
  t.equal(decodeTokenValue(bytes, null)?.upstreamValue, value.accessToken)
  t.equal(bearer.decode(bearer.encode({ ...value, expiresAt: NEVER }))?.expiresAt, NEVER, 'never expires')

  // as the shared cache holds it: inside a SharedArrayBuffer slot, followed by stale bytes
  const slot = new Uint8Array(new SharedArrayBuffer(256), 32, 200)
  slot.fill(0x41)
  slot.set(bytes)
  t.same(bearer.decode(slot), { ...value, upstreamValue: 'Bearer eyJ.tok€n.sig', grant: null })
  t.equal(bearer.decode(slot.subarray(0, bytes.length - 1)), null, 'truncated')
  t.equal(bearer.decode(new Uint8Array(4)), null, 'too short')
  t.equal(bearer.decode(new Uint8Array(bytes.length)), null, 'wrong format byte')
})
