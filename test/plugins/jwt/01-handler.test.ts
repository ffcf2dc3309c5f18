// The jwt access phase on a stand-in request context, after kong/plugins/jwt/handler.lua do_authentication
// and spec/03-plugins/16-jwt/03-access_spec.lua: every algorithm of jwt_parser.lua alg_verify with keys
// made here, each refusal's status, body and WWW-Authenticate, the claims, anonymous, and the memo.

import t from 'tap'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { loadConfigObject } from '../../../src/config/load.ts'
import { createConfigView } from '../../../src/config/compile-runtime.ts'
import type { Consumer } from '../../../src/config/types.ts'
import { createJwt } from '../../../src/plugins/jwt/handler.ts'
import type { AuthenticatedCredential, PluginInstance, ProxyContext } from '../../../src/plugins/types.ts'
import { signJwt } from '../../helpers/jwt-sign.ts'

const pem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }) as string
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' })
const ed = generateKeyPairSync('ed25519')
const SECRET = 'a-shared-secret'

/** each algorithm: its credential's public half (or secret) and the key tokens are signed with */
const SIGNERS: Record<string, { readonly verify: Record<string, string>, readonly sign: string | KeyObject }> = {
  HS256: { verify: { secret: SECRET }, sign: SECRET },
  HS384: { verify: { secret: SECRET }, sign: SECRET },
  HS512: { verify: { secret: SECRET }, sign: SECRET },
  RS256: { verify: { rsa_public_key: pem(rsa.publicKey) }, sign: rsa.privateKey },
  RS384: { verify: { rsa_public_key: pem(rsa.publicKey) }, sign: rsa.privateKey },
  RS512: { verify: { rsa_public_key: pem(rsa.publicKey) }, sign: rsa.privateKey },
  PS256: { verify: { rsa_public_key: pem(rsa.publicKey) }, sign: rsa.privateKey },
  PS384: { verify: { rsa_public_key: pem(rsa.publicKey) }, sign: rsa.privateKey },
  PS512: { verify: { rsa_public_key: pem(rsa.publicKey) }, sign: rsa.privateKey },
  ES256: { verify: { rsa_public_key: pem(p256.publicKey) }, sign: p256.privateKey },
  ES384: { verify: { rsa_public_key: pem(p384.publicKey) }, sign: p384.privateKey },
  ES512: { verify: { rsa_public_key: pem(p521.publicKey) }, sign: p521.privateKey },
  EdDSA: { verify: { rsa_public_key: pem(ed.publicKey) }, sign: ed.privateKey },
}

const credentials = [
  ...Object.entries(SIGNERS).map(([alg, { verify }]) => ({ key: alg, algorithm: alg, ...verify })),
  { key: 'small-rsa', algorithm: 'RS256', rsa_public_key: pem(small.publicKey) },
  { key: 'wrong-curve', algorithm: 'ES256', rsa_public_key: pem(p384.publicKey) },
  { key: 'es-without-key', algorithm: 'ES256' },
  { key: 'b64', secret: Buffer.from(SECRET).toString('base64url') },
  { key: 'b64-bad', secret: 'a+b/' },
]

const loaded = loadConfigObject({
  _format_version: '3.0',
  consumers: [{ username: 'alice', custom_id: 'A-1', jwt_secrets: credentials }, { username: 'anon' }],
}, '/test/config.json', {})
const view = createConfigView(loaded.entities)

function instance (config: Record<string, unknown> = {}): PluginInstance {
  const full = loadConfigObject({ _format_version: '3.0', plugins: [{ name: 'jwt', config }] }, '/test/config.json', {})
  return createJwt(full.entities.plugins[0], 1450, null, view)
}

interface Outcome {
  status: number
  body: unknown
  headers: Record<string, string>
  consumer: Consumer | null
  credential: AuthenticatedCredential | null
  upstream: Record<string, string | string[]>
  shared: Record<string, unknown> | null
}

function run (plugin: PluginInstance, headers: Record<string, string> = {}, query = '', method = 'GET',
  credential: AuthenticatedCredential | null = null): Outcome {
  const out: Outcome = { status: 0, body: null, headers: {}, consumer: null, credential, upstream: {}, shared: null }
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  const ctx = {
    req: { method, headers: lower, rawHeaders: Object.entries(headers).flat() } as unknown as IncomingMessage,
    query,
    upstreamHeaders: out.upstream,
    shared: null as Record<string, unknown> | null,
    credential,
    authenticate (consumer: Consumer | null, cred: AuthenticatedCredential | null) {
      out.consumer = consumer
      out.credential = cred
    },
    respond (status: number, body: string, _type: string | null, h?: Record<string, string>) {
      out.status = status
      out.body = JSON.parse(body)
      out.headers = { ...h }
    },
    exit (status: number, message: string) {
      out.status = status
      out.body = { message }
    },
  }
  plugin.access!(ctx as unknown as ProxyContext)
  out.shared = ctx.shared
  return out
}

