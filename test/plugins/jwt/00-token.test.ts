// The pure parts of the jwt plugin, on attacker input: where a token is found (token-lookup.ts, after
// kong/plugins/jwt/handler.lua retrieve_tokens), how it is split and decoded (token-parser.ts, after
// jwt_parser.lua decode_token), the registered claims (verify_registered_claims, check_maximum_expiration)
// and the base64 secret (jwt_parser.lua base64_decode). Property-based where the input is the attacker's.

import t from 'tap'
import fc from 'fast-check'
import type { IncomingMessage } from 'node:http'
import {
  ABSENT, MULTIPLE, UNRECOGNIZABLE, bearerToken, cookieValue, findToken, headerName, type Locations
} from '../../../src/plugins/jwt/token-lookup.ts'
import {
  INVALID_ALG, INVALID_CLAIMS, INVALID_JSON, INVALID_SIGNATURE, claimErrors, exceedsMaximum, isBase64Url, own, parseToken
} from '../../../src/plugins/jwt/token-parser.ts'
import { decodeSecret } from '../../../src/plugins/jwt/credential-key.ts'

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

function request (headers: Record<string, string>): IncomingMessage {
  const rawHeaders = Object.entries(headers).flat()
  const lower: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value
  return { headers: lower, rawHeaders } as unknown as IncomingMessage
}

const DEFAULTS: Locations = { uriParamNames: ['jwt'], cookieNames: [], headerNames: [headerName('authorization')] }

t.test('bearerToken follows ngx.re \\s*[Bb]earer\\s+(.+)', async (t) => {
  t.equal(bearerToken('Bearer abc'), 'abc')
  t.equal(bearerToken('bearer abc'), 'abc')
  t.equal(bearerToken('BEARER abc'), '', 'only B or b then "earer"')
  t.equal(bearerToken('Bearer'), '')
  t.equal(bearerToken('Bearerabc'), '', 'whitespace is required')
  t.equal(bearerToken('Basic x, Bearer  abc'), 'abc', 'not anchored: the first match anywhere')
  t.equal(bearerToken('Bearer a b'), 'a b', '(.+) runs to the end')
  t.equal(bearerToken('abc'), '', 'a bare token is no token')
  t.equal(bearerToken('Bearer \t '), '\t '.slice(-1), 'backtracking gives (.+) the last whitespace')
  // JS's regex agrees with PCRE's on ASCII without \n and \r (where `.` and \s differ)
  const pcre = /\s*[Bb]earer\s+(.+)/
  const piece = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'earer', 'B', 'b', ' ', '\t', '\f', '\v', 'x', '.', ',')
  const text = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''))
  fc.assert(fc.property(text, (value) => bearerToken(value) === (pcre.exec(value)?.[1] ?? '')))
})

t.test('cookieValue as nginx $cookie_<name>', async (t) => {
  t.equal(cookieValue('a=1; jwt=tok; b=2', 'jwt'), 'tok')
  t.equal(cookieValue('JWT=tok', 'jwt'), 'tok', 'the name in any case')
  t.equal(cookieValue('xjwt=no; jwt = tok', 'jwt'), 'tok', 'a longer name is another cookie; spaces around =')
  t.equal(cookieValue('jwt=first; jwt=second', 'jwt'), 'first', 'the first one')
  t.equal(cookieValue('other=1', 'jwt'), '')
  t.equal(cookieValue('jwt', 'jwt'), '', 'no value')
})

t.test('findToken: the set of tokens of retrieve_tokens', async (t) => {
  t.equal(findToken(request({}), '', DEFAULTS), ABSENT)
  t.equal(findToken(request({ Authorization: 'Bearer t1' }), '', DEFAULTS), 't1')
  t.equal(findToken(request({}), 'jwt=t1', DEFAULTS), 't1')
  t.equal(findToken(request({}), 'jwt=t%2B1', DEFAULTS), 't+1', 'query values are decoded')
  t.equal(findToken(request({}), 'jwt=t1&jwt=t1', DEFAULTS), 't1', 'one token twice is one token')
  t.equal(findToken(request({}), 'jwt=t1&jwt=t2', DEFAULTS), MULTIPLE)
  t.equal(findToken(request({ Authorization: 'Bearer t2' }), 'jwt=t1', DEFAULTS), MULTIPLE)
  t.equal(findToken(request({ Authorization: 'Bearer t1' }), 'jwt=t1', DEFAULTS), 't1')
  t.equal(findToken(request({}), 'jwt=', DEFAULTS), ABSENT, 'an empty value is skipped')
  t.equal(findToken(request({}), 'jwt', DEFAULTS), UNRECOGNIZABLE, "a valueless argument is Kong's `true`")
  t.equal(findToken(request({}), 'jwt&jwt=t1', DEFAULTS), MULTIPLE)
  t.equal(findToken(request({}), 'jwtx=t1', DEFAULTS), ABSENT)
  const custom: Locations = { uriParamNames: [], cookieNames: ['crumble'], headerNames: [headerName('Custom_Auth')] }
  t.equal(findToken(request({ Cookie: 'crumble=c1' }), 'jwt=q', custom), 'c1')
  t.equal(findToken(request({ 'Custom-Auth': 'Bearer h1' }), '', custom), 'h1', "'_' retried as '-'")
  t.equal(findToken(request({ 'Custom-Auth': 'h1' }), '', custom), ABSENT, 'a bare token in a custom header is no token, as in Kong 3.9')
  const repeated = { headers: { 'custom-auth': 'Bearer h1, Bearer h2' }, rawHeaders: ['Custom-Auth', 'Bearer h1', 'custom-auth', 'Bearer h2'] }
  t.equal(findToken(repeated as unknown as IncomingMessage, '', custom), 'h1', 'a repeated header: its first value')
})

