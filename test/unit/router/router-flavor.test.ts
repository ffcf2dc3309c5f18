// router_flavor: path building and precedence under Kong's `traditional_compatible` (the default) and
// `traditional` routers. Each row names the Kong source or spec it comes from.

import type { IncomingHttpHeaders } from 'node:http'
import t from 'tap'
import type { Route } from '../../../src/config/types.ts'
import { escapePath } from '../../../src/router/escape-path.ts'
import { effectivePathHandling, routesIgnoringPathHandling, type RouterFlavor } from '../../../src/router/flavor.ts'
import { normalizePath } from '../../../src/router/normalize-path.ts'
import { upstreamPath } from '../../../src/router/path-join.ts'
import { Router } from '../../../src/router/router.ts'
import { expandFixture, type FixtureCase } from './kong-path-handling-fixture.ts'
import { entriesOf, makeRoute } from './route-fixture.ts'

const FLAVORS: readonly RouterFlavor[] = ['traditional_compatible', 'traditional']
const HOST = 'localbin.example'

/** The proxy's steps: normalise, route, build the path with the flavor's path_handling, escape. */
function proxied (flavor: RouterFlavor, c: FixtureCase, asRegex: boolean): string | null {
  const route = makeRoute('r', c.routePath === null
    ? { hosts: [HOST], strip_path: c.strip, path_handling: c.handling }
    // spec/01-unit/08-router_spec.lua turns each route path into a regex matching the same text this way
    : { paths: [asRegex ? '~/[0]?' + c.routePath.slice(1) : c.routePath], strip_path: c.strip, path_handling: c.handling })
  const router = new Router([{ route, value: c.servicePath }], undefined, flavor)
  const path = normalizePath(c.request)
  if (path === null) return null
  const match = router.find('GET', HOST, path, {})
  if (match === null) return null
  const handling = effectivePathHandling(flavor, match.route)
  return escapePath(upstreamPath(match.value, path, router.matchedLength, match.route.strip_path, handling))
}

function describe (c: FixtureCase): string {
  return `(line ${c.line}) service ${c.servicePath}, ${c.routePath === null ? 'host route' : `route ${c.routePath}`}, ` +
    `strip=${c.strip}, ${c.handling}, request ${c.request}`
}

t.test('spec/fixtures/router_path_handling_tests.lua, every expanded row, per flavor', async (t) => {
  const cases = expandFixture()
  t.equal(cases.length, 212, 'the fixture expands to 212 cases')
  // under traditional_compatible a v1 route gets what the same v0 route gets (the spec runs only v0 rows there)
  const v0 = new Map<string, string>()
  const key = (c: FixtureCase): string => JSON.stringify([c.servicePath, c.routePath, c.strip, c.request])
  for (const c of cases) if (c.handling === 'v0') v0.set(key(c), c.upstream)
  for (const flavor of FLAVORS) {
    t.test(flavor, async (t) => {
      for (const c of cases) {
        const expected = flavor === 'traditional' || c.handling === 'v0' ? c.upstream : v0.get(key(c))
        t.ok(expected, `${describe(c)} has a v0 counterpart`)
        t.equal(proxied(flavor, c, false), expected, `${describe(c)} → ${expected}`)
        if (c.routePath !== null) t.equal(proxied(flavor, c, true), expected, `${describe(c)} (regex path) → ${expected}`)
      }
    })
  }
})

t.test('traditional_compatible ignores v1 where v0 and v1 differ (fixture lines 17, 19)', async (t) => {
  const cases = expandFixture().filter((c) => c.handling === 'v1' && (c.line === 17 || c.line === 19))
  t.equal(cases.length, 2)
  t.equal(proxied('traditional_compatible', cases[0], false), '/srv/roureq', 'v0: segments joined with a slash')
  t.equal(proxied('traditional', cases[0], false), '/srvroureq', 'v1: the service path is a plain prefix')
  t.equal(proxied('traditional_compatible', cases[1], false), '/srv/req')
  t.equal(proxied('traditional', cases[1], false), '/srvreq')
})

t.test('the routes whose path_handling v1 has no effect (kong/db/schema/entities/routes.lua warning)', async (t) => {
  const routes = [
    makeRoute('old', { paths: ['/a'], path_handling: 'v1' }),
    makeRoute('new', { paths: ['/b'], path_handling: 'v0' })
  ]
  t.same(routesIgnoringPathHandling('traditional_compatible', routes).map((r) => r.name), ['old'])
  t.same(routesIgnoringPathHandling('traditional', routes), [], 'traditional honours v1')
  t.equal(effectivePathHandling('traditional_compatible', routes[0]), 'v0')
  t.equal(effectivePathHandling('traditional', routes[0]), 'v1')
  t.equal(effectivePathHandling('traditional', routes[1]), 'v0')
})

// ---- precedence --------------------------------------------------------------------------------------

interface PrecedenceCase {
  readonly rule: string
  /** the Kong source the expectation is read from */
  readonly source: string
  readonly routes: ReadonlyArray<[name: string, fields: Partial<Route>]>
  readonly request: { method?: string, host?: string, path: string, headers?: IncomingHttpHeaders }
  readonly winner: Readonly<Record<RouterFlavor, string>>
}

