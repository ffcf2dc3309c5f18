// GET and POST /config on a real gateway: the body forms, every error in Kong's declarative shape,
// ?check_hash and ?flatten_errors, the settings merge, a rejected config leaving the old one serving,
// and concurrent posts answered 429 while one is loading.

import t from 'tap'
import { startUpstream } from '../../helpers/upstream.ts'
import { call, gatewayFor } from './admin-helpers.ts'

interface DeclarativeError {
  code: number
  name: string
  message: string
  fields: Record<string, unknown>
  flattened_errors?: Array<Record<string, unknown>>
}

t.test('/config', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const base = { _format_version: '3.0', services: [{ name: 'old', url: upstream.url, routes: [{ name: 'old', paths: ['/old'] }] }] }
  const gateway = await gatewayFor(t, base)
  const admin = async (method: string, path: string, body?: string | object, headers?: Record<string, string>) =>
    await call(gateway.adminUrl, method, path, { body, headers })
  const proxy = async (path: string) => await call(gateway.proxyUrl, 'GET', path)
  const hash = async (): Promise<string> => (await admin('GET', '/status')).json<{ configuration_hash: string }>().configuration_hash
  const withRoute = (name: string) => ({
    _format_version: '3.0',
    services: [{ name: 'old', url: upstream.url, routes: [{ name: 'old', paths: ['/old'] }, { name, paths: [`/${name}`] }] }],
  })

  t.test('GET /config returns the running config as a JSON string, which POST takes back unchanged', async (t) => {
    const reply = await admin('GET', '/config')
    t.equal(reply.status, 200)
    const document = JSON.parse(reply.json<{ config: string }>().config)
    t.match(document, { _format_version: '3.0', services: [{ name: 'old', id: String, host: '127.0.0.1' }], routes: [{ name: 'old', service: { id: String } }] })
    t.equal((await admin('POST', '/config?check_hash=1', document)).status, 304, 'same hash: nothing to do')
    t.equal((await admin('POST', '/config?check_hash=1', withRoute('check'))).status, 201, 'a different config loads')
    t.equal((await admin('POST', '/config?check_hash=1', withRoute('check'))).status, 304)
    t.equal((await admin('POST', '/config', withRoute('check'))).status, 201, 'without check_hash it reloads anyway')
  })

  t.test('201 with the entities by type and id; the new routes serve at once', async (t) => {
    const reply = await admin('POST', '/config', withRoute('fresh'))
    t.equal(reply.status, 201)
    const body = reply.json<Record<string, Record<string, Record<string, unknown>>>>()
    t.same(Object.keys(body).sort(), ['routes', 'services'])
    const routes = Object.values(body.routes)
    t.same(routes.map((r) => r.name).sort(), ['fresh', 'old'])
    for (const [id, route] of Object.entries(body.routes)) t.equal(route.id, id)
    t.equal((await proxy('/fresh')).status, 200)
  })

  t.test('the {"config": "<json>"} and form forms', async (t) => {
    t.equal((await admin('POST', '/config', { config: JSON.stringify(withRoute('wrapped')) })).status, 201)
    t.equal((await proxy('/wrapped')).status, 200)
    const form = `config=${encodeURIComponent(JSON.stringify(withRoute('form')))}`
    t.equal((await admin('POST', '/config', form, { 'content-type': 'application/x-www-form-urlencoded' })).status, 201)
    t.equal((await proxy('/form')).status, 200)
    t.equal((await admin('POST', '/config', JSON.stringify(withRoute('curl')), { 'content-type': 'application/x-www-form-urlencoded' })).status, 201,
      'a form body without a config field is the config itself (curl -d)')
  })

  t.test('bodies that are no config', async (t) => {
    const empty = await admin('POST', '/config', '')
    t.equal(empty.status, 400)
    t.same(empty.json(), { message: 'expected a declarative configuration' })
    const broken = await admin('POST', '/config', '{"_format_version": "3.0",\n  "services": [}')
    t.equal(broken.status, 400)
    t.match(broken.json(), { code: 14, name: 'invalid declarative configuration', fields: { error: /^failed parsing declarative configuration: invalid JSON at line 2 column 16: / } })
    const inner = await admin('POST', '/config', { config: '{"_format_version": ' })
    t.match(inner.json(), { code: 14, fields: { error: /line 1 column 21/ } })
    t.equal((await admin('PUT', '/config', withRoute('x'))).status, 405)
  })

  t.test('an invalid config: 400 with every error, the old config still serving', async (t) => {
    const before = await hash()
    const invalid = {
      _format_version: '3.0',
      worker_processes: 4,
      services: [{ name: 'bad', host: 'h', routes: [{ name: 'r', paths: ['no-slash'] }, { name: 'r2', paths: ['/ok'], regex_priority: 'high' }] }],
      routes: [{ name: 'orphan', service: 'nope', paths: ['/o'] }],
    }
    const reply = await admin('POST', '/config', invalid)
    t.equal(reply.status, 400)
    const body = reply.json<DeclarativeError>()
    t.equal(body.code, 14)
    t.equal(body.name, 'invalid declarative configuration')
    t.same(body.fields, {
      services: [{ routes: [{ paths: ['should start with: / (fixed path) or ~/ (regex path)'] }, { regex_priority: 'expected an integer' }] }],
      routes: [{ service: "invalid reference 'service: nope' (no such entry in 'services')" }],
      worker_processes: 'cannot change while the gateway runs: leave it out, or restart the gateway with the new value',
    })
    t.match(body.message, /^declarative config is invalid: .*services\[0\]\.routes\[0\]\.paths\[0\]: should start with/)
    t.notOk('flattened_errors' in body)
    t.equal(await hash(), before, 'the running config did not change')
    t.equal((await proxy('/old')).status, 200)
    t.equal((await proxy('/orphan')).status, 404)

    const flat = (await admin('POST', '/config?flatten_errors=1', invalid)).json<DeclarativeError>()
    t.same(flat.fields, { worker_processes: body.fields.worker_processes }, 'only what belongs to no entity stays in fields')
    t.same(flat.flattened_errors, [
      { entity_type: 'route', entity_name: 'r', entity: { name: 'r', paths: ['no-slash'] }, errors: [{ type: 'field', field: 'paths[0]', message: 'should start with: / (fixed path) or ~/ (regex path)' }] },
      { entity_type: 'route', entity_name: 'r2', entity: { name: 'r2', paths: ['/ok'], regex_priority: 'high' }, errors: [{ type: 'field', field: 'regex_priority', message: 'expected an integer' }] },
      { entity_type: 'route', entity_name: 'orphan', entity: { name: 'orphan', service: 'nope', paths: ['/o'] }, errors: [{ type: 'field', field: 'service', message: "invalid reference 'service: nope' (no such entry in 'services')" }] },
    ])
  })

  t.test('settings: absent keeps the running value, given replaces it, fixed ones must not differ', async (t) => {
    const off = await admin('POST', '/config', { ...withRoute('quiet'), headers: 'off' })
    t.equal(off.status, 201)
    t.notOk('x-kong-admin-latency' in (await admin('GET', '/status')).headers, 'headers=off applies to the Admin API too')
    t.notOk('via' in (await proxy('/quiet')).headers)
    t.equal((await admin('POST', '/config', withRoute('still-quiet'))).status, 201)
    t.notOk('via' in (await proxy('/still-quiet')).headers, 'a config without headers keeps the running value')
    t.equal((await admin('POST', '/config', { ...withRoute('loud'), headers: 'server_tokens, latency_tokens' })).status, 201)
    t.equal((await proxy('/loud')).headers.via, '1.1 tollgate/0.1.0')
    t.match((await admin('GET', '/status')).headers['x-kong-admin-latency'], /^\d+$/)
    const same = await admin('POST', '/config', { ...withRoute('same'), worker_processes: 1, proxy_listen: '127.0.0.1:0' })
    t.equal(same.status, 201, 'fixed settings equal to the running ones are fine')
  })

  t.test('admin_max_body_size: over it is 413, and it changes live', async (t) => {
    t.equal((await admin('POST', '/config', { ...withRoute('small'), admin_max_body_size: '1k' })).status, 201)
    const big = { ...withRoute('big'), _comment: 'x'.repeat(2000) }
    const refused = await admin('POST', '/config', big)
    t.equal(refused.status, 413)
    t.equal((await proxy('/big')).status, 404)
    t.equal((await admin('POST', '/config', { ...withRoute('small'), admin_max_body_size: '10m' })).status, 201)
    t.equal((await admin('POST', '/config', big)).status, 201)
  })

  t.test('concurrent posts: one loads, the others get 429 with Retry-After', async (t) => {
    // enough routes that a reload takes a while, so the second post arrives while the first loads
    const routes = Array.from({ length: 3000 }, (_, i) => ({ name: `r${i}`, paths: [`/r${i}`, `~/x${i}/\\d+$`] }))
    const config = (tag: string) => ({ _format_version: '3.0', services: [{ name: 'old', url: upstream.url, routes: [{ name: 'old', paths: ['/old'] }, { name: tag, paths: [`/${tag}`] }, ...routes] }] })
    let busy = 0
    for (let round = 0; round < 5 && busy === 0; round++) {
      const replies = await Promise.all(['a', 'b', 'c'].map(async (tag) => await admin('POST', '/config', config(`${tag}${round}`))))
      const statuses = replies.map((r) => r.status)
      t.ok(statuses.every((s) => s === 201 || s === 429), `round ${round}: ${statuses.join(',')}`)
      t.ok(statuses.includes(201), 'one of them loaded')
      for (const reply of replies.filter((r) => r.status === 429)) {
        busy++
        t.same(reply.json(), { message: 'Currently loading previous configuration' })
        t.equal(reply.headers['retry-after'], '1')
      }
    }
    t.ok(busy > 0, 'a post during a reload was refused')
    t.equal((await proxy('/old')).status, 200)
  })
})
