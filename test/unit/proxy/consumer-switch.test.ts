// The switch to a consumer's chain at run time: a real Runtime (compileRuntime) served by the real request
// listener (handleRequest) on a node:http server, with a real upstream, both on port 0. A small fake auth
// plugin identifies the consumer a request header names (as key-auth would from its key) and sets Kong's
// consumer headers; the real request-termination is scoped to alice on one route.
// The fake plugins cannot go through loadConfigObject (it knows only the bundled plugins), so their
// entities are appended to the loaded config before it is compiled; everything else is the real path.
// Kong's behaviour pinned: kong/runloop/plugins_iterator.lua looks each plugin up with the consumer known
// when the iterator reaches it, and collects that choice for the later phases.

import t from 'tap'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { compileRuntime } from '../../../src/config/compile-runtime.ts'
import { loadConfigObject } from '../../../src/config/load.ts'
import type { LoadedConfig, Plugin } from '../../../src/config/types.ts'
import { createLogger } from '../../../src/core/log.ts'
import { NO_REQUEST_METRICS } from '../../../src/metrics/worker-metrics.ts'
import { setConsumerHeaders } from '../../../src/plugins/consumer-headers.ts'
import { loadPluginModules } from '../../../src/plugins/handlers.ts'
import type { ConfigView, PluginInstance, PluginModule, PluginServices, ProxyContext } from '../../../src/plugins/types.ts'
import { handleRequest } from '../../../src/proxy/request-handler.ts'
import { UpstreamPools } from '../../../src/proxy/upstream-pools.ts'
import { WorkerState } from '../../../src/proxy/worker-state.ts'
import { STAT_FIELDS } from '../../../src/workers/worker-stats.ts'
import { WorkerBalancers } from '../../../src/balancer/worker-balancers.ts'

/** what each request's log phase ran, per request id */
const logged = new Map<string, string[]>()

function fakeModule (name: string, PRIORITY: number, create: (plugin: Plugin, view: ConfigView) => PluginInstance): PluginModule {
  return { name, PRIORITY, VERSION: '0.0.0', configSchema: null as never, noConsumer: false, create: (plugin, _services, view) => create(plugin, view) }
}

function authenticate (ctx: ProxyContext, view: ConfigView): void {
  const who = ctx.req.headers['x-who']
  if (typeof who !== 'string') return
  const consumer = view.consumers.byUsername(who)!
  ctx.authenticate(consumer, { id: `cred-${who}`, consumer_id: consumer.id })
  setConsumerHeaders(ctx.upstreamHeaders, consumer, `cred-${who}`, false)
}

// auth (PRIORITY 1000): synchronous, or identifies the consumer after an await when X-Async is sent
const AUTH = fakeModule('auth', 1000, (plugin, view) => ({
  name: 'auth',
  id: plugin.id,
  priority: 1000,
  access: (ctx) => ctx.req.headers['x-async'] === undefined
    ? authenticate(ctx, view)
    : new Promise<void>((resolve) => setImmediate(resolve)).then(() => authenticate(ctx, view)),
  headerFilter: null,
  bodyFilter: null,
  log: null,
  close () {}
}))

// tally-early (2000, before auth) and tally-late (500, after it) append their config's tag to X-Tally and
// record it in the log phase, so a plugin run twice, skipped, or run with the wrong config shows
function tally (name: string, priority: number): PluginModule {
  return fakeModule(name, priority, (plugin) => ({
    name,
    id: plugin.id,
    priority,
    access: (ctx) => {
      const previous = ctx.upstreamHeaders['x-tally']
      ctx.upstreamHeaders['x-tally'] = previous === undefined ? `${name}:${String(plugin.config.tag)}` : `${String(previous)},${name}:${String(plugin.config.tag)}`
    },
    headerFilter: null,
    bodyFilter: null,
    log: (ctx) => {
      const list = logged.get(ctx.requestId) ?? []
      list.push(`${name}:${String(plugin.config.tag)}`)
      logged.set(ctx.requestId, list)
    },
    close () {}
  }))
}

function entity (loaded: LoadedConfig, name: string, tag: string, scope: { consumer?: string, route?: string }): Plugin {
  const consumer = scope.consumer === undefined ? null : { id: loaded.entities.consumers.find((c) => c.username === scope.consumer)!.id }
  const route = scope.route === undefined ? null : { id: loaded.entities.routes.find((r) => r.name === scope.route)!.id }
  const fields = { id: `${name}-${tag}`, name, instance_name: null, config: { tag }, enabled: true, protocols: ['http', 'https'] }
  return Object.freeze({ ...fields, tags: null, service: null, route, consumer, consumer_group: null, created_at: 0, updated_at: 0 }) as Plugin
}

