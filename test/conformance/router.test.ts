// Kong's route matching rules (traditional_compatible, the 3.x default), one table row per rule.
// Sources: Kong's Route object reference (docs.konghq.com); kong/router/compat.lua (expressions and get_priority),
// kong/router/atc.lua (host and port split), atc-router src/router.rs (tie order).
// Paths given here are already normalised, as the proxy passes them.

import type { IncomingHttpHeaders } from 'node:http'
import t from 'tap'
import type { Route } from '../../src/config/types.ts'
import { upstreamPath } from '../../src/router/path-join.ts'
import { Router } from '../../src/router/router.ts'
import { DOCS_TABLE, KONG_V0_SPEC, KONG_V1_SPEC, describeCase, type PathCase } from '../unit/router/path-handling-cases.ts'
import { entriesOf, makeRoute } from '../unit/router/route-fixture.ts'

interface Request {
  readonly path: string
  readonly method?: string
  readonly host?: string
  readonly headers?: IncomingHttpHeaders
  /** the request's header lines, as Node's req.rawHeaders */
  readonly rawHeaders?: readonly string[]
  /** the winning route's name, or null for no match */
  readonly expect: string | null
  readonly matchedLength?: number
  /** the route path that matched, as configured */
  readonly matchedPath?: string | null
}

interface Case {
  readonly rule: string
  readonly routes: ReadonlyArray<[name: string, fields: Partial<Route>]>
  readonly requests: readonly Request[]
}

