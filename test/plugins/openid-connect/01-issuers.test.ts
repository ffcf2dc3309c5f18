// The main thread's issuer registry against a real oidc-provider: background discovery, recovery,
// Kong's throttling (with a fake clock), key rotation, and the Admin API shapes built on it.

import t from 'tap'
import type { Test } from 'tap'
import { once } from 'node:events'
import { EventEmitter } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IssuerRegistry, normalizeIssuerUrl } from '../../../src/plugins/openid-connect/main/issuers.ts'
import type { IssuerRegistryOptions, IssuerSnapshot } from '../../../src/plugins/openid-connect/main/issuers.ts'
import { issuerId } from '../../../src/plugins/openid-connect/shared/issuer-url.ts'
import { handleOpenIdConnectAdmin } from '../../../src/plugins/openid-connect/main/admin.ts'
import { GatewayKeys } from '../../../src/plugins/openid-connect/main/keys.ts'
import { startIdp } from '../../helpers/idp.ts'
import type { TestIdp } from '../../helpers/idp.ts'

interface LogLine { level: string, event: string, fields: Record<string, unknown> }

function setup (t: Test, options: IssuerRegistryOptions = {}) {
  const logs: LogLine[] = []
  const changes = new EventEmitter()
  const logger = (level: string, event: string, fields: Record<string, unknown>): void => {
    logs.push({ level, event, fields })
    changes.emit('log', logs.at(-1))
  }
  const registry = new IssuerRegistry({ logger, ...options })
  registry.onChange((snapshot) => { changes.emit('change', snapshot) })
  t.teardown(() => registry.close())
  return { registry, logs, changes }
}

async function startedIdp (t: Test, options?: Parameters<typeof startIdp>[0]): Promise<TestIdp> {
  const idp = await startIdp(options)
  t.teardown(() => idp.close())
  return idp
}

const kids = (snapshot: IssuerSnapshot | null): string[] => (snapshot?.jwks ?? []).map((jwk) => jwk.kid as string)

t.test('normalizeIssuerUrl and issuer ids', async (t) => {
  t.equal(normalizeIssuerUrl('https://idp/realms/x'), 'https://idp/realms/x/.well-known/openid-configuration')
  t.equal(normalizeIssuerUrl('https://idp/realms/x/'), 'https://idp/realms/x/.well-known/openid-configuration')
  t.equal(normalizeIssuerUrl('https://idp/.well-known/openid-configuration'), 'https://idp/.well-known/openid-configuration')
  t.equal(normalizeIssuerUrl('https://idp/.well-known/oauth-authorization-server/'), 'https://idp/.well-known/oauth-authorization-server')
  t.equal(issuerId('https://idp.example.com/realms/demo'), '641a932a-28b8-57fb-acee-b51ca823a4d0', 'RFC 9562 v5 in the URL namespace')
})

t.test('ensure discovers in the background and publishes one snapshot with the keys', async (t) => {
  const idp = await startedIdp(t)
  const { registry, changes } = setup(t)
  const changed = once(changes, 'change')
  registry.ensure(idp.issuer + '/', { rediscoveryLifetimeSec: 30 })
  registry.ensure(`${idp.issuer}/.well-known/openid-configuration`)
  t.equal(registry.snapshot(idp.issuer), null, 'ensure does not wait')
  const [snapshot] = await changed as [IssuerSnapshot]
  t.same(Object.keys(snapshot).sort(), [
    'authMethods', 'discoveryUrl', 'introspectionAuthMethods', 'introspectionEndpoint', 'issuer', 'jwks', 'tokenEndpoint', 'updatedAt'
  ])
  t.match(snapshot, {
    issuer: idp.issuer,
    discoveryUrl: `${idp.issuer}/.well-known/openid-configuration`,
    tokenEndpoint: `${idp.url}/token`,
    authMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'],
    introspectionEndpoint: `${idp.url}/token/introspection`,
    // oidc-provider omits introspection_endpoint_auth_methods_supported (the token endpoint's methods apply)
    introspectionAuthMethods: null,
    jwks: [{ kid: idp.signingKid, kty: 'RSA', alg: 'RS256', use: 'sig' }],
    updatedAt: Number
  })
  t.same(structuredClone(snapshot), snapshot, 'structured-cloneable')
  t.equal(registry.snapshot(idp.issuer), snapshot)
  t.equal(registry.list().length, 1, 'the three spellings are one issuer')
  t.same(registry.snapshots(), [snapshot])
})

