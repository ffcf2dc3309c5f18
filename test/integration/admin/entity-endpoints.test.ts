// The DB-less entity endpoints on a real gateway: lists, paging, tags, items by id or name, nested
// collections, Kong's error bodies, and writes refused with Kong's "operation unsupported".

import t from 'tap'
import { BUNDLED_PLUGINS } from '../../../src/plugins/bundled.ts'
import { call, gatewayFor, type Reply } from './admin-helpers.ts'

const CONFIG = {
  services: [
    {
      name: 'billing',
      url: 'http://127.0.0.1:9',
      tags: ['team-a', 'prod'],
      routes: [
        { name: 'invoices', paths: ['/invoices'], tags: ['team-a'] },
        { name: 'payments', paths: ['/payments'] },
      ],
      plugins: [{ name: 'request-termination', config: { status_code: 418, message: 'billing' } }],
    },
    { name: 'search', url: 'http://127.0.0.1:9', tags: ['team-b', 'prod'] },
    { name: 'legacy', host: '127.0.0.1', tags: ['team-a'] },
  ],
  routes: [
    { name: 'find', service: 'search', paths: ['/find'], plugins: [{ name: 'request-termination', instance_name: 'find-stop', config: { status_code: 410 } }] },
  ],
  consumers: [
    { username: 'alice', custom_id: 'c-1', plugins: [{ name: 'request-termination', config: { status_code: 403 } }] },
    { username: 'bob' },
  ],
  plugins: [{ name: 'request-termination', enabled: false, config: { status_code: 503 } }],
}

type List = { data: Array<Record<string, unknown>>, next: string | null, offset?: string }

