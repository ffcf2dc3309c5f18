// Access token verification against an issuer's JWKS (the verify_* fields of Kong's openid-connect docs), with locally made keys.

import t from 'tap'
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { CryptoKey, JWK, JWTPayload } from 'jose'
import { createJwksVerifier } from '../../../src/plugins/openid-connect/worker/jwks-verifier.ts'
import {
  createVerifyOptions, issuerIdentity, verifyAccessToken
} from '../../../src/plugins/openid-connect/worker/verify-token.ts'
import type { VerifyConfig } from '../../../src/plugins/openid-connect/worker/verify-token.ts'

const ISSUER = 'https://idp.example/realms/demo'
const NOW = 1_700_000_000

interface Signer { alg: string, kid: string, privateKey: CryptoKey | Uint8Array, jwk: JWK }

async function signer (alg: string, kid: string): Promise<Signer> {
  if (alg.startsWith('HS')) {
    const secret = Buffer.from('an-hmac-secret-that-is-long-enough-for-hs512-an-hmac-secret-0123')
    return { alg, kid, privateKey: secret, jwk: { kty: 'oct', k: secret.toString('base64url'), kid } }
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

function sign (s: Signer, claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ iss: ISSUER, iat: NOW - 10, exp: NOW + 60, ...claims })
    .setProtectedHeader({ alg: s.alg, kid: s.kid, ...header })
    .sign(s.privateKey)
}

const options = (config: VerifyConfig = {}) => createVerifyOptions(config, ISSUER)
const NOW_MS = NOW * 1000

t.test('signature verification with RS256, PS256, ES256, EdDSA keys', async (t) => {
  const signers = await Promise.all([signer('RS256', 'rs'), signer('PS256', 'ps'), signer('ES256', 'es'), signer('EdDSA', 'ed')])
  const verifier = createJwksVerifier(signers.map((s) => s.jwk))
  for (const s of signers) {
    t.match(await verifyAccessToken(await sign(s), verifier, options(), NOW_MS), { exp: NOW + 60 }, s.alg)
  }
  const [rs, , es] = signers
  const forged = (await sign(rs)).split('.')
  forged[1] = Buffer.from(JSON.stringify({ iss: ISSUER, exp: NOW + 9999 })).toString('base64url')
  await t.rejects(verifyAccessToken(forged.join('.'), verifier, options(), NOW_MS), { code: 'TOKEN_SIGNATURE_INVALID' }, 'tampered payload')
  const other = await signer('RS256', 'rs')
  await t.rejects(verifyAccessToken(await sign(other), verifier, options(), NOW_MS), { code: 'TOKEN_SIGNATURE_INVALID' },
    'same kid, another key')
  await t.rejects(verifyAccessToken(await sign(es, {}, { kid: 'rs' }), verifier, options(), NOW_MS), { code: 'JWKS_KID_UNKNOWN' },
    'kid of a key of another type')
  const verifierRs = createJwksVerifier([rs.jwk])
  t.equal(verifierRs, verifierRs, 'built once, reused')
  await t.resolves(verifyAccessToken(await sign(rs), verifierRs, options(), NOW_MS))
  await t.resolves(verifyAccessToken(await sign(rs), verifierRs, options(), NOW_MS), 'imported key reused')
})

t.test('key lookup: unknown kid, no kid, x5t, use and key_ops', async (t) => {
  const a = await signer('RS256', 'a')
  const b = await signer('RS256', 'b')
  const verifier = createJwksVerifier([a.jwk])
  await t.rejects(verifyAccessToken(await sign(b), verifier, options(), NOW_MS),
    { code: 'JWKS_KID_UNKNOWN', message: 'suitable jwk was not found (RS256/b)' }, 'rotated key: rediscover')
  const noKid = createJwksVerifier([{ ...b.jwk, kid: undefined }, a.jwk])
  await t.resolves(verifyAccessToken(await sign(a, {}, { kid: undefined }), noKid, options(), NOW_MS),
    'no kid: every key of the algorithm is tried')
  const x5t = createJwksVerifier([{ ...a.jwk, kid: undefined, x5t: 'thumb' }])
  await t.resolves(verifyAccessToken(await sign(a, {}, { kid: undefined, x5t: 'thumb' }), x5t, options(), NOW_MS), 'by x5t')
  await t.rejects(verifyAccessToken(await sign(a, {}, { kid: undefined, x5t: 'other' }), x5t, options(), NOW_MS),
    { code: 'JWKS_KID_UNKNOWN' })
  await t.rejects(verifyAccessToken(await sign(a), createJwksVerifier([{ ...a.jwk, use: 'enc' }]), options(), NOW_MS),
    { code: 'JWKS_KID_UNKNOWN' }, 'an encryption key does not verify')
  await t.rejects(verifyAccessToken(await sign(a), createJwksVerifier([{ ...a.jwk, key_ops: ['encrypt'] }]), options(), NOW_MS),
    { code: 'JWKS_KID_UNKNOWN' })
  await t.rejects(verifyAccessToken(await sign(a), createJwksVerifier([{ ...a.jwk, alg: 'RS512' }]), options(), NOW_MS),
    { code: 'JWKS_KID_UNKNOWN' }, 'alg of the key must match')
})