const CASES: readonly Case[] = [
  {
    rule: 'plain paths are string prefixes, compared case-sensitively',
    routes: [['foo', { paths: ['/foo'] }]],
    requests: [
      { path: '/foo', expect: 'foo', matchedLength: 4, matchedPath: '/foo' },
      { path: '/foo/bar', expect: 'foo', matchedLength: 4 },
      { path: '/foobar', expect: 'foo', matchedLength: 4 },
      { path: '/fo', expect: null },
      { path: '/', expect: null },
      { path: '/FOO', expect: null }
    ]
  },
  {
    rule: 'the longest plain prefix wins',
    routes: [['root', { paths: ['/'] }], ['foo', { paths: ['/foo'] }], ['foobar', { paths: ['/foo/bar'] }]],
    requests: [
      { path: '/foo/bar/baz', expect: 'foobar', matchedLength: 8 },
      { path: '/foo/baz', expect: 'foo' },
      { path: '/other', expect: 'root', matchedLength: 1 }
    ]
  },
  {
    rule: 'a route without paths matches every path and strips nothing',
    routes: [['byhost', { hosts: ['a.example'] }]],
    requests: [
      { path: '/anything/at/all', host: 'a.example', expect: 'byhost', matchedLength: 0, matchedPath: null },
      { path: '/', host: 'a.example', expect: 'byhost', matchedLength: 0 },
      { path: '/', host: 'b.example', expect: null },
      { path: '/', expect: null }
    ]
  },
  {
    rule: 'regex paths are anchored at the start of the path',
    routes: [['users', { paths: ['~/users/\\d+'] }]],
    requests: [
      { path: '/users/42', expect: 'users', matchedLength: 9, matchedPath: '~/users/\\d+' },
      { path: '/users/42/profile', expect: 'users', matchedLength: 9 },
      { path: '/api/users/42', expect: null },
      { path: '/users/x', expect: null }
    ]
  },
  {
    rule: 'every alternative of a regex path is anchored',
    routes: [['alt', { paths: ['~/a|/b'] }]],
    requests: [
      { path: '/b/x', expect: 'alt', matchedLength: 2 },
      { path: '/x/b', expect: null }
    ]
  },
  {
    rule: 'a regex path matches up to where the regex ends (strip_path strips that much)',
    routes: [['version', { paths: ['~/version/\\d+/service'] }]],
    requests: [{ path: '/version/1/service/path/to/resource', expect: 'version', matchedLength: 18 }]
  },
  {
    rule: 'regex paths come before plain paths, even longer ones',
    routes: [['plain', { paths: ['/users/42/profile'] }], ['regex', { paths: ['~/users/\\d+'] }]],
    requests: [
      { path: '/users/42/profile', expect: 'regex' },
      { path: '/users/x/profile', expect: null }
    ]
  },
  {
    rule: 'regex routes are ordered by regex_priority, highest first',
    routes: [
      ['digits', { paths: ['~/a/\\d+'], regex_priority: 0 }],
      ['any', { paths: ['~/a/.*'], regex_priority: 10 }],
      ['negative', { paths: ['~/a/1'], regex_priority: -5 }]
    ],
    requests: [
      { path: '/a/1', expect: 'any' },
      { path: '/a/x', expect: 'any' }
    ]
  },
  {
    rule: 'regex_priority can be negative and ranks below 0',
    routes: [['low', { paths: ['~/a/1'], regex_priority: -5 }], ['zero', { paths: ['~/a/\\d'] }]],
    requests: [{ path: '/a/1', expect: 'zero' }]
  },
  {
    rule: 'regex_priority does not lift a plain path',
    routes: [['plain', { paths: ['/a'], regex_priority: 100 }], ['regex', { paths: ['~/a'] }]],
    requests: [{ path: '/a', expect: 'regex' }]
  },
  {
    rule: 'more matching fields first: method + path beats a longer path alone',
    routes: [['long', { paths: ['/api/v1/users'] }], ['get', { methods: ['GET'], paths: ['/api'] }]],
    requests: [
      { method: 'GET', path: '/api/v1/users', expect: 'get', matchedLength: 4 },
      { method: 'POST', path: '/api/v1/users', expect: 'long', matchedLength: 13 }
    ]
  },
  {
    rule: 'more matching fields first: host + path beats a regex path',
    routes: [['regex', { paths: ['~/api/.*'], regex_priority: 100 }], ['hosted', { hosts: ['api.example'], paths: ['/'] }]],
    requests: [
      { host: 'api.example', path: '/api/x', expect: 'hosted' },
      { host: 'other.example', path: '/api/x', expect: 'regex' }
    ]
  },
  {
    rule: 'at equal weight, plain hosts rank above everything but weight (a host-only route beats a path-only one)',
    routes: [['path', { paths: ['/x'] }], ['host', { hosts: ['a.example'] }]],
    requests: [
      { host: 'a.example', path: '/x', expect: 'host', matchedLength: 0 },
      { host: 'b.example', path: '/x', expect: 'path', matchedLength: 2 }
    ]
  },
  {
    rule: 'plain hosts before wildcard hosts, whatever the path lengths',
    routes: [
      ['wild', { hosts: ['*.example.com'], paths: ['/longer/path'] }],
      ['plain', { hosts: ['api.example.com'], paths: ['/'] }]
    ],
    requests: [
      { host: 'api.example.com', path: '/longer/path', expect: 'plain' },
      { host: 'www.example.com', path: '/longer/path', expect: 'wild' },
      { host: 'www.example.com', path: '/', expect: null }
    ]
  },
  {
    rule: 'a route mixing plain and wildcard hosts ranks as a wildcard route',
    routes: [
      ['mixed', { hosts: ['api.example.com', '*.example.org'], paths: ['/'] }],
      ['plain', { hosts: ['api.example.com'], paths: ['/'] }]
    ],
    requests: [
      { host: 'api.example.com', path: '/', expect: 'plain' },
      { host: 'x.example.org', path: '/', expect: 'mixed' }
    ]
  },
  {
    rule: 'a leading * matches any name ending with the rest',
    routes: [['wild', { hosts: ['*.example.com'] }]],
    requests: [
      { host: 'a.example.com', path: '/', expect: 'wild' },
      { host: 'a.b.example.com', path: '/', expect: 'wild' },
      { host: 'a.example.com:8000', path: '/', expect: 'wild' },
      { host: 'example.com', path: '/', expect: null },
      { host: 'aexample.com', path: '/', expect: null },
      { host: 'a.example.com.evil', path: '/', expect: null }
    ]
  },
  {
    rule: 'a trailing * matches any name starting with the rest',
    routes: [['wild', { hosts: ['example.*'] }]],
    requests: [
      { host: 'example.org', path: '/', expect: 'wild' },
      { host: 'example.co.uk:8443', path: '/', expect: 'wild' },
      { host: 'www.example.org', path: '/', expect: null },
      { host: 'example', path: '/', expect: null }
    ]
  },
  {
    rule: 'a host without port matches any port; a host with a port needs that port',
    routes: [
      ['anyport', { hosts: ['a.example'] }],
      ['port', { hosts: ['b.example:8443'] }],
      ['wildport', { hosts: ['*.c.example:9000'] }]
    ],
    requests: [
      { host: 'a.example', path: '/', expect: 'anyport' },
      { host: 'a.example:8000', path: '/', expect: 'anyport' },
      { host: 'b.example:8443', path: '/', expect: 'port' },
      { host: 'b.example:8000', path: '/', expect: null },
      { host: 'b.example', path: '/', expect: null },
      { host: 'x.c.example:9000', path: '/', expect: 'wildport' },
      { host: 'x.c.example:9001', path: '/', expect: null }
    ]
  },
  {
    // "Note that the hosts value is case sensitive" (the Route object reference); kong/router/transform.lua
    // compares http.host (the raw Host header, kong/router/atc.lua) with ==, =^ and ^=, lower-casing neither
    rule: 'hosts compare case-sensitively',
    routes: [['mixed', { hosts: ['Api.Example.COM'] }], ['wild', { hosts: ['*.Wild.Example'] }], ['pre', { hosts: ['Pre.*'] }]],
    requests: [
      { host: 'Api.Example.COM:80', path: '/', expect: 'mixed' },
      { host: 'Api.Example.COM', path: '/', expect: 'mixed' },
      { host: 'API.example.com:80', path: '/', expect: null },
      { host: 'api.example.com', path: '/', expect: null },
      { host: 'x.Wild.Example', path: '/', expect: 'wild' },
      { host: 'X.WILD.example', path: '/', expect: null },
      { host: 'Pre.x', path: '/', expect: 'pre' },
      { host: 'pre.x', path: '/', expect: null }
    ]
  },
  {
    rule: 'IPv6 hosts keep their brackets and may carry a port',
    routes: [['v6', { hosts: ['[::1]'] }], ['v6port', { hosts: ['[::2]:8080'] }]],
    requests: [
      { host: '[::1]', path: '/', expect: 'v6' },
      { host: '[::1]:8000', path: '/', expect: 'v6' },
      { host: '[::2]:8080', path: '/', expect: 'v6port' },
      { host: '[::2]', path: '/', expect: null }
    ]
  },
  {
    rule: 'methods compare exactly',
    routes: [['rw', { methods: ['GET', 'POST'] }]],
    requests: [
      { method: 'GET', path: '/', expect: 'rw' },
      { method: 'POST', path: '/x', expect: 'rw' },
      { method: 'get', path: '/', expect: null },
      { method: 'DELETE', path: '/', expect: null }
    ]
  },
  {
    rule: 'headers: AND across names, OR across values, values case-insensitive',
    routes: [['h', { headers: { 'x-a': ['one', 'Two'], 'x-b': ['yes'] } }]],
    requests: [
      { path: '/', headers: { 'x-a': 'two', 'x-b': 'YES' }, expect: 'h' },
      { path: '/', headers: { 'x-a': 'ONE', 'x-b': 'yes' }, expect: 'h' },
      { path: '/', headers: { 'x-a': 'one' }, expect: null },
      { path: '/', headers: { 'x-a': 'three', 'x-b': 'yes' }, expect: null },
      { path: '/', headers: { 'x-a': 'one', 'x-b': 'yess' }, expect: null }
    ]
  },
  {
    rule: 'a multi-valued request header matches when any value matches',
    routes: [['h', { headers: { 'x-v': ['beta'] } }]],
    requests: [
      { path: '/', headers: { 'x-v': ['alpha', 'BETA'] }, expect: 'h' },
      // Node joins a repeated header into one string; rawHeaders tell the lines apart (kong/router/fields.lua
      // adds each line's value; one line "alpha, Beta" is one value, as ngx.req.get_headers() gives it)
      { path: '/', headers: { 'x-v': 'alpha, Beta' }, rawHeaders: ['X-V', 'alpha', 'x-v', 'Beta'], expect: 'h' },
      { path: '/', headers: { 'x-v': 'alpha, Beta' }, rawHeaders: ['X-V', 'alpha, Beta'], expect: null },
      { path: '/', headers: { 'x-v': ['alpha', 'gamma'] }, expect: null },
      { path: '/', headers: { 'x-v': 'alphabeta' }, expect: null }
    ]
  },
  {
    rule: 'a header value starting with ~* is a case-insensitive regex, searched anywhere',
    routes: [['re', { headers: { 'x-version': ['~*^v\\d+$'] } }], ['inner', { headers: { 'x-agent': ['~*bot'] } }]],
    requests: [
      { path: '/', headers: { 'x-version': 'V12' }, expect: 're' },
      { path: '/', headers: { 'x-version': 'xv1' }, expect: null },
      { path: '/', headers: { 'x-agent': 'Mozilla GoogleBot/2.1' }, expect: 'inner' },
      { path: '/', headers: { 'x-agent': 'Mozilla' }, expect: null }
    ]
  },
  {
    rule: 'more headers first',
    routes: [['one', { headers: { 'x-a': ['1'] }, paths: ['/'] }], ['two', { headers: { 'x-a': ['1'], 'x-b': ['2'] }, paths: ['/'] }]],
    requests: [
      { path: '/', headers: { 'x-a': '1', 'x-b': '2' }, expect: 'two' },
      { path: '/', headers: { 'x-a': '1' }, expect: 'one' }
    ]
  },
  {
    rule: 'more headers outrank a regex path',
    routes: [
      ['regex', { headers: { 'x-a': ['1'] }, paths: ['~/r'], regex_priority: 50 }],
      ['headers', { headers: { 'x-a': ['1'], 'x-b': ['2'] }, paths: ['/'] }]
    ],
    requests: [
      { path: '/r', headers: { 'x-a': '1', 'x-b': '2' }, expect: 'headers' },
      { path: '/r', headers: { 'x-a': '1' }, expect: 'regex' }
    ]
  },
  {
    rule: 'routes for other protocols are never matched; https-only routes are (the proxy redirects)',
    // the route schema refuses grpc (Route.protocols is typed http | https): only a hand-built route has it
    routes: [['grpc', { protocols: ['grpc', 'grpcs'] as readonly string[] as Route['protocols'], paths: ['/g'] }], ['tls', { protocols: ['https'], paths: ['/s'] }]],
    requests: [
      { path: '/g', expect: null },
      { path: '/s', expect: 'tls' }
    ]
  },
  {
    rule: 'a route with several paths is ranked per path length (Kong splits it)',
    routes: [['multi', { paths: ['/x', '/abcdefgh'] }], ['mid', { paths: ['/abc'] }]],
    requests: [
      { path: '/abcdefgh/1', expect: 'multi', matchedLength: 9, matchedPath: '/abcdefgh' },
      { path: '/abcd', expect: 'mid', matchedLength: 4 },
      { path: '/x/1', expect: 'multi', matchedLength: 2, matchedPath: '/x' }
    ]
  },
  {
    rule: 'a route with plain and regex paths ranks its regex paths as a regex route',
    routes: [['mixed', { paths: ['/p', '~/r/\\d+'] }], ['longer', { paths: ['/r/1/long'] }]],
    requests: [
      { path: '/r/1/long', expect: 'mixed', matchedLength: 4, matchedPath: '~/r/\\d+' },
      { path: '/p/x', expect: 'mixed', matchedLength: 2, matchedPath: '/p' }
    ]
  },
  {
    rule: 'among one route\'s regex paths, the first that matches (in configured order) is the match',
    routes: [['two', { paths: ['~/a/(?<id>\\d+)', '~/a/\\d+/b'] }]],
    requests: [
      { path: '/a/1/b', expect: 'two', matchedLength: 4, matchedPath: '~/a/(?<id>\\d+)' },
      { path: '/a/22', expect: 'two', matchedLength: 5 }
    ]
  },
  {
    rule: 'plain route paths are compared in normalised form',
    routes: [['tilde', { paths: ['/%7Euser'] }], ['utf8', { paths: ['/caf%c3%a9'] }]],
    requests: [
      { path: '/~user/x', expect: 'tilde', matchedLength: 6, matchedPath: '/%7Euser' },
      // the proxy decodes every non-reserved escape before routing (normalize-path.ts), so the path is `/café`
      { path: '/café', expect: 'utf8', matchedLength: 5, matchedPath: '/caf%c3%a9' }
    ]
  },
  {
    // spec/01-unit/08-router_spec.lua "returns uri_captures normalized, fix #7913" (/users/%6aohn%20doe/profile),
    // "matches against regex paths", "leave reserved characters alone in regex paths"
    rule: 'regex paths see the normalised path: %20 arrives as a space, reserved escapes stay encoded',
    routes: [
      ['users', { paths: ['~/users/(?<fullname>[a-zA-Z\\s\\d%]+)/profile'] }],
      ['spaced', { paths: ['~/with space/\\d+$'] }],
      ['encoded', { paths: ['~/reg%65x/\\d+'] }],
      ['reserved', { paths: ['~/regex-reserved%2Fabc'] }]
    ],
    requests: [
      { path: '/users/john doe/profile', expect: 'users', matchedLength: 23 },
      { path: '/with space/1', expect: 'spaced', matchedLength: 13 },
      // a regex written with an escape of an unreserved character never matches: the path has it decoded
      { path: '/regex/123', expect: null },
      { path: '/regex-reserved%2Fabc', expect: 'reserved' },
      { path: '/regex-reserved/abc', expect: null }
    ]
  },
  {
    rule: 'empty lists count as absent',
    routes: [['empty', { methods: [], hosts: [], headers: {}, paths: ['/e'] }], ['host', { hosts: ['h.example'], paths: ['/'] }]],
    requests: [
      { method: 'PATCH', path: '/e', expect: 'empty' },
      { host: 'h.example', path: '/e', expect: 'host' }
    ]
  },
  {
    rule: 'routes of equal precedence: the larger id wins, as in ATC (no created_at tie-break)',
    routes: [
      ['first', { id: 'aaaaaaaa-0000-4000-8000-000000000000', paths: ['/same'], created_at: 1 }],
      ['second', { id: 'bbbbbbbb-0000-4000-8000-000000000000', paths: ['/same'], created_at: 2 }]
    ],
    requests: [{ path: '/same', expect: 'second' }]
  },
  {
    rule: 'all criteria must match: a better-ranked route that fails one falls through to the next',
    routes: [
      ['full', { methods: ['GET'], hosts: ['a.example'], headers: { 'x-k': ['v'] }, paths: ['/api'] }],
      ['hostpath', { hosts: ['a.example'], paths: ['/api'] }],
      ['path', { paths: ['/'] }]
    ],
    requests: [
      { method: 'GET', host: 'a.example', path: '/api/x', headers: { 'x-k': 'v' }, expect: 'full' },
      { method: 'POST', host: 'a.example', path: '/api/x', headers: { 'x-k': 'v' }, expect: 'hostpath' },
      { method: 'GET', host: 'a.example', path: '/apix', headers: {}, expect: 'hostpath' },
      { method: 'GET', host: 'b.example', path: '/api/x', headers: { 'x-k': 'v' }, expect: 'path' }
    ]
  }
]

