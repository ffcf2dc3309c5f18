// Consumer credentials as DB-less Kong loads them (kong/plugins/{key-auth,basic-auth,jwt,acl}/daos.lua,
// kong/db/schema/others/declarative_config.lua): nested and top-level forms, consumer references, required
// fields, uniqueness with the JSON path, stable ids, basic-auth hashing (crypto.lua) and when it is skipped,
// jwt validations, redaction, and the credential index built per compile.

import t from 'tap'
import { createHash, generateKeyPairSync } from 'node:crypto'
import { loadConfigObject } from '../../../src/config/load.ts'
import { createConfigView } from '../../../src/config/compile-runtime.ts'
import { redactedEntities } from '../../../src/config/redact-config.ts'
import type { LoadedConfig } from '../../../src/config/types.ts'
import { SOURCE, doc, issuesOf, sortIssues } from './issues.ts'

function load (extra: Record<string, unknown>): LoadedConfig {
  return loadConfigObject(doc(extra), SOURCE, {})
}

const ALICE = '5f0ca2f4-4a6e-4f4b-9d9a-6d2d8a7e2c11'

t.test('nested and top-level credentials load, each naming its consumer', async (t) => {
  const config = load({
    consumers: [{ id: ALICE, username: 'alice', keyauth_credentials: [{ key: 'k1', ttl: 60 }], acls: [{ group: 'admins' }] }, { username: 'bob' }],
    keyauth_credentials: [{ consumer: 'bob', key: 'k2' }],
    basicauth_credentials: [{ consumer: { username: 'alice' }, username: 'al', password: 'pw' }],
    jwt_secrets: [{ consumer: { id: ALICE }, key: 'iss-a', secret: 'hs' }],
    acls: [{ consumer: ALICE, group: 'users', tags: ['t'] }],
  })
  const e = config.entities
  const bob = e.consumers[1].id
  t.strictSame(e.keyauth_credentials.map((c) => [c.consumer.id, c.key, c.ttl]), [[ALICE, 'k1', 60], [bob, 'k2', null]])
  t.strictSame(e.basicauth_credentials.map((c) => [c.consumer.id, c.username]), [[ALICE, 'al']])
  t.strictSame(e.jwt_secrets.map((c) => [c.consumer.id, c.key, c.secret, c.algorithm, c.rsa_public_key]), [[ALICE, 'iss-a', 'hs', 'HS256', null]])
  t.strictSame(e.acls.map((c) => [c.consumer.id, c.group, c.tags]), [[ALICE, 'admins', null], [ALICE, 'users', ['t']]])
  t.ok(Object.isFrozen(e.keyauth_credentials[0]), 'frozen')
})

t.test('ids are stable across loads; a given id is kept', async (t) => {
  const input = { consumers: [{ username: 'a', keyauth_credentials: [{ key: 'k' }], basicauth_credentials: [{ username: 'u', password: 'p' }] }] }
  const first = load(input).entities
  const second = load(input).entities
  t.equal(first.keyauth_credentials[0].id, second.keyauth_credentials[0].id)
  t.equal(first.basicauth_credentials[0].id, second.basicauth_credentials[0].id)
  const other = load({ consumers: [{ username: 'a', keyauth_credentials: [{ key: 'other' }] }] }).entities
  t.equal(other.keyauth_credentials[0].id, first.keyauth_credentials[0].id, 'a key-auth id does not depend on the (secret) key')
  const given = load({ consumers: [{ username: 'a', keyauth_credentials: [{ id: ALICE, key: 'k' }] }] }).entities
  t.equal(given.keyauth_credentials[0].id, ALICE)
})

t.test('basic-auth passwords are hashed as crypto.lua does, unless the file says they are hashes', async (t) => {
  const input = { consumers: [{ id: ALICE, username: 'a', basicauth_credentials: [{ username: 'u', password: 'pw' }] }] }
  const expected = createHash('sha1').update(`pw${ALICE}`).digest('hex')
  t.equal(load(input).entities.basicauth_credentials[0].password, expected, 'sha1(password .. consumer id)')
  t.equal(load({ ...input, _transform: false }).entities.basicauth_credentials[0].password, 'pw', '_transform: false (Kong export)')
  t.equal(load({ ...input, _info: { skip_hash_for_basic_auth: true } }).entities.basicauth_credentials[0].password, 'pw', 'decK skip_hash_for_basic_auth')
})