async function listen (server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

t.test('a consumer authenticated in access switches the rest of the request to its chain', async (t) => {
  const upstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(req.headers))
  })
  const upstreamPort = await listen(upstream)
  t.teardown(() => upstream.close())

  const loaded = loadConfigObject({
    _format_version: '3.0',
    services: [{ name: 's', url: `http://127.0.0.1:${upstreamPort}`, routes: [{ name: 'r1', paths: ['/one'] }, { name: 'r2', paths: ['/two'] }] }],
    consumers: [{ username: 'alice', custom_id: 'a-1' }, { username: 'bob' }],
    plugins: [{ name: 'request-termination', route: 'r1', consumer: 'alice', config: { status_code: 403, message: 'alice is not welcome here' } }]
  }, '/test/config.json', {})
  const config: LoadedConfig = {
    ...loaded,
    entities: {
      ...loaded.entities,
      plugins: [
        ...loaded.entities.plugins,
        entity(loaded, 'auth', 'any', {}),
        entity(loaded, 'tally-early', 'global', {}),
        entity(loaded, 'tally-early', 'bob', { consumer: 'bob' }),
        entity(loaded, 'tally-late', 'global', {}),
        entity(loaded, 'tally-late', 'bob', { consumer: 'bob' })
      ]
    }
  }
  const modules = new Map(await loadPluginModules())
  for (const module of [AUTH, tally('tally-early', 2000), tally('tally-late', 500)]) modules.set(module.name, module)
  const settings = config.settings
  const services: PluginServices = { settings, byPlugin: new Map(), onMessage () {}, redis: null }
  const pools = new UpstreamPools(settings)
  const runtime = compileRuntime(config, { pools, plugins: modules, services, metrics: NO_REQUEST_METRICS, balancers: WorkerBalancers.detached() })
  const state = new WorkerState(runtime, new Float64Array(STAT_FIELDS), createLogger('crit'))
  const gateway = createServer((req, res) => handleRequest(state, req, res))
  const port = await listen(gateway)
  t.teardown(async () => {
    gateway.close()
    await pools.closeAll()
  })

  async function send (path: string, headers: Record<string, string>): Promise<{ status: number, body: Record<string, unknown>, requestId: string }> {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers })
    return { status: res.status, body: await res.json() as Record<string, unknown>, requestId: res.headers.get('x-kong-request-id') ?? '' }
  }
  const upstreamSaw = (body: Record<string, unknown>): IncomingHttpHeaders => body as IncomingHttpHeaders

  for (const async of [false, true]) {
    const extra: Record<string, string> = async ? { 'x-async': '1' } : {}
    const label = async ? 'identified after an await' : 'identified synchronously'

    const alice = await send('/one', { 'x-who': 'alice', ...extra })
    t.equal(alice.status, 403, `${label}: alice meets her request-termination on r1`)
    t.equal(alice.body.message, 'alice is not welcome here')

    const aliceElsewhere = await send('/two', { 'x-who': 'alice', ...extra })
    t.equal(aliceElsewhere.status, 200, `${label}: not on r2`)

    const bob = await send('/one', { 'x-who': 'bob', 'x-consumer-id': 'forged', 'x-consumer-custom-id': 'forged', ...extra })
    t.equal(bob.status, 200)
    const seen = upstreamSaw(bob.body)
    t.equal(seen['x-consumer-username'], 'bob', `${label}: the upstream learns who called`)
    t.not(seen['x-consumer-id'], 'forged', 'a client-sent X-Consumer-ID is replaced')
    t.equal(seen['x-consumer-custom-id'], undefined, 'and one the consumer has no value for is removed')
    t.equal(seen['x-credential-identifier'], 'cred-bob')
    // tally-early ran before auth: Kong had already chosen its global config; tally-late is bob's, once
    t.equal(seen['x-tally'], 'tally-early:global,tally-late:bob', `${label}: no plugin twice, none skipped`)
  }

  const nobody = await send('/one', { 'x-consumer-id': 'sent-by-client' })
  t.equal(nobody.status, 200)
  t.equal(upstreamSaw(nobody.body)['x-tally'], 'tally-early:global,tally-late:global')
  t.equal(upstreamSaw(nobody.body)['x-consumer-id'], 'sent-by-client',
    'no auth plugin identified anybody: Kong passes client headers through, and so does Tollgate')

  // the log phase runs the chain in force, each plugin with the config chosen as access passed it
  const lists = [...logged.values()].map((l) => l.join(','))
  t.ok(lists.includes('tally-early:global,tally-late:bob'), 'bob: tally-late logs with bob\'s config, tally-early with the global one')
  t.ok(lists.includes('tally-early:global,tally-late:global'), 'nobody: both global')
  t.notOk(lists.some((l) => l.includes('tally-early:bob')), 'a consumer config of a plugin that sorts before the auth plugin never runs (as in Kong)')
})