t.test('Kong matching rules', async (t) => {
  for (const c of CASES) {
    t.test(c.rule, async (t) => {
      const router = new Router(entriesOf(c.routes.map(([name, fields]) => makeRoute(name, fields))))
      for (const r of c.requests) {
        const label = `${r.method ?? 'GET'} ${r.host ?? '(no host)'} ${r.path} ${JSON.stringify(r.headers ?? {})}`
        const match = router.find(r.method ?? 'GET', r.host, r.path, r.headers ?? {}, r.rawHeaders ?? null)
        t.equal(match?.value ?? null, r.expect, label)
        if (r.matchedLength !== undefined) t.equal(router.matchedLength, r.matchedLength, `${label}: matched length`)
        if (r.matchedPath !== undefined) t.equal(match?.path, r.matchedPath, `${label}: matched path`)
      }
    })
  }
})

// Kong's path_handling examples end to end: route match, then the upstream path from what it matched.
function throughRouter (c: PathCase, asRegex: boolean): string | null {
  const route = makeRoute('r', c.routePath === null
    ? { hosts: ['h.example'], strip_path: c.strip, path_handling: c.handling }
    // Kong's own spec turns a path into a regex matching the same text this way
    : { paths: [asRegex ? '~/[0]?' + c.routePath.slice(1) : c.routePath], strip_path: c.strip, path_handling: c.handling })
  const router = new Router([{ route, value: c.servicePath }])
  const match = router.find('GET', 'h.example', c.request, {})
  if (match === null) return null
  return upstreamPath(match.value, c.request, router.matchedLength, match.route.strip_path, match.route.path_handling)
}

t.test('path_handling through the router', async (t) => {
  for (const [name, table] of [['Kong docs', DOCS_TABLE], ['Kong v0 spec', KONG_V0_SPEC], ['Kong v1 spec', KONG_V1_SPEC]] as const) {
    t.test(name, async (t) => {
      for (const c of table) {
        t.equal(throughRouter(c, false), c.upstream, describeCase(c))
        if (c.routePath !== null) t.equal(throughRouter(c, true), c.upstream, `${describeCase(c)} (regex path)`)
      }
    })
  }
})