t.test('an IdP down at ensure() is retried until it is back, with no traffic', async (t) => {
  const idp = await startedIdp(t)
  await idp.stop()
  const { registry, logs, changes } = setup(t, { retryAfterFailureMs: 100 })
  registry.ensure(idp.issuer)
  t.equal(await registry.whenReady(idp.issuer), null)
  t.match(logs[0], { level: 'warn', event: 'oidc.discovery.failed', fields: { code: 'IDP_UNREACHABLE' } })
  t.same(registry.list(), [], 'nothing to show before a discovery succeeded')
  // The retry timer is unref'd (it must never hold a gateway's shutdown): hold the loop open meanwhile.
  const holdLoop = setInterval(() => {}, 1_000)
  t.teardown(() => { clearInterval(holdLoop) })
  while (logs.length < 2) await once(changes, 'log')
  t.match(logs[1], { level: 'debug', event: 'oidc.discovery.failed', fields: { reason: 'retry' } }, 'retried on its own')

  const changed = once(changes, 'change')
  await idp.restart()
  const [snapshot] = await changed as [IssuerSnapshot]
  t.same(kids(snapshot), [idp.signingKid])
  t.match(logs.at(-1), { level: 'info', event: 'oidc.discovery.recovered' })
  t.equal(logs.filter((line) => line.level === 'warn').length, 1, 'repeated identical failures warn once')
})

t.test('rediscovery is throttled by rediscovery_lifetime, and by 5 s after a failure', async (t) => {
  const idp = await startedIdp(t)
  let now = 1_700_000_000_000
  const { registry, changes } = setup(t, { now: () => now })
  registry.ensure(idp.issuer, { rediscoveryLifetimeSec: 30 })
  const first = await registry.whenReady(idp.issuer)
  const kidA = idp.signingKid
  t.same(kids(first), [kidA])

  await idp.rotateKeys()
  now += 29_000
  t.equal(await registry.rediscover(idp.issuer, 'unknown kid'), first, 'throttled: no fetch, same snapshot')

  now += 1_000
  const a = registry.rediscover(idp.issuer, 'unknown kid')
  const b = registry.rediscover(idp.issuer, 'unknown kid')
  t.equal(a, b, 'concurrent calls coalesce')
  const changed = once(changes, 'change')
  const second = await a
  t.same(kids(second), [idp.signingKid, kidA], 'the rotated key is known')
  t.equal((await changed)[0], second, 'workers are told')

  idp.failMode = 'status500'
  now += 30_000
  t.equal(await registry.rediscover(idp.issuer, 'no discovery'), second, 'a failure keeps the last snapshot')
  idp.failMode = 'none'
  await idp.rotateKeys()
  now += 4_999
  t.equal(await registry.rediscover(idp.issuer, 'unknown kid'), second, 'throttled for 5 s after a failure')
  now += 1
  t.same(kids(await registry.rediscover(idp.issuer, 'unknown kid')).slice(0, 1), [idp.signingKid])
})

t.test('broken answers are failures with their own code', async (t) => {
  const idp = await startedIdp(t)
  for (const [mode, code] of [['garbage', 'IDP_BAD_RESPONSE'], ['status500', 'IDP_STATUS'], ['hang', 'IDP_TIMEOUT'], ['refuse', 'IDP_UNREACHABLE']] as const) {
    idp.failMode = mode
    const { registry, logs } = setup(t, { timeoutMs: 300 })
    registry.ensure(idp.issuer)
    t.equal(await registry.whenReady(idp.issuer), null, mode)
    t.match(logs[0], { level: 'warn', event: 'oidc.discovery.failed', fields: { code } }, mode)
    await registry.close()
  }
})

