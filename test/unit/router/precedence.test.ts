// Precedence in Kong 3.x traditional_compatible: kong/router/transform.lua get_priority packs, highest
// first, match weight (bits 61-63), plain hosts only (60), header count (52-59), regex path (51),
// regex_priority (19-50) and plain path length (0-18); atc-router tries equal priorities by descending id.
// Each row cites the layout field or the Kong spec (spec/01-unit/08-router_spec.lua) it comes from.
import t from 'tap'
import type { IncomingHttpHeaders } from 'node:http'
import type { Route } from '../../../src/config/types.ts'
import { Router } from '../../../src/router/router.ts'
import { makeRoute } from './route-fixture.ts'

const HEADER_NAMES = ['x-a', 'x-b', 'x-c', 'x-d']
const ALL_HEADERS: IncomingHttpHeaders = { 'x-a': '1', 'x-b': '1', 'x-c': '1', 'x-d': '1' }

function headers (count: number): Record<string, string[]> | null {
  if (count === 0) return null
  return Object.fromEntries(HEADER_NAMES.slice(0, count).map((name) => [name, ['1']]))
}

/** Routes with these ids, so a test can put the id tie-break on the other side on purpose. */
function routesWithIds (list: ReadonlyArray<[name: string, id: number, fields: Partial<Route>]>): Array<{ route: Route, value: string }> {
  return list.map(([name, id, fields]) => {
    const route = makeRoute(name, { ...fields, id: `00000000-0000-4000-8000-${id.toString(16).padStart(12, '0')}` })
    return { route, value: name }
  })
}

// every combination of the other criteria that a request can satisfy for both routes at once
const BASES: ReadonlyArray<[label: string, fields: Partial<Route>]> = [
  ['no other criteria', {}],
  ['plain path', { paths: ['/api'] }],
  ['regex path', { paths: ['~/api/\\d+'] }],
  ['regex path + regex_priority', { paths: ['~/api/\\d+'], regex_priority: 3 }],
  ['plain host', { hosts: ['api.example'] }],
  ['wildcard host', { hosts: ['*.example'] }],
  ['plain host with port', { hosts: ['api.example:8000'] }],
  ['method', { methods: ['GET'] }],
  ['plain host + plain path', { hosts: ['api.example'], paths: ['/api'] }],
  ['wildcard host + regex path', { hosts: ['*.example'], paths: ['~/api/\\d+'] }],
  ['rightmost wildcard host + plain path', { hosts: ['api.*'], paths: ['/api/1'] }],
  ['method + plain host + plain path', { methods: ['GET'], hosts: ['api.example'], paths: ['/api'] }],
  ['method + wildcard host + regex path', { methods: ['GET'], hosts: ['*.example'], paths: ['~/api/\\d+'] }],
  ['empty hosts list + plain path', { hosts: [], paths: ['/api'] }]
]

t.test('more header conditions first, whatever else ties (get_priority header count; spec: "evaluates Routes with more [headers] first")', async (t) => {
  for (const [label, fields] of BASES) {
    // a route needs something to match on: without other criteria, start at one header
    for (let fewer = Object.keys(fields).length === 0 ? 1 : 0; fewer < 3; fewer++) {
      for (const moreHasLargerId of [true, false]) {
        // the id tie-break favours the larger id: put it on each side in turn, so only the count decides
        const [idMore, idFewer] = moreHasLargerId ? [2, 1] : [1, 2]
        const router = new Router(routesWithIds([
          ['fewer', idFewer, { ...fields, headers: headers(fewer) }],
          ['more', idMore, { ...fields, headers: headers(fewer + 1) }]
        ]))
        const found = router.find('GET', 'api.example:8000', '/api/1', ALL_HEADERS)
        t.equal(found?.value, 'more', `${label}: ${fewer + 1} headers before ${fewer} (more has the ${moreHasLargerId ? 'larger' : 'smaller'} id)`)
        // with x-a only: a route wanting one header (or none) still matches, the better-ranked first
        const fallback = fewer === 0 ? 'more' : fewer === 1 ? 'fewer' : null
        const without = router.find('GET', 'api.example:8000', '/api/1', { 'x-a': '1' })
        t.equal(without?.value ?? null, fallback, `${label}: with x-a only, ${fallback ?? 'nothing'} matches`)
      }
    }
  }
})