t.test('errors name the JSON path', async (t) => {
  t.strictSame(issuesOf(doc({
    consumers: [{ username: 'a', keyauth_credentials: [{ key: 'same' }, { key: 'same' }, {}, { key: 'x', consumer: 'a' }] }],
    keyauth_credentials: [{ key: 'y' }, { consumer: 'ghost', key: 'z' }, { consumer: { name: 'a', id: ALICE }, key: 'w' }],
    basicauth_credentials: [{ consumer: 'a', username: 'u', password: 'p' }, { consumer: 'a', username: 'u', password: 'q' }, { consumer: 'a', username: 'v' }],
    jwt_secrets: [{ consumer: 'a', key: 'j', algorithm: 'RS256' }, { consumer: 'a', key: 'j2', algorithm: 'PS256', rsa_public_key: 'nope' },
      { consumer: 'a', key: 'j3' }, { consumer: 'a', key: 'j4', algorithm: 'XX1' }],
    acls: [{ consumer: 'a' }],
  })), sortIssues([
    { path: 'consumers[0].keyauth_credentials[1].key', message: "uniqueness violation: 'keyauth_credentials' entity with the same key already declared at consumers[0].keyauth_credentials[0]" },
    { path: 'consumers[0].keyauth_credentials[2].key', message: 'required field missing (Tollgate does not generate it: a DB-less key would change at every load)' },
    { path: 'consumers[0].keyauth_credentials[3].consumer', message: 'must not be set: the keyauth_credential is nested under a consumer' },
    { path: 'keyauth_credentials[0].consumer', message: 'required field missing' },
    { path: 'keyauth_credentials[1].consumer', message: "invalid reference 'consumer: ghost' (no such entry in 'consumers')" },
    { path: 'keyauth_credentials[2].consumer', message: 'expected a username or id string, or an object with an id or a username' },
    { path: 'basicauth_credentials[1].username', message: "uniqueness violation: 'basicauth_credentials' entity with username set to 'u' already declared at basicauth_credentials[0]" },
    { path: 'basicauth_credentials[2].password', message: 'required field missing' },
    { path: 'jwt_secrets[0].rsa_public_key', message: 'required field missing' },
    { path: 'jwt_secrets[1].rsa_public_key', message: 'invalid key' },
    { path: 'jwt_secrets[2].secret', message: 'required field missing (Tollgate does not generate it: a DB-less key would change at every load)' },
    { path: 'jwt_secrets[3].algorithm', message: 'expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA' },
    { path: 'acls[0].group', message: 'required field missing' },
  ]))
})

t.test('a jwt RS256 credential with a valid public key loads', async (t) => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string
  const config = load({ consumers: [{ username: 'a', jwt_secrets: [{ key: 'k', algorithm: 'RS256', rsa_public_key: pem }] }] })
  t.equal(config.entities.jwt_secrets[0].secret, null)
})

t.test('redaction: key-auth key, basic-auth password and jwt secret', async (t) => {
  const config = load({
    consumers: [{
      username: 'a',
      keyauth_credentials: [{ key: 'k-s3cr3t' }],
      basicauth_credentials: [{ username: 'u', password: 'p' }],
      jwt_secrets: [{ key: 'iss', secret: 'j-s3cr3t' }],
      acls: [{ group: 'g' }]
    }],
  })
  const shown = redactedEntities(config.entities)
  t.equal(shown.keyauth_credentials[0].key, '<redacted>')
  t.equal(shown.basicauth_credentials[0].password, '<redacted>')
  t.equal(shown.basicauth_credentials[0].username, 'u')
  t.equal(shown.jwt_secrets[0].secret, '<redacted>')
  t.equal(shown.jwt_secrets[0].key, 'iss')
  t.equal(shown.acls[0].group, 'g')
  t.equal(config.entities.keyauth_credentials[0].key, 'k-s3cr3t', 'the loaded config keeps the key')
})

t.test('the credential index: one lookup per kind, groups per consumer', async (t) => {
  const config = load({
    consumers: [{
      id: ALICE,
      username: 'alice',
      keyauth_credentials: [{ key: 'k1' }, { key: 'old', ttl: 0 }],
      basicauth_credentials: [{ username: 'al', password: 'p' }],
      jwt_secrets: [{ key: 'iss', secret: 's' }],
      acls: [{ group: 'a' }, { group: 'b' }]
    }],
  })
  const { credentials } = createConfigView(config.entities)
  const match = credentials.keyAuth('k1')!
  t.equal(match.consumer.username, 'alice')
  t.strictSame(match.authenticated, { id: config.entities.keyauth_credentials[0].id, consumer_id: ALICE })
  t.equal(match.expiresAt, Infinity)
  t.ok(credentials.keyAuth('old')!.expiresAt <= Date.now(), 'ttl 0: expired')
  t.equal(credentials.keyAuth('K1'), undefined)
  t.equal(credentials.basicAuth('al')!.consumer.id, ALICE)
  t.equal(credentials.jwt('iss')!.credential.secret, 's')
  t.strictSame(credentials.groups(ALICE), ['a', 'b'])
  t.strictSame(credentials.groups('nobody'), [])
})
