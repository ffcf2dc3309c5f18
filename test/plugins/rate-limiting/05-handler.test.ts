// The access phase on its own, with a stand-in request context: get_identifier's fallbacks (handler.lua),
// the scope of a counter (policies/init.lua get_local_key: route and service ids), a refusal that counts
// in no period, and fault_tolerant when the table has no room for a key (the policy failing).

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { createConfigView } from '../../../src/config/compile-runtime.ts'
import { createLogger } from '../../../src/core/log.ts'
import type { Entities, Plugin } from '../../../src/config/types.ts'
import type { PluginServices, ProxyContext } from '../../../src/plugins/types.ts'
import { createRateLimiting, SHARED_KEY } from '../../../src/plugins/rate-limiting/handler.ts'
import { BY_CONSUMER, BY_CREDENTIAL, BY_HEADER, BY_IP, BY_PATH, BY_SERVICE, identifierOf } from '../../../src/plugins/rate-limiting/identifier.ts'
import { RateLimitingWorkerService } from '../../../src/plugins/rate-limiting/worker-service.ts'
import { createCounterBuffer } from '../../../src/plugins/rate-limiting/counters/layout.ts'

interface Exit { status: number, message: string, headers: Record<string, string> | undefined }

function fakeContext (fields: Record<string, unknown> = {}): ProxyContext & { exits: Exit[] } {
  const exits: Exit[] = []
  return {
    req: { headers: {}, socket: { remoteAddress: '10.0.0.1' } },
    path: '/p',
    consumer: null,
    credential: null,
    service: null,
    shared: null,
    exits,
    exit (status: number, message: string, headers?: Record<string, string>) { exits.push({ status, message, headers }) },
    ...fields
  } as unknown as ProxyContext & { exits: Exit[] }
}

function pluginWith (config: Record<string, unknown>, extra: Record<string, unknown> = {}): Plugin {
  const loaded = loadConfigObject({
    _format_version: '3.0',
    services: [{ name: 's', url: 'http://u.test', routes: [{ name: 'r', paths: ['/'] }] }],
    plugins: [{ name: 'rate-limiting', config, ...extra }]
  }, '/test.json', {})
  return loaded.entities.plugins[0]
}

const NO_ENTITIES: Entities = { services: [], routes: [], plugins: [], consumers: [], consumer_groups: [], consumer_group_consumers: [], keyauth_credentials: [], basicauth_credentials: [], jwt_secrets: [], acls: [], upstreams: [], targets: [], certificates: [], snis: [], ca_certificates: [] }

function instance (config: Record<string, unknown>, slots = 1024, extra: Record<string, unknown> = {}) {
  const service = new RateLimitingWorkerService({ counters: createCounterBuffer(slots) }, createLogger('crit'))
  const services: PluginServices = { settings: null as never, byPlugin: new Map([['rate-limiting', service]]), onMessage () {}, redis: null }
  return createRateLimiting(pluginWith(config, extra), 910, services, createConfigView(NO_ENTITIES))
}

t.test('get_identifier: each limit_by, and the client address when it has no value', async (t) => {
  const ctx = fakeContext({
    consumer: { id: 'consumer-1' },
    credential: { id: 'credential-1', consumer_id: 'consumer-1' },
    service: { id: 'service-1' },
    req: { headers: { 'x-key': 'k1' }, socket: { remoteAddress: '10.0.0.1' } }
  })
  t.equal(identifierOf(ctx, BY_CONSUMER, '', null), 'consumer-1')
  t.equal(identifierOf(ctx, BY_CREDENTIAL, '', null), 'credential-1')
  t.equal(identifierOf(ctx, BY_SERVICE, '', null), 'service-1')
  t.equal(identifierOf(ctx, BY_HEADER, 'x-key', null), 'k1')
  t.equal(identifierOf(ctx, BY_PATH, '', '/p'), '/p')
  t.equal(identifierOf(ctx, BY_IP, '', null), '10.0.0.1')
  const bare = fakeContext()
  t.equal(identifierOf(fakeContext({ credential: { id: 'credential-2', consumer_id: null } }), BY_CONSUMER, '', null), 'credential-2', 'consumer: else the credential')
  for (const by of [BY_CONSUMER, BY_CREDENTIAL, BY_SERVICE, BY_HEADER]) t.equal(identifierOf(bare, by, 'x-key', null), '10.0.0.1')
  t.equal(identifierOf(bare, BY_PATH, '', '/other'), '10.0.0.1', 'path: another path counts by address')
})

t.test('a refusal exits with error_code and the headers; a pass leaves them for header_filter', async (t) => {
  const rl = instance({ second: 1, minute: 5, limit_by: 'ip' })
  const ctx = fakeContext()
  rl.access!(ctx)
  t.equal(ctx.exits.length, 0, 'the first passes')
  const stored = (ctx.shared as Record<string, Record<string, string>>)[SHARED_KEY]
  t.equal(stored['X-RateLimit-Remaining-Minute'], '4')
  const headers: Record<string, string | string[]> = { 'x-ratelimit-remaining-minute': 'from upstream' }
  rl.headerFilter!(ctx, 200, headers)
  t.equal(headers['x-ratelimit-remaining-minute'], '4', 'header_filter writes them, over the upstream\'s')
  t.equal(headers['ratelimit-limit'], '1')
  // the second within the same second is refused (unless the clock just turned: then it passes, and
  // the third, in the same new second, is refused)
  const refused = fakeContext()
  rl.access!(refused)
  if (refused.exits.length === 0) rl.access!(refused)
  t.equal(refused.exits.length, 1)
  t.equal(refused.exits[0].status, 429)
  t.equal(refused.exits[0].message, 'API rate limit exceeded')
  t.equal(refused.exits[0].headers!['Retry-After'], '1')
})

t.test('fault_tolerant decides what a full table means', async (t) => {
  // a table of one slot: the first key takes it for its minute, the second has nowhere to go
  const tolerant = instance({ minute: 5, limit_by: 'header', header_name: 'k' }, 1)
  const strict = instance({ minute: 5, limit_by: 'header', header_name: 'k', fault_tolerant: false }, 1)
  for (const rl of [tolerant, strict]) rl.access!(fakeContext({ req: { headers: { k: 'first' }, socket: {} } }))
  const passed = fakeContext({ req: { headers: { k: 'second' }, socket: {} } })
  tolerant.access!(passed)
  t.equal(passed.exits.length, 0, 'fault_tolerant: proxied')
  t.equal(passed.shared, null, 'without headers (Kong: no usage, no headers)')
  const failed = fakeContext({ req: { headers: { k: 'second' }, socket: {} } })
  strict.access!(failed)
  t.strictSame(failed.exits, [{ status: 500, message: 'An unexpected error occurred', headers: undefined }], 'otherwise a 500')
})