const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` })
const now = (): number => Math.floor(Date.now() / 1000)
const INVALID = { 'www-authenticate': 'Bearer error="invalid_token"' }

t.test('every algorithm of jwt_parser.lua alg_verify, with its own keys', async (t) => {
  const plugin = instance()
  for (const [alg, { sign }] of Object.entries(SIGNERS)) {
    const token = signJwt(alg, { iss: alg }, sign)
    const ok = run(plugin, bearer(token))
    t.equal(ok.status, 0, `${alg}: accepted`)
    t.equal(ok.consumer?.username, 'alice')
    t.equal(ok.upstream['x-credential-identifier'], alg, 'X-Credential-Identifier is the credential key (set_consumer)')
    t.equal(ok.upstream['x-consumer-custom-id'], 'A-1')
    t.equal(ok.shared?.authenticated_jwt_token, token)
    // the same claims signed by someone else
    const other = alg.startsWith('HS')
      ? 'other'
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519').privateKey
        : alg.startsWith('ES')
          ? generateKeyPairSync('ec', { namedCurve: ({ ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as Record<string, string>)[alg] }).privateKey
          : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const forged = run(plugin, bearer(signJwt(alg, { iss: alg }, other)))
    t.equal(forged.status, 401, `${alg}: another key's signature is refused`)
    t.same(forged.body, { message: 'Invalid signature' })
    t.same(forged.headers, INVALID)
  }
})