interface Row {
  source: string
  routes: ReadonlyArray<[name: string, id: number, fields: Partial<Route>]>
  request: { method?: string, host?: string, path: string, headers?: IncomingHttpHeaders }
  expect: string
}

// the winner is always given the smaller id, so the id tie-break alone would pick the other route
const ROWS: Row[] = [
  {
    source: 'get_priority: match weight (bits 61-63) over plain hosts only (bit 60)',
    routes: [['weight', 1, { methods: ['GET'], hosts: ['*.example'], paths: ['/api'] }], ['plain', 2, { hosts: ['api.example'], paths: ['/api'] }]],
    request: { host: 'api.example', path: '/api/1' },
    expect: 'weight'
  },
  {
    source: 'get_priority: plain hosts only (bit 60) over header count (bits 52-59)',
    routes: [['plain', 1, { hosts: ['api.example'], headers: headers(1) }], ['wild', 2, { hosts: ['*.example'], headers: headers(3) }]],
    request: { host: 'api.example', path: '/', headers: ALL_HEADERS },
    expect: 'plain'
  },
  {
    source: 'get_priority: header count (bits 52-59) over regex path (bit 51); spec: "more [headers] has priority over longer [paths]"',
    routes: [['headers', 1, { headers: headers(2), paths: ['/a'] }], ['regex', 2, { headers: headers(1), paths: ['~/a/\\d+'] }]],
    request: { path: '/a/1', headers: ALL_HEADERS },
    expect: 'headers'
  },
  {
    source: 'get_priority: header count (bits 52-59) over path length',
    routes: [['headers', 1, { headers: headers(2), paths: ['/a'] }], ['longer', 2, { headers: headers(1), paths: ['/a/b/c'] }]],
    request: { path: '/a/b/c', headers: ALL_HEADERS },
    expect: 'headers'
  },
  {
    source: 'get_priority: regex path (bit 51) over plain path length',
    routes: [['regex', 1, { paths: ['~/a'] }], ['long', 2, { paths: ['/a/b/c/d'] }]],
    request: { path: '/a/b/c/d' },
    expect: 'regex'
  },
  {
    source: 'get_priority: regex_priority (bits 19-50) among regex paths',
    routes: [['high', 1, { paths: ['~/a'], regex_priority: 2 }], ['low', 2, { paths: ['~/a/b'], regex_priority: 1 }]],
    request: { path: '/a/b' },
    expect: 'high'
  },
  {
    source: 'get_priority: regex_priority counts only for regex paths; spec: "[prefix matching ignore regex_priority]"',
    routes: [['long', 1, { paths: ['/v1'] }], ['prio', 2, { paths: ['/'], regex_priority: 5 }]],
    request: { path: '/v1' },
    expect: 'long'
  },
  {
    source: 'get_priority: plain path length (bits 0-18); spec: "does not supersede another route with a longer [uri]"',
    routes: [['longer', 1, { paths: ['/a/b'] }], ['shorter', 2, { paths: ['/a'] }]],
    request: { path: '/a/b/c' },
    expect: 'longer'
  },
  {
    source: 'get_priority: plain_host_only = type(hosts) == "table": an empty hosts list sets bit 60',
    routes: [['empty-hosts', 1, { hosts: [], paths: ['/a'] }], ['no-hosts', 2, { paths: ['/a'] }]],
    request: { path: '/a' },
    expect: 'empty-hosts'
  },
  {
    source: 'atc-router: equal priorities, the larger id first',
    routes: [['small', 1, { paths: ['/a'] }], ['large', 2, { paths: ['/a'] }]],
    request: { path: '/a' },
    expect: 'large'
  },
  {
    source: 'get_priority: a wildcard among plain hosts clears bit 60; spec: "[method] does not supersede [wildcard host]"',
    routes: [['host', 1, { hosts: ['*.example'] }], ['method', 2, { methods: ['GET'] }]],
    request: { host: 'api.example', path: '/' },
    expect: 'method'
  }
]

t.test('field against field, as the bit layout orders them', async (t) => {
  for (const row of ROWS) {
    const router = new Router(routesWithIds(row.routes))
    const r = row.request
    t.equal(router.find(r.method ?? 'GET', r.host, r.path, r.headers ?? {})?.value, row.expect, row.source)
  }
})