t.test('HS* only with enable_hs_signatures; alg none never', async (t) => {
  const hs = await signer('HS256', 'h')
  const verifier = createJwksVerifier([hs.jwk])
  const token = await sign(hs)
  await t.rejects(verifyAccessToken(token, verifier, options(), NOW_MS), { code: 'TOKEN_ALG_NOT_ALLOWED' })
  t.match(await verifyAccessToken(token, verifier, options({ enable_hs_signatures: true }), NOW_MS), { exp: NOW + 60 })
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp: NOW + 5 })).toString('base64url')}.`
  await t.rejects(verifyAccessToken(none, verifier, options({ enable_hs_signatures: true }), NOW_MS), { code: 'TOKEN_ALG_NOT_ALLOWED' })
  t.match(await verifyAccessToken(none, verifier, options({ verify_signature: false }), NOW_MS), { exp: NOW + 5 },
    'verify_signature off')
  t.match(await verifyAccessToken(none, verifier, options({ ignore_signature: ['client_credentials'] }), NOW_MS), { exp: NOW + 5 },
    'ignore_signature: [client_credentials]')
  await t.rejects(verifyAccessToken(none, verifier, options({ ignore_signature: ['password'] }), NOW_MS), { code: 'TOKEN_ALG_NOT_ALLOWED' },
    'ignoring another grant changes nothing')
})

t.test('claims: checked only when present, with leeway and allowed issuers', async (t) => {
  const s = await signer('ES256', 'k')
  const verifier = createJwksVerifier([s.jwk])
  const verify = async (claims: JWTPayload, config: VerifyConfig = {}) =>
    verifyAccessToken(await sign(s, claims), verifier, options(config), NOW_MS)
  t.match(await verify({ iss: undefined, iat: undefined, exp: undefined }), { exp: null }, 'no claims at all')
  await t.rejects(verify({ exp: NOW }), { code: 'TOKEN_EXPIRED' })
  t.match(await verify({ exp: NOW - 5 }, { leeway: 10 }), { exp: NOW - 5 }, 'within leeway')
  await t.rejects(verify({ nbf: NOW + 30 }), { code: 'TOKEN_NOT_YET_VALID' })
  await t.resolves(verify({ nbf: NOW + 30 }, { leeway: 30 }))
  await t.rejects(verify({ iat: NOW + 30 }), { code: 'TOKEN_NOT_YET_VALID' })
  await t.rejects(verify({ iss: 'https://evil.example' }), { code: 'TOKEN_ISSUER_INVALID' })
  await t.resolves(verify({ iss: 'https://evil.example/' }, { issuers_allowed: ['https://evil.example'] }))
  await t.resolves(verify({ iss: `${ISSUER}/` }), 'trailing slash normalised')
  await t.resolves(verify({ exp: NOW - 100, iss: 'x' }, { verify_claims: false }), 'verify_claims off')
  await t.rejects(verify({ exp: 'soon' as unknown as number }), { code: 'TOKEN_MALFORMED' })
  t.equal(issuerIdentity(`${ISSUER}/.well-known/openid-configuration`), ISSUER)
})

t.test('opaque tokens are accepted as they are', async (t) => {
  const verifier = createJwksVerifier([])
  for (const token of ['opaque-token', 'a.b', 'not.a.jwt', 'a.b.c.d.e']) {
    t.match(await verifyAccessToken(token, verifier, options(), NOW_MS), { exp: null, payload: null }, token)
  }
  const badPayload = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.!!!.sig`
  await t.rejects(verifyAccessToken(badPayload, verifier, options(), NOW_MS), { code: 'TOKEN_MALFORMED' },
    'a JWS header with a broken payload is not opaque')
})

t.test('strict base64url: a token changed outside the alphabet never keeps its signature', async (t) => {
  const rs = await signer('RS256', 'rs')
  const verifier = createJwksVerifier([rs.jwk])
  const token = await sign(rs, { sub: 'AAAA' })
  const [header, payload, signature] = token.split('.')
  // U+0141 is 0x41 ('A') in latin1, and Buffer's base64url decoder skips it: both tricks must fail
  const swapped = `${header}.${payload.replace('A', '\u0141')}.${signature}`
  if (swapped !== token) await t.rejects(verifyAccessToken(swapped, verifier, options(), NOW_MS), { code: 'TOKEN_MALFORMED' }, 'a payload char outside base64url')
  await t.rejects(verifyAccessToken(`${header}.${payload}!.${signature}`, verifier, options(), NOW_MS), { code: 'TOKEN_MALFORMED' })
  await t.rejects(verifyAccessToken(`${header}.${payload}.${signature}*`, verifier, options(), NOW_MS), { code: 'TOKEN_SIGNATURE_INVALID' },
    'a signature char outside base64url')
  await t.rejects(verifyAccessToken(`${header}.${payload}.${signature.slice(0, -4)}`, verifier, options(), NOW_MS), { code: 'TOKEN_SIGNATURE_INVALID' },
    'a truncated signature')
})

t.test('RSA keys under 2048 bits and malformed EC signatures do not verify', async (t) => {
  // jose refuses to make or use such a key, so the token is signed with node:crypto
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${segment({ alg: 'RS256', kid: 'weak' })}.${segment({ iss: ISSUER, exp: NOW + 60 })}`
  const weakToken = `${input}.${cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`
  const weakJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256' } as JWK
  await t.rejects(verifyAccessToken(weakToken, createJwksVerifier([weakJwk]), options(), NOW_MS), { code: 'TOKEN_SIGNATURE_INVALID' })
  const es = await signer('ES256', 'es')
  const [h, p, s] = (await sign(es)).split('.')
  const short = Buffer.from(s, 'base64url').subarray(1).toString('base64url')
  await t.rejects(verifyAccessToken(`${h}.${p}.${short}`, createJwksVerifier([es.jwk]), options(), NOW_MS), { code: 'TOKEN_SIGNATURE_INVALID' },
    'an ES256 signature one byte short')
})