t.test('parseToken: decode_token', async (t) => {
  const header = b64({ alg: 'HS256', typ: 'JWT' })
  const claims = b64({ iss: 'k' })
  const good = parseToken(`${header}.${claims}.${b64('sig')}`)
  if (typeof good === 'string') throw new Error(good)
  t.equal(good.alg, 'HS256')
  t.same(good.claims, { iss: 'k' })
  t.equal(good.input.toString(), `${header}.${claims}`)
  t.equal(good.signature.toString(), 'sig')
  t.equal(parseToken('abc'), INVALID_JSON, 'one part')
  t.equal(parseToken(`${header}.${claims}`), INVALID_JSON, 'two parts')
  t.equal(parseToken(`${header}.${b64('not json')}.x`), INVALID_JSON)
  t.equal(parseToken(`${header}=.${claims}.x`), INVALID_JSON, 'padding is refused')
  t.equal(parseToken(`${header.slice(0, 4)}!${header.slice(4)}.${claims}.x`), INVALID_JSON, 'a character Buffer would skip is refused')
  t.equal(parseToken(`${b64({ alg: 'none' })}.${claims}.`), INVALID_ALG)
  t.equal(parseToken(`${b64({ typ: 'JWT' })}.${claims}.`), INVALID_ALG)
  t.equal(parseToken(`${b64({ alg: 256 })}.${claims}.`), INVALID_ALG)
  t.equal(parseToken(`${b64('"HS256"')}.${claims}.`), INVALID_ALG, 'a header that is not an object')
  t.equal(parseToken(`${header}.${b64([1])}.`), INVALID_CLAIMS)
  t.equal(parseToken(`${header}.${claims}.a.b`), INVALID_SIGNATURE, 'a third dot is part of the signature (tokenize, 3)')
  t.equal(parseToken(`${header}.${claims}.a+b`), INVALID_SIGNATURE)
  t.equal(parseToken(`${header}.${claims}.abcde`), INVALID_SIGNATURE, 'a length of 1 mod 4')
  const empty = parseToken(`${header}.${claims}.`)
  t.ok(typeof empty !== 'string' && empty.signature.length === 0, 'an empty signature decodes (and will not verify)')
  t.equal(own({}, 'constructor'), undefined, 'inherited members are no claims')
})

t.test('parseToken never throws, and what it accepts is base64url', async () => {
  const alphabet = fc.constantFrom(...'ABCxyz019-_.=+/!~ %'.split(''))
  fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 80 }), (token) => {
    parseToken(token)
  }))
  const segment = fc.oneof(fc.string(), fc.json().map(b64), fc.constant(b64({ alg: 'RS256' })))
  fc.assert(fc.property(segment, segment, segment, (a, b, c) => {
    const parsed = parseToken(`${a}.${b}.${c}`)
    if (typeof parsed === 'string') return true
    return /^[A-Za-z0-9_-]*$/.test(a + b + c) && parsed.alg === 'RS256'
  }))
  fc.assert(fc.property(fc.string({ maxLength: 20 }), (text) =>
    isBase64Url(text, 0, text.length) === (/^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1)))
})

t.test('registered claims', async (t) => {
  const now = 1000
  t.equal(claimErrors([], undefined, undefined, now), null)
  t.same(claimErrors(['exp', 'nbf'], 'x', null, now), { exp: 'must be a number', nbf: 'must be a number' })
  t.same(claimErrors(['exp'], now, undefined, now), { exp: 'token expired' }, 'exp <= now')
  t.equal(claimErrors(['exp'], now + 1, undefined, now), null)
  t.same(claimErrors(['nbf'], undefined, now + 1, now), { nbf: 'token not valid yet' })
  t.equal(claimErrors(['nbf'], undefined, now, now), null)
  t.equal(exceedsMaximum(now + 100, 0, now), false, '0: no limit')
  t.equal(exceedsMaximum(now + 100, 100, now), false)
  t.equal(exceedsMaximum(now + 101, 100, now), true)
})

t.test('a base64 secret as ngx decode_base64url reads it', async (t) => {
  t.equal(decodeSecret(Buffer.from('secret!').toString('base64url'))?.toString(), 'secret!')
  t.equal(decodeSecret('c2VjcmV0==')?.toString(), 'secret', "decoding stops at the first '='")
  t.equal(decodeSecret('a+b/'), null, 'the standard alphabet is refused')
  t.equal(decodeSecret('abcde'), null)
})
