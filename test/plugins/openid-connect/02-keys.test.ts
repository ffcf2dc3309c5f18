// The gateway's own signing keys: generated once, persisted privately, reloaded with the same kids.

import t from 'tap'
import type { Test } from 'tap'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GatewayKeys } from '../../../src/plugins/openid-connect/main/keys.ts'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'r', 't']

async function tempDir (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-keys-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('open generates a key set, persists it 0600 in a new folder, and reloads the same kids', async (t) => {
  const file = join(await tempDir(t), 'nested', 'oidc', 'jwks.json')
  const keys = await GatewayKeys.open(file)
  t.same(keys.publicJwks().keys.map((jwk) => jwk.alg),
    ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])
  for (const jwk of keys.publicJwks().keys) {
    t.equal(jwk.use, 'sig')
    t.match(jwk.kid, /^[A-Za-z0-9_-]{43}$/, 'kid is base64url of 32 bytes')
  }
  t.equal(new Set(keys.kids).size, keys.kids.length, 'kids are distinct')
  t.equal((await stat(file)).mode & 0o777, 0o600)
  t.equal((await stat(join(file, '..'))).mode & 0o077, 0, 'the folder is private too')

  const reloaded = await GatewayKeys.open(file)
  t.same(reloaded.kids, keys.kids)
  t.same(reloaded.signingKey('ES256'), keys.signingKey('ES256'))
})

t.test('publicJwks has only asymmetric public parts', async (t) => {
  const keys = await GatewayKeys.open(join(await tempDir(t), 'jwks.json'))
  const published = keys.publicJwks().keys
  t.ok(published.length > 0)
  for (const jwk of published) {
    t.not(jwk.kty, 'oct')
    for (const member of PRIVATE_MEMBERS) t.notOk(member in jwk, `${jwk.alg} has no ${member}`)
  }
  t.ok(Object.isFrozen(keys.publicJwks()))
  t.type(keys.signingKey('RS256').d, 'string', 'the signing key keeps its private part')
})

t.test('signingKey picks by alg and falls back to RS256', async (t) => {
  const keys = await GatewayKeys.open(join(await tempDir(t), 'jwks.json'))
  t.equal(keys.signingKey().alg, 'RS256')
  t.equal(keys.signingKey('PS256').alg, 'PS256')
  t.equal(keys.signingKey('EdDSA').crv, 'Ed25519')
  t.equal(keys.signingKey('HS256').alg, 'RS256', 'no HS key: Kong falls back to RS256')
})

t.test('rotate replaces every kid and persists the new set', async (t) => {
  const file = join(await tempDir(t), 'jwks.json')
  const keys = await GatewayKeys.open(file)
  const before = keys.kids
  await keys.rotate()
  t.equal(keys.kids.filter((kid) => before.includes(kid)).length, 0)
  t.same(keys.publicJwks().keys.map((jwk) => jwk.kid), keys.kids)
  t.same((await GatewayKeys.open(file)).kids, keys.kids)
  t.equal((await stat(file)).mode & 0o777, 0o600)
})

t.test('a damaged key file is an error, never silently replaced', async (t) => {
  const file = join(await tempDir(t), 'jwks.json')
  for (const content of ['not json', '{"keys":[]}', '{"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]}']) {
    await writeFile(file, content)
    await t.rejects(GatewayKeys.open(file), { code: 'OIDC_KEYS_INVALID' }, content)
    t.equal(await readFile(file, 'utf8'), content, 'left as it was')
  }
})