t.test('a failing JWKS keeps the discovery and the keys already known', async (t) => {
  const idp = await startedIdp(t)
  let now = 1_700_000_000_000
  const { registry, logs } = setup(t, { now: () => now })
  registry.ensure(idp.issuer, { rediscoveryLifetimeSec: 1 })
  const first = await registry.whenReady(idp.issuer)
  idp.failMode = 'garbage'
  idp.failOnly = 'jwks'
  await idp.rotateKeys()
  now += 1_000
  const second = await registry.rediscover(idp.issuer, 'unknown kid')
  t.equal(second?.tokenEndpoint, `${idp.url}/token`)
  t.same(kids(second), kids(first))
  t.match(logs.at(-1), { event: 'oidc.discovery.failed', fields: { code: 'IDP_BAD_RESPONSE' } })
})

t.test('log lines carry no credentials from an issuer URL', async (t) => {
  const idp = await startedIdp(t)
  await idp.stop()
  const { registry, logs } = setup(t)
  registry.ensure(`http://user:pa55word@127.0.0.1:${idp.port}`)
  await registry.whenReady(`http://user:pa55word@127.0.0.1:${idp.port}`)
  t.ok(logs.length > 0)
  t.notMatch(JSON.stringify(logs), /pa55word/)
})

t.test('Admin: issuers list, get, delete and the gateway jwks, with Kong\'s shapes', async (t) => {
  const idp = await startedIdp(t)
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-admin-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const keys = await GatewayKeys.open(join(dir, 'jwks.json'))
  const { registry } = setup(t)
  const admin = (method: string, path: string) => handleOpenIdConnectAdmin(method, path, registry, keys)

  t.same(await admin('GET', '/openid-connect/issuers'), { status: 200, body: { data: [], next: null } })
  registry.ensure(idp.issuer)
  await registry.whenReady(idp.issuer)
  const list = await admin('GET', '/openid-connect/issuers')
  const id = issuerId(idp.issuer)
  t.match(list, {
    status: 200,
    body: {
      next: null,
      data: [{
        id,
        issuer: idp.issuer,
        configuration: { issuer: idp.issuer, token_endpoint: `${idp.url}/token`, updated_at: Number },
        keys: [{ kid: idp.signingKid }],
        created_at: Number
      }]
    }
  })
  const entry = (list?.body as { data: unknown[] }).data[0]
  t.same(await admin('GET', `/openid-connect/issuers/${id}`), { status: 200, body: entry })
  t.same(await admin('GET', `/openid-connect/issuers/${encodeURIComponent(idp.issuer)}`), { status: 200, body: entry })
  t.same(await admin('GET', '/openid-connect/issuers/nope'), { status: 404, body: { message: 'Not found' } })
  t.same(await admin('GET', '/openid-connect/issuers/%E0%A4%A'), { status: 404, body: { message: 'Not found' } })
  t.same(await admin('POST', '/openid-connect/issuers'), { status: 405, body: { message: 'Method not allowed' } })

  t.same(await admin('DELETE', `/openid-connect/issuers/${encodeURIComponent(idp.issuer)}`), { status: 204 })
  t.same(await admin('GET', `/openid-connect/issuers/${id}`), { status: 404, body: { message: 'Not found' } })
  const again = await registry.rediscover(idp.issuer, 'no discovery')
  t.equal(again?.issuer, idp.issuer, 'rediscovered on next need')
  t.equal(registry.get(id)?.id, id, 'with the same id')
  t.same(await admin('DELETE', '/openid-connect/issuers'), { status: 204 })
  t.same(registry.list(), [])

  const jwks = await admin('GET', '/openid-connect/jwks')
  t.same(jwks, { status: 200, body: keys.publicJwks(), headers: { 'content-type': 'application/jwk-set+json' } })
  const before = keys.kids
  t.same(await admin('DELETE', '/openid-connect/jwks'), { status: 204 })
  t.equal(keys.kids.filter((kid) => before.includes(kid)).length, 0, 'DELETE rotates')
  t.same(await handleOpenIdConnectAdmin('GET', '/openid-connect/jwks', registry, null), { status: 404, body: { message: 'Not found' } })
  t.equal(await admin('GET', '/services'), null, 'not an openid-connect path')
})