const PRECEDENCE: readonly PrecedenceCase[] = [
  {
    rule: 'at equal weight a wildcard-host route and a header route: traditional ranks the HOST category first',
    source: 'traditional.lua sort_categories (HOST 0x40 > HEADER 0x20); compat get_priority (header count above path)',
    routes: [['wild', { hosts: ['*.example.com'], paths: ['/'] }], ['header', { headers: { 'x-a': ['1'] }, paths: ['/'] }]],
    request: { host: 'a.example.com', path: '/x', headers: { 'x-a': '1' } },
    winner: { traditional_compatible: 'header', traditional: 'wild' }
  },
  {
    rule: 'a wildcard-host-only route and a path-only route: category bits against path length',
    source: 'traditional.lua sort_categories (HOST 0x40 > URI 0x10); compat get_priority (max length)',
    routes: [['wild', { hosts: ['*.example.com'] }], ['path', { paths: ['/x'] }]],
    request: { host: 'a.example.com', path: '/x' },
    winner: { traditional_compatible: 'path', traditional: 'wild' }
  },
  {
    rule: 'a wildcard host with a port outranks plain hosts only in traditional',
    source: 'traditional.lua MATCH_SUBRULES (HAS_WILDCARD_HOST_PORT 0x04 > PLAIN_HOSTS_ONLY 0x02); compat PLAIN_HOST_ONLY_BIT',
    routes: [['plain', { hosts: ['api.example.com'], paths: ['/'] }], ['wildport', { hosts: ['*.example.com:8000'], paths: ['/'] }]],
    request: { host: 'api.example.com:8000', path: '/' },
    winner: { traditional_compatible: 'plain', traditional: 'wildport' }
  },
  {
    rule: 'a regex path against more headers: traditional compares the regex submatch bit before header count',
    source: 'traditional.lua sort_routes (submatch_weight, then headers[0]); compat get_priority (header count above REGEX_URL_BIT)',
    routes: [
      ['regex', { headers: { 'x-a': ['1'] }, paths: ['~/r'] }],
      ['headers', { headers: { 'x-a': ['1'], 'x-b': ['2'] }, paths: ['/'] }]
    ],
    request: { path: '/r', headers: { 'x-a': '1', 'x-b': '2' } },
    winner: { traditional_compatible: 'headers', traditional: 'regex' }
  },
  {
    rule: 'equal routes: traditional picks the older (created_at), compat the larger id',
    source: 'traditional.lua sort_routes (created_at); atc-router tries (priority, uuid) in reverse',
    routes: [
      ['older-small-id', { id: 'aaaaaaaa-0000-4000-8000-000000000000', paths: ['/same'], created_at: 1 }],
      ['newer-large-id', { id: 'bbbbbbbb-0000-4000-8000-000000000000', paths: ['/same'], created_at: 2 }]
    ],
    request: { path: '/same' },
    winner: { traditional_compatible: 'newer-large-id', traditional: 'older-small-id' }
  },
  {
    rule: 'both: more fields first (method + path beats a longer path alone)',
    source: 'traditional.lua sort_categories (match_weight); compat get_priority (match weight)',
    routes: [['long', { paths: ['/api/v1/users'] }], ['get', { methods: ['GET'], paths: ['/api'] }]],
    request: { path: '/api/v1/users' },
    winner: { traditional_compatible: 'get', traditional: 'get' }
  },
  {
    rule: 'both: regex paths before plain paths, however long',
    source: 'traditional.lua sort_routes (HAS_REGEX_URI); compat REGEX_URL_BIT',
    routes: [['plain', { paths: ['/users/42/profile'] }], ['regex', { paths: ['~/users/\\d+'] }]],
    request: { path: '/users/42/profile' },
    winner: { traditional_compatible: 'regex', traditional: 'regex' }
  },
  {
    rule: 'both: regex_priority orders regex paths, highest first',
    source: 'traditional.lua sort_routes (regex_priority); compat get_priority (regex priority)',
    routes: [['digits', { paths: ['~/a/\\d+'] }], ['any', { paths: ['~/a/.*'], regex_priority: 10 }]],
    request: { path: '/a/1' },
    winner: { traditional_compatible: 'any', traditional: 'any' }
  },
  {
    rule: 'both: the longest plain path wins',
    source: 'traditional.lua sort_routes (max_uri_length); compat get_priority (max length)',
    routes: [['short', { paths: ['/a'] }], ['long', { paths: ['/a/b'] }]],
    request: { path: '/a/b/c' },
    winner: { traditional_compatible: 'long', traditional: 'long' }
  },
  {
    rule: 'both: plain hosts before wildcard hosts (no port)',
    source: 'traditional.lua PLAIN_HOSTS_ONLY; compat PLAIN_HOST_ONLY_BIT',
    routes: [['wild', { hosts: ['*.example.com'], paths: ['/long/path'] }], ['plain', { hosts: ['api.example.com'], paths: ['/'] }]],
    request: { host: 'api.example.com', path: '/long/path' },
    winner: { traditional_compatible: 'plain', traditional: 'plain' }
  }
]

t.test('precedence per flavor', async (t) => {
  for (const c of PRECEDENCE) {
    for (const flavor of FLAVORS) {
      const router = new Router(entriesOf(c.routes.map(([name, fields]) => makeRoute(name, fields))), undefined, flavor)
      const r = c.request
      const match = router.find(r.method ?? 'GET', r.host, r.path, r.headers ?? {})
      t.equal(match?.value ?? null, c.winner[flavor], `${flavor}: ${c.rule} [${c.source}]`)
    }
  }
})

t.test('the default flavor is traditional_compatible', async (t) => {
  const c = PRECEDENCE[0]
  const router = new Router(entriesOf(c.routes.map(([name, fields]) => makeRoute(name, fields))))
  t.equal(router.find('GET', c.request.host, c.request.path, c.request.headers ?? {})?.value, c.winner.traditional_compatible)
})
