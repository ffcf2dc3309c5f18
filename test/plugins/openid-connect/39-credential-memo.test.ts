// The per-worker memo (Authorization header -> resolved credentials) was bounded by count only and filled
// before the IdP had accepted anything: 16,384 distinct ~15 KiB headers grew a worker's heap by ~415 MiB
// per plugin instance. It now holds only credentials that got a token, within a byte budget, and never
// headers over 1 KiB. The flow is driven here over a real shared token cache (no IdP needed: entries are
// put in the cache as another worker would).

import t from 'tap'
import { createTokenCache, FILL, TokenCache } from '../../../src/cache/index.ts'
import type { TokenCacheHandle } from '../../../src/cache/index.ts'
import { validate } from '../../../src/config/schema/engine.ts'
import { createCacheKeyParts, tokenCacheKey } from '../../../src/plugins/openid-connect/worker/cache-key.ts'
import { CredentialMemo, MAX_MEMO_KEY_LENGTH, MEMO_BUDGET_BYTES } from '../../../src/plugins/openid-connect/worker/credential-memo.ts'
import { issuerIdentity } from '../../../src/plugins/openid-connect/shared/issuer-url.ts'
import { openIdConnectSchema } from '../../../src/plugins/openid-connect/config/schema.ts'
import { OidcFlow, type KnownCredential, type OidcConfig } from '../../../src/plugins/openid-connect/worker/token-flow.ts'
import { createTokenValueCodec } from '../../../src/plugins/openid-connect/worker/token-value.ts'
import type { OidcWorkerService } from '../../../src/plugins/openid-connect/worker/worker-service.ts'
import type { ProxyContext } from '../../../src/plugins/types.ts'
import { basicAuth } from '../../helpers/oidc-stack.ts'

const PLUGIN_ID = '3d5e8f10-2a4b-5c6d-8e9f-0a1b2c3d4e5f'

function loadedConfig (): OidcConfig {
  const { value, issues } = validate(openIdConnectSchema.configSchema, {
    issuer: 'http://127.0.0.1:9/realms/test', auth_methods: ['client_credentials'], client_credentials_param_type: ['header']
  }, 'config')
  if (issues.length > 0) throw new Error(JSON.stringify(issues))
  return value as unknown as OidcConfig
}

/** What OidcFlow uses of a worker's service, minus the IdP: discovery never answers. */
function fakeService (cache: TokenCacheHandle): OidcWorkerService {
  return {
    cache,
    logger: { log () {} },
    idpCalls: { record () {} },
    dispatcher: () => null,
    issuer: () => null,
    nudge () {},
    rediscover: async () => null,
    sign: async () => { throw new Error('no signing here') }
  } as unknown as OidcWorkerService
}

interface FakeContext { ctx: ProxyContext, status: () => number | null }

function request (authorization: string): FakeContext {
  let status: number | null = null
  const ctx = {
    req: { method: 'GET', headers: { authorization } },
    query: '',
    upstreamHeaders: {} as Record<string, string>,
    responded: false,
    exit (code: number) {
      status = code
      this.responded = true
    }
  }
  return { ctx: ctx as unknown as ProxyContext, status: () => status }
}

