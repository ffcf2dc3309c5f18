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

// ---- differential: random routes against a naive reading of traditional.lua ---------------------------
// Independent of src/router/precedence-traditional.ts: every route × path is a "route_t" as traditional.lua
// splits them, sorted by (category weight, category bits, submatch bits, header count, regex_priority, path
// length, created_at), and the first one whose every field matches wins.

interface NaiveRouteT { route: Route, path: string | null, key: number[] }

function naiveKey (route: Route, path: string | null): number[] {
  const hosts = route.hosts ?? []
  const headers = Object.keys(route.headers ?? {})
  const methods = route.methods ?? []
  const regex = path !== null && path.startsWith('~')
  const bits = (hosts.length > 0 ? 0x40 : 0) | (headers.length > 0 ? 0x20 : 0) | (path !== null ? 0x10 : 0) | (methods.length > 0 ? 0x08 : 0)
  const weight = [0x40, 0x20, 0x10, 0x08].filter((b) => (bits & b) !== 0).length
  const wildcardPort = hosts.some((h) => h.includes('*') && /:\d+$/.test(h))
  const plainOnly = hosts.length > 0 && hosts.every((h) => !h.includes('*'))
  const submatch = (wildcardPort ? 4 : 0) | (plainOnly ? 2 : 0) | (regex ? 1 : 0)
  // sorted descending on every field but created_at, which sorts ascending
  return [weight, bits, submatch, headers.length, regex ? route.regex_priority : 0, path === null || regex ? 0 : path.length, -route.created_at]
}

function naiveTraditional (routes: Route[]): NaiveRouteT[] {
  const out: NaiveRouteT[] = []
  for (const route of routes) {
    const paths = route.paths ?? []
    if (paths.length === 0) out.push({ route, path: null, key: naiveKey(route, null) })
    for (const path of paths) out.push({ route, path, key: naiveKey(route, path) })
  }
  return out.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return b.key[i] - a.key[i]
    return 0
  })
}

function naiveHost (pattern: string, host: string | undefined): boolean {
  if (host === undefined) return false
  const [pName, pPort] = pattern.split(':')
  const [hName, hPort] = host.split(':')
  if (pPort !== undefined && pPort !== hPort) return false
  if (pName.startsWith('*')) return hName.endsWith(pName.slice(1))
  return pName === hName
}

function naiveFind (sorted: NaiveRouteT[], method: string, host: string | undefined, path: string,
  headers: IncomingHttpHeaders): string | null {
  for (const { route, path: p } of sorted) {
    if (route.methods !== null && !route.methods.includes(method)) continue
    if (route.hosts !== null && !route.hosts.some((h) => naiveHost(h, host))) continue
    if (!Object.entries(route.headers ?? {}).every(([name, values]) => values.includes(String(headers[name])))) continue
    if (p === null) return route.name
    if (p.startsWith('~') ? new RegExp('^(?:' + p.slice(1) + ')').test(path) : path.startsWith(p)) return route.name
  }
  return null
}

t.test('traditional: random routes and requests give the naive reading\'s answers', async (t) => {
  let seed = 7
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
  const pick = <V>(list: readonly V[]): V => list[Math.floor(random() * list.length)]
  const paths = ['/', '/a', '/ab', '/a/b', '~/a/\\d+', '~/a.*', '~/b']
  const hosts = ['a.example', '*.example', '*.example:8000', 'b.example']
  let compared = 0
  for (let round = 0; round < 30; round++) {
    const routes: Route[] = []
    for (let i = 0; i < 12; i++) {
      const usePaths = random() < 0.8
      routes.push(makeRoute(`r${round}-${i}`, {
        paths: usePaths ? [pick(paths)] : null,
        hosts: random() < 0.5 || !usePaths ? [pick(hosts)] : null,
        methods: random() < 0.3 ? ['GET'] : null,
        headers: random() < 0.3 ? { 'x-t': ['1'] } : null,
        regex_priority: Math.floor(random() * 3),
        // distinct, so that no two routes tie all the way down (Kong's sort is not stable)
        created_at: 1000 + round * 100 + i
      }))
    }
    const router = new Router(entriesOf(routes), undefined, 'traditional')
    const sorted = naiveTraditional(routes)
    for (let q = 0; q < 40; q++) {
      const method = pick(['GET', 'POST'])
      const host = pick([undefined, 'a.example', 'a.example:8000', 'x.example:8000', 'b.example'])
      const path = pick(['/', '/a', '/a/1', '/ab', '/a/b/c', '/b'])
      const headers: IncomingHttpHeaders = random() < 0.5 ? { 'x-t': '1' } : {}
      const expected = naiveFind(sorted, method, host, path, headers)
      const actual = router.find(method, host, path, headers)?.value ?? null
      if (actual !== expected) t.equal(actual, expected, `round ${round}: ${method} ${host} ${path} ${JSON.stringify(headers)}`)
      compared++
    }
  }
  t.equal(compared, 1200)
})