t.test("the refusals of do_authentication, with Kong's bodies and WWW-Authenticate", async (t) => {
  const plugin = instance()
  const expect = (outcome: Outcome, body: unknown, headers: Record<string, string> = INVALID, name = JSON.stringify(body)): void => {
    t.equal(outcome.status, 401, name)
    t.same(outcome.body, body, name)
    t.same(outcome.headers, headers, `${name}: WWW-Authenticate`)
    t.equal(outcome.consumer, null)
  }
  expect(run(plugin), { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' })
  expect(run(plugin, { Authorization: 'BEARER x.y.z' }), { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' }, 'BEARER is not [Bb]earer')
  expect(run(plugin, bearer('a.b.c'), 'jwt=d.e.f'), { message: 'Multiple tokens provided' })
  expect(run(plugin, {}, 'jwt'), { message: 'Unrecognizable token' })
  expect(run(plugin, bearer('not-a-token')), { message: 'Bad token; invalid JSON' })
  expect(run(plugin, bearer(signJwt('HS256', { iss: 'HS256' }, SECRET).replace(/\.[^.]*$/, '.a!b'))), { message: 'Bad token; invalid signature' })
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  expect(run(plugin, bearer(`${part({ alg: 'none' })}.${part({ iss: 'HS256' })}.`)), { message: 'Bad token; invalid alg' })
  expect(run(plugin, bearer(signJwt('HS256', { sub: 'x' }, SECRET))), { message: "No mandatory 'iss' in claims" })
  expect(run(plugin, bearer(signJwt('HS256', { iss: '' }, SECRET))), { message: "Invalid 'iss' in claims" })
  expect(run(plugin, bearer(signJwt('HS256', { iss: 'nobody' }, SECRET))), { message: "No credentials found for given 'iss'" })
  expect(run(plugin, bearer(signJwt('HS256', { iss: 42 }, SECRET))), { message: "No credentials found for given 'iss'" })
  expect(run(plugin, bearer(signJwt('HS256', { iss: 'RS256' }, SECRET))), { message: 'Invalid algorithm' }, INVALID, 'alg is the credential\'s: an HS token for an RS credential')
  expect(run(plugin, bearer(signJwt('RS256', { iss: 'small-rsa' }, small.privateKey))), { message: 'Invalid key/secret' }, INVALID, 'an RSA key under 2048 bits')
  expect(run(plugin, bearer(signJwt('ES256', { iss: 'wrong-curve' }, p384.privateKey))), { message: 'Invalid key/secret' }, INVALID, 'a key of another curve')
  expect(run(plugin, bearer(signJwt('ES256', { iss: 'es-without-key' }, p256.privateKey))), { message: 'Invalid key/secret' })
  const realm = instance({ realm: 'test-jwt' })
  expect(run(realm), { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer realm="test-jwt"' })
  expect(run(realm, bearer('x')), { message: 'Bad token; invalid JSON' }, { 'www-authenticate': 'Bearer realm="test-jwt", error="invalid_token"' })
})

t.test('key_claim_name, from the claims then the header', async (t) => {
  const kid = instance({ key_claim_name: 'kid' })
  t.equal(run(kid, bearer(signJwt('HS256', {}, SECRET, { kid: 'HS256' }))).status, 0, 'kid in the header')
  t.equal(run(kid, bearer(signJwt('HS256', { kid: 'HS256' }, SECRET, { kid: 'nobody' }))).status, 0, 'the claim first')
  t.same(run(kid, bearer(signJwt('HS256', {}, SECRET))).body, { message: "No mandatory 'kid' in claims" })
  const proto = instance({ key_claim_name: 'constructor' })
  t.same(run(proto, bearer(signJwt('HS256', {}, SECRET))).body, { message: "No mandatory 'constructor' in claims" }, 'no inherited member')
})

t.test('secret_is_base64', async (t) => {
  const plugin = instance({ secret_is_base64: true })
  t.equal(run(plugin, bearer(signJwt('HS256', { iss: 'b64' }, SECRET))).status, 0, 'signed with the decoded secret')
  t.same(run(plugin, bearer(signJwt('HS256', { iss: 'b64-bad' }, 'a+b/'))).body, { message: 'Invalid key/secret' })
  t.equal(run(instance(), bearer(signJwt('HS256', { iss: 'b64' }, SECRET))).status, 401, 'without it, the secret as written')
})

t.test('claims_to_verify and maximum_expiration', async (t) => {
  const plugin = instance({ claims_to_verify: ['exp', 'nbf'] })
  t.same(run(plugin, bearer(signJwt('HS256', { iss: 'HS256' }, SECRET))).body, { exp: 'must be a number', nbf: 'must be a number' })
  t.same(run(plugin, bearer(signJwt('HS256', { iss: 'HS256', exp: now() - 1, nbf: now() }, SECRET))).body, { exp: 'token expired' })
  const early = run(plugin, bearer(signJwt('HS256', { iss: 'HS256', exp: now() + 60, nbf: now() + 60 }, SECRET)))
  t.same(early.body, { nbf: 'token not valid yet' })
  t.same(early.headers, INVALID)
  t.equal(run(plugin, bearer(signJwt('HS256', { iss: 'HS256', exp: now() + 60, nbf: now() }, SECRET))).status, 0)
  const maximum = instance({ claims_to_verify: ['exp'], maximum_expiration: 60 })
  t.same(run(maximum, bearer(signJwt('HS256', { iss: 'HS256', exp: now() + 120 }, SECRET))).body, { exp: 'exceeds maximum allowed expiration' })
  t.equal(run(maximum, bearer(signJwt('HS256', { iss: 'HS256', exp: now() + 30 }, SECRET))).status, 0)
  t.throws(() => instance({ maximum_expiration: 60 }), /claims_to_verify/, "maximum_expiration needs 'exp' (schema.lua entity check)")
})

t.test('a remembered token is checked for expiry again', async (t) => {
  const plugin = instance({ claims_to_verify: ['exp'] })
  const realNow = Date.now
  t.teardown(() => { Date.now = realNow })
  const token = signJwt('RS256', { iss: 'RS256', exp: now() + 10 }, rsa.privateKey)
  t.equal(run(plugin, bearer(token)).status, 0, 'first sight: verified')
  t.equal(run(plugin, bearer(token)).status, 0, 'again: from the memo')
  Date.now = () => realNow() + 20_000
  t.same(run(plugin, bearer(token)).body, { exp: 'token expired' }, 'expired since')
})

t.test('anonymous, logical OR, preflight', async (t) => {
  const plugin = instance({ anonymous: 'anon' })
  const out = run(plugin, bearer('bad'))
  t.equal(out.status, 0, 'no 401')
  t.equal(out.consumer?.username, 'anon')
  t.equal(out.credential, null)
  t.equal(out.upstream['x-anonymous-consumer'], 'true')
  t.equal(out.upstream['x-credential-identifier'], undefined)
  const already = run(plugin, {}, '', 'GET', { id: 'x', consumer_id: 'y' })
  t.equal(already.consumer, null, 'another plugin identified a credential: nothing to do')
  const missing = run(instance({ anonymous: 'ghost' }), {})
  t.equal(missing.status, 500)
  t.same(missing.body, { message: "anonymous consumer ghost is configured but doesn't exist" })
  t.equal(run(instance({ run_on_preflight: false }), {}, '', 'OPTIONS').status, 0, 'OPTIONS passes')
  t.equal(run(instance(), {}, '', 'OPTIONS').status, 401)
})