t.test('the flow memoises a header only once its credentials got a token', async (t) => {
  const handle = createTokenCache({ slots: 64 })
  const config = loadedConfig()
  const flow = new OidcFlow(config, fakeService(handle), PLUGIN_ID)
  t.teardown(() => flow.close())
  // another worker's view of the same shared cache, to put entries in as a fill would
  const other = new TokenCache(handle, { decode: (bytes) => bytes })
  const parts = createCacheKeyParts(config, issuerIdentity(config.issuer), PLUGIN_ID)
  const codec = createTokenValueCodec(config.upstream_access_token_header)
  const cacheToken = (id: string, secret: string, token: string): void => {
    const digest = tokenCacheKey(parts, id, secret)
    t.equal(other.lookup(digest), FILL)
    const expiresAt = Date.now() + 3_600_000
    other.complete(digest, codec.encode({ accessToken: token, tokenType: 'Bearer', expiresAt }), expiresAt)
  }
  const refuse = (id: string, secret: string): void => {
    const digest = tokenCacheKey(parts, id, secret)
    t.equal(other.lookup(digest), FILL)
    other.fail(digest, 60_000)
  }

  cacheToken('svc-a', 'right', 'token-a')
  const accepted = basicAuth('svc-a', 'right')
  const hit = request(accepted)
  t.equal(flow.authenticate(hit.ctx), undefined, 'a cached token: answered synchronously')
  t.equal(hit.ctx.upstreamHeaders.authorization, 'Bearer token-a')
  t.match(flow.memo.get(accepted), { clientId: 'svc-a', clientSecret: 'right' }, 'memoised after the hit')
  t.equal(flow.memo.bytes, accepted.length + 'svc-a'.length + 'right'.length + 256)

  refuse('svc-a', 'wrong')
  const refused = request(basicAuth('svc-a', 'wrong'))
  flow.authenticate(refused.ctx)
  t.equal(refused.status(), 401, 'the negative entry answers')
  t.notOk(flow.memo.has(basicAuth('svc-a', 'wrong')), 'a refused credential is not memoised')

  const unknown = request(basicAuth('svc-b', 'never-seen'))
  await flow.authenticate(unknown.ctx)
  t.equal(unknown.status(), 401, 'the IdP could not be asked')
  t.notOk(flow.memo.has(basicAuth('svc-b', 'never-seen')), 'a failed fill is not memoised')

  const longSecret = 'x'.repeat(MAX_MEMO_KEY_LENGTH)
  cacheToken('svc-c', longSecret, 'token-c')
  const long = request(basicAuth('svc-c', longSecret))
  flow.authenticate(long.ctx)
  t.equal(long.ctx.upstreamHeaders.authorization, 'Bearer token-c', 'a header over 1 KiB still gets its token')
  t.notOk(flow.memo.has(basicAuth('svc-c', longSecret)), 'but is not memoised')
  t.equal(flow.memo.size, 1)
})

function known (id: string, secret: string): KnownCredential {
  return { digest: new Uint8Array(32), clientId: id, clientSecret: secret, broker: null }
}

t.test('the memo stays within its byte budget, evicting the oldest first', async (t) => {
  const memo = new CredentialMemo(10_000)
  const header = (i: number): string => `Basic ${String(i).padStart(100, '0')}`
  for (let i = 0; i < 200; i++) memo.remember(header(i), known(`id-${i}`, 's'.repeat(50)))
  t.ok(memo.bytes <= 10_000, `within the budget (${memo.bytes})`)
  const size = header(0).length + 'id-0'.length + 50 + 256
  t.ok(memo.size >= Math.floor(10_000 / (size + 3)) && memo.size <= Math.floor(10_000 / size), `${memo.size} entries`)
  t.ok(memo.has(header(199)), 'the newest is kept')
  t.notOk(memo.has(header(0)), 'the oldest went first')
  const held = memo.keys()
  t.same(held, Array.from({ length: held.length }, (_, i) => header(200 - held.length + i)), 'exactly the newest, in order')

  const before = memo.bytes
  memo.remember(header(199), known('id-199', 's'.repeat(50)))
  t.equal(memo.bytes, before, 'a header already held is not counted twice')
  memo.remember('Basic big', known('id', 'x'.repeat(20_000)))
  t.notOk(memo.has('Basic big'), 'an entry over the whole budget is not memoised')
  t.equal(memo.bytes, before, 'and evicts nothing')
  memo.clear()
  t.same([memo.size, memo.bytes], [0, 0])

  // long enough for the eviction queue to drop its spent front several times
  for (let i = 0; i < 5000; i++) memo.remember(header(i), known(`id-${i}`, 's'.repeat(50)))
  const kept = memo.keys()
  t.same(kept, Array.from({ length: kept.length }, (_, i) => header(5000 - kept.length + i)), 'after 5,000: still exactly the newest')
  t.equal(memo.bytes, kept.reduce((sum, key) => sum + key.length + memo.get(key)!.clientId.length + 50 + 256, 0),
    'the count matches what is held')
  t.ok(memo.bytes <= 10_000)
})

t.test('the issue\'s load: 16,384 distinct long headers stay within the default budget', async (t) => {
  const memo = new CredentialMemo()
  const secret = 'y'.repeat(11 * 1024)
  for (let i = 0; i < 16_384; i++) memo.remember(`Basic ${i}${'z'.repeat(15 * 1024)}`, known(`id-${i}`, secret))
  t.equal(memo.size, 0, '~15 KiB headers are never memoised')
  for (let i = 0; i < 16_384; i++) memo.remember(`Basic ${String(i).padStart(MAX_MEMO_KEY_LENGTH - 6, '0')}`, known(`id-${i}`, 'y'.repeat(700)))
  t.ok(memo.bytes <= MEMO_BUDGET_BYTES, `1 KiB headers: ${memo.bytes} bytes counted, budget ${MEMO_BUDGET_BYTES}`)
  t.ok(memo.size > 1000, `${memo.size} of them still memoised`)
})