t.test('the entity endpoints', async (t) => {
  const gateway = await gatewayFor(t, CONFIG)
  const withoutLatency: string[] = []
  let calls = 0
  const admin = async (method: string, path: string, body?: object): Promise<Reply> => {
    const reply = await call(gateway.adminUrl, method, path, { body })
    calls++
    if (!/^\d+$/.test(String(reply.headers['x-kong-admin-latency']))) withoutLatency.push(`${method} ${path}`)
    return reply
  }
  const list = async (path: string): Promise<List> => {
    const reply = await admin('GET', path)
    t.equal(reply.status, 200, `GET ${path}`)
    return reply.json<List>()
  }
  const names = (l: List, key = 'name'): unknown[] => l.data.map((e) => e[key])

  t.test('lists in config order, with Kong\'s shape', async (t) => {
    const services = await list('/services')
    t.same(names(services), ['billing', 'search', 'legacy'])
    t.equal(services.next, null)
    t.notOk('offset' in services, 'no offset on the last page')
    t.same(names(await list('/routes')), ['invoices', 'payments', 'find'])
    t.same(names(await list('/consumers'), 'username'), ['alice', 'bob'])
    const plugins = await list('/plugins')
    t.equal(plugins.data.length, 4)
    const route = (await list('/routes')).data[0]
    t.match(route, { id: /^[0-9a-f-]{36}$/, service: { id: services.data[0].id }, paths: ['/invoices'], strip_path: true, created_at: Number, updated_at: Number })
  })

  t.test('paging with size and the opaque offset, following next', async (t) => {
    const first = await list('/services?size=2')
    t.same(names(first), ['billing', 'search'])
    t.type(first.offset, 'string')
    t.equal(first.next, `/services?offset=${encodeURIComponent(first.offset!)}&size=2`)
    const second = await list(first.next!)
    t.same(names(second), ['legacy'])
    t.equal(second.next, null)
    const tagged = await list('/services?size=1&tags=prod')
    t.same(names(tagged), ['billing'])
    t.match(tagged.next, /&tags=prod&size=1$/, 'next keeps the filter')
    t.same(names(await list(tagged.next!)), ['search'])
    t.same(names(await list('/services?size=1000')), ['billing', 'search', 'legacy'])
  })

  t.test('paging errors are Kong\'s', async (t) => {
    const cases: Array<[string, number, string]> = [
      ['/services?size=0', 9, 'size must be an integer between 1 and 1000'],
      ['/services?size=1001', 9, 'size must be an integer between 1 and 1000'],
      ['/services?size=1.5', 9, 'size must be an integer between 1 and 1000'],
      ['/services?size=abc', 9, 'size must be a number'],
      ['/services?offset=x', 7, "'x' is not a valid offset: bad base64 encoding"],
      ['/routes?offset=%7Cpotato%7C', 7, "'|potato|' is not a valid offset: bad base64 encoding"],
    ]
    for (const [path, code, message] of cases) {
      const reply = await admin('GET', path)
      t.equal(reply.status, 400, path)
      t.same(reply.json(), { code, name: code === 9 ? 'invalid size' : 'invalid offset', message }, path)
    }
    const decodable = await admin('GET', `/services?offset=${Buffer.from('not a number').toString('base64url')}`)
    t.equal(decodable.status, 400)
    t.match(decodable.json(), { code: 7, name: 'invalid offset' })
  })

  t.test('tags: a,b needs all, a/b any, as Kong', async (t) => {
    t.same(names(await list('/services?tags=team-a')), ['billing', 'legacy'])
    t.same(names(await list('/services?tags=team-a,prod')), ['billing'])
    t.same(names(await list('/services?tags=team-a/team-b')), ['billing', 'search', 'legacy'])
    t.same(names(await list('/services?tags=nothing')), [])
    t.same(names(await list('/routes?tags=team-a')), ['invoices'])
    for (const [tags, problem] of [['a,b/c', 'invalid filter syntax'], ['', 'invalid filter syntax'], ['a,b,c,d,e,f', 'cannot query more than 5 tags']]) {
      const reply = await admin('GET', `/services?tags=${encodeURIComponent(tags)}`)
      t.equal(reply.status, 400, `tags=${tags}`)
      t.same(reply.json(), { code: 11, name: 'invalid options', message: `invalid option (tags: ${problem})`, options: { tags: problem } })
    }
  })

  t.test('items by id or endpoint key; 404 otherwise', async (t) => {
    const billing = (await admin('GET', '/services/billing')).json()
    t.equal(billing.name, 'billing')
    t.same((await admin('GET', `/services/${billing.id as string}`)).json(), billing)
    const alice = (await admin('GET', '/consumers/alice')).json()
    t.equal(alice.custom_id, 'c-1')
    t.same((await list('/consumers?custom_id=c-1')).data, [alice])
    t.same((await list('/consumers?custom_id=nobody')).data, [])
    const stop = (await admin('GET', '/plugins/find-stop')).json()
    t.equal(stop.instance_name, 'find-stop')
    t.same((await admin('GET', `/plugins/${stop.id as string}`)).json(), stop)
    for (const path of ['/services/nope', '/services/00000000-0000-4000-8000-000000000000', '/routes/nope', '/consumers/carol', '/plugins/nope']) {
      const reply = await admin('GET', path)
      t.equal(reply.status, 404, path)
      t.same(reply.json(), { message: 'Not found' })
    }
    t.same((await admin('GET', '/plugins/enabled')).json(), { enabled_plugins: BUNDLED_PLUGINS.map((plugin) => plugin.name).sort() })
  })

  t.test('nested collections and items', async (t) => {
    const billing = (await admin('GET', '/services/billing')).json()
    t.same(names(await list('/services/billing/routes')), ['invoices', 'payments'])
    t.same(names(await list(`/services/${billing.id as string}/routes?size=1`)), ['invoices'])
    t.same(names(await list('/services/search/routes')), ['find'])
    t.same(names(await list('/services/legacy/routes')), [])
    t.same((await list('/services/billing/plugins')).data.map((p) => (p.config as { status_code: number }).status_code), [418])
    t.same((await list('/routes/find/plugins')).data.map((p) => p.instance_name), ['find-stop'])
    t.same((await list('/routes/invoices/plugins')).data, [], 'a service plugin is not listed under the route')
    t.same((await list('/consumers/alice/plugins')).data.map((p) => (p.config as { status_code: number }).status_code), [403])
    t.equal((await admin('GET', '/services/billing/routes/invoices')).json().name, 'invoices')
    t.equal((await admin('GET', '/services/billing/routes/find')).status, 404, 'a route of another service')
    t.equal((await admin('GET', '/routes/find/service')).json().name, 'search')
    t.equal((await admin('GET', '/routes/find/plugins/find-stop')).json().instance_name, 'find-stop')
    for (const path of ['/services/nope/routes', '/routes/nope/plugins', '/consumers/nope/plugins', '/services/billing/consumers', '/services/billing/routes/invoices/plugins/x/y']) {
      t.equal((await admin('GET', path)).status, 404, path)
    }
  })

  t.test('writes answer 405 with DB-less Kong\'s bodies', async (t) => {
    const billing = (await admin('GET', '/services/billing')).json()
    const invoices = (await admin('GET', '/routes/invoices')).json()
    const unsupported = (message: string): Record<string, unknown> => ({ code: 12, name: 'operation unsupported', message })
    const cases: Array<[string, string, object]> = [
      ['POST', '/services', unsupported("cannot create 'services' entities when not using a database")],
      ['POST', '/services/billing/routes', unsupported("cannot create 'routes' entities when not using a database")],
      ['POST', '/consumers/alice/plugins', unsupported("cannot create 'plugins' entities when not using a database")],
      ['PATCH', `/services/${billing.id as string}`, unsupported("cannot update 'services' entities when not using a database")],
      ['PATCH', '/services/billing', unsupported("cannot update 'services' entities by 'name' when not using a database")],
      ['PUT', `/routes/${invoices.id as string}`, unsupported("cannot create or update 'routes' entities when not using a database")],
      ['PUT', '/routes/new-one', unsupported("cannot create or update 'routes' entities by 'name' when not using a database")],
      ['DELETE', '/consumers/alice', unsupported("cannot remove 'consumers' entities by 'username' when not using a database")],
      ['DELETE', '/services/billing/routes/invoices', unsupported("cannot remove 'routes' entities by 'name' when not using a database")],
      ['PUT', '/services', { message: 'Method not allowed' }],
      ['DELETE', '/routes', { message: 'Method not allowed' }],
      ['POST', '/services/billing', { message: 'Method not allowed' }],
    ]
    for (const [method, path, body] of cases) {
      const reply = await admin(method, path, { name: 'x' })
      t.equal(reply.status, 405, `${method} ${path}`)
      t.same(reply.json(), body, `${method} ${path}`)
    }
    t.equal((await admin('DELETE', '/services/nope')).status, 204, 'deleting what is not there is a no-op, as Kong')
    t.equal((await admin('PATCH', '/services/nope', { host: 'x' })).status, 404)
    t.equal((await admin('POST', '/services/nope/routes', { paths: ['/'] })).status, 404, 'a missing parent first')
    const options = await admin('OPTIONS', '/services')
    t.equal(options.status, 204)
    t.equal(options.headers.allow, 'GET, HEAD, OPTIONS, POST')
    t.equal((await admin('GET', '/services')).status, 200, 'nothing changed')
  })

  t.test('unknown paths', async (t) => {
    for (const path of ['/nope', '/services/billing/nope', '/servicesx']) {
      const reply = await admin('GET', path)
      t.equal(reply.status, 404, path)
      t.same(reply.json(), { message: 'Not found' })
    }
  })

  t.test('every answer carried X-Kong-Admin-Latency', async (t) => {
    t.ok(calls > 50)
    t.same(withoutLatency, [])
  })
})
