// The DB-less upstream and target endpoints on a real gateway (kong/api/routes/upstreams.lua, targets.lua;
// spec/02-integration/04-admin_api/07-upstreams_routes_spec.lua, 08-targets_routes_spec.lua): lists, items
// by id or name, targets newest first and /all as stored, targets by id or host:port, Kong's DB-less 405s
// for writes, 404s for what is absent, and /targets disabled as in Kong.

import t from 'tap'
import { call, gatewayFor } from './admin-helpers.ts'

const CONFIG = {
  upstreams: [
    {
      name: 'billing.upstream',
      tags: ['team-a'],
      targets: [{ target: '10.0.0.1:80', weight: 10, created_at: 1 }, { target: 'b.example', created_at: 2 }],
    },
    { name: 'search.upstream', algorithm: 'least-connections' },
  ],
  targets: [{ upstream: 'billing.upstream', target: 'c.example:81', weight: 0, created_at: 3 }],
  services: [{ name: 'billing', host: 'billing.upstream' }],
}

type List = { data: Array<Record<string, unknown>>, next: string | null, offset?: string }

t.test('the upstream and target endpoints', async (t) => {
  const gateway = await gatewayFor(t, CONFIG)
  const admin = (method: string, path: string, body?: object) => call(gateway.adminUrl, method, path, { body })
  const list = async (path: string): Promise<List> => {
    const reply = await admin('GET', path)
    t.equal(reply.status, 200, `GET ${path}`)
    return reply.json<List>()
  }

  const upstreams = await list('/upstreams')
  t.strictSame(upstreams.data.map((u) => u.name), ['billing.upstream', 'search.upstream'])
  t.equal(upstreams.next, null)
  t.match(upstreams.data[0], { algorithm: 'round-robin', slots: 10000, healthchecks: { active: { http_path: '/' } }, client_certificate: null })
  t.strictSame((await list('/upstreams?tags=team-a')).data.map((u) => u.name), ['billing.upstream'])
  const id = upstreams.data[0].id as string

  for (const key of ['billing.upstream', id]) {
    const one = await admin('GET', `/upstreams/${key}`)
    t.equal(one.status, 200, `GET /upstreams/${key}`)
    t.equal(one.json().id, id)
  }
  t.equal((await admin('GET', '/upstreams/nope.upstream')).status, 404)

  const targets = await list('/upstreams/billing.upstream/targets')
  t.strictSame(targets.data.map((target) => target.target), ['c.example:81', 'b.example:8000', '10.0.0.1:80'], 'newest first')
  t.strictSame(targets.data.map((target) => target.upstream), [{ id }, { id }, { id }])
  const all = await list(`/upstreams/${id}/targets/all`)
  t.strictSame(all.data.map((target) => target.target), ['10.0.0.1:80', 'b.example:8000', 'c.example:81'], '/all as stored')
  const paged = await list('/upstreams/billing.upstream/targets?size=2')
  t.equal(paged.data.length, 2)
  t.match(paged.next, /^\/upstreams\/billing\.upstream\/targets\?offset=/)
  t.strictSame((await list('/upstreams/search.upstream/targets')).data, [])
  t.equal((await admin('GET', '/upstreams/nope.upstream/targets')).status, 404)

  const byTarget = await admin('GET', '/upstreams/billing.upstream/targets/b.example:8000')
  t.equal(byTarget.status, 200)
  const targetId = byTarget.json().id as string
  t.equal((await admin('GET', `/upstreams/billing.upstream/targets/${targetId}`)).json().target, 'b.example:8000', 'by id')
  t.equal((await admin('GET', '/upstreams/billing.upstream/targets/b.example')).json().id, targetId, 'by host, its port defaulted')
  t.equal((await admin('GET', `/upstreams/search.upstream/targets/${targetId}`)).status, 404, 'a target of another upstream')
  t.equal((await admin('GET', '/upstreams/billing.upstream/targets/d.example:1')).status, 404)

  t.test('writes: Kong\'s DB-less answers', async (t) => {
    const unsupported = (operation: string, entity: string, by = '') =>
      ({ code: 12, name: 'operation unsupported', message: `cannot ${operation} '${entity}' entities${by} when not using a database` })
    const cases: ReadonlyArray<[string, string, number, unknown]> = [
      ['POST', '/upstreams', 405, unsupported('create', 'upstreams')],
      ['PATCH', '/upstreams/billing.upstream', 405, unsupported('update', 'upstreams', " by 'name'")],
      ['DELETE', `/upstreams/${id}`, 405, unsupported('remove', 'upstreams')],
      ['POST', '/upstreams/billing.upstream/targets', 405, unsupported('create', 'targets')],
      ['PATCH', `/upstreams/billing.upstream/targets/${targetId}`, 405, unsupported('update', 'targets')],
      ['PUT', '/upstreams/billing.upstream/targets/b.example:8000', 405, unsupported('update', 'targets')],
      ['DELETE', '/upstreams/billing.upstream/targets/b.example:8000', 405, unsupported('remove', 'targets')],
      ['DELETE', '/upstreams/billing.upstream/targets/d.example:1', 404, { message: 'Not found' }],
      ['POST', '/upstreams/billing.upstream/targets/all', 405, { message: 'Method not allowed' }],
    ]
    for (const [method, path, status, body] of cases) {
      const reply = await admin(method, path, method === 'DELETE' ? undefined : { weight: 1 })
      t.equal(reply.status, status, `${method} ${path}`)
      t.strictSame(reply.json(), body, `${method} ${path}`)
    }
  })

  t.test('/targets is not Kong\'s (targets.lua disables it)', async (t) => {
    for (const path of ['/targets', `/targets/${targetId}`, `/targets/${targetId}/upstream`]) {
      const reply = await admin('GET', path)
      t.equal(reply.status, 404, path)
    }
  })

  t.test('the health paths are answered from the health state (upstream-health-endpoints.ts)', async (t) => {
    const health = await admin('GET', '/upstreams/billing.upstream/health')
    t.equal(health.status, 200)
    t.ok(Array.isArray(health.json().data), 'a list of targets with their health')
    // kong/runloop/balancer/init.lua post_health: an upstream without health checks has no healthchecker
    const override = await admin('PUT', '/upstreams/billing.upstream/targets/b.example:8000/healthy')
    t.equal(override.status, 400)
    t.strictSame(override.json(), { message: 'no healthchecker found for billing.upstream' })
    t.equal((await admin('PUT', '/upstreams/nope/targets/b.example:8000/healthy')).status, 404, 'unknown upstream')
    t.equal((await admin('PUT', '/upstreams/billing.upstream/targets/nope.example:1/healthy')).status, 404, 'unknown target')
  })
})
