import type { IncomingHttpHeaders } from 'node:http'
import t from 'tap'
import type { Route } from '../../../src/config/types.ts'
import { ConfigError } from '../../../src/core/errors.ts'
import { Router } from '../../../src/router/router.ts'
import { entriesOf, makeRoute } from './route-fixture.ts'

t.test('find returns the load-time match object with the entry value', async (t) => {
  const route = makeRoute('a', { paths: ['/a', '/b'] })
  const value = { target: 'service-a' }
  const router = new Router([{ route, value }])
  const first = router.find('GET', undefined, '/a/x', {})
  t.ok(first)
  t.equal(first!.value, value)
  t.equal(first!.route, route)
  t.equal(first!.path, '/a')
  t.equal(first!.isRegex, false)
  t.ok(Object.isFrozen(first))
  t.equal(router.find('GET', 'any', '/a/y', {}), first, 'the same object again')
  t.not(router.find('GET', undefined, '/b', {}), first, 'one object per route path')
})

t.test('matchedLength is set by every successful find and left alone by a miss', async (t) => {
  const router = new Router(entriesOf([
    makeRoute('plain', { paths: ['/plain'] }),
    makeRoute('regex', { paths: ['~/re/\\d+'] }),
    makeRoute('host', { hosts: ['h.example'] })
  ]))
  router.find('GET', undefined, '/plain/x', {})
  t.equal(router.matchedLength, 6)
  router.find('GET', undefined, '/re/123/x', {})
  t.equal(router.matchedLength, 7)
  t.equal(router.find('GET', undefined, '/nothing', {}), null)
  t.equal(router.matchedLength, 7)
  router.find('GET', 'h.example', '/plain', {})
  t.equal(router.matchedLength, 0)
})

t.test('an empty router matches nothing', async (t) => {
  const router = new Router<string>([])
  t.equal(router.find('GET', 'a', '/', {}), null)
  t.equal(router.matchedLength, 0)
})

t.test('invalid regexes throw one ConfigError listing all of them', async (t) => {
  const routes = [
    makeRoute('bad-path', { paths: ['~/a/(unclosed', '/fine', '~/b/[z-a]'] }),
    makeRoute('bad-header', { headers: { 'x-v': ['~*(?<'] } }),
    makeRoute('good', { paths: ['~/ok/\\d+'] })
  ]
  try {
    // eslint-disable-next-line no-new
    new Router(entriesOf(routes))
    t.fail('should throw')
  } catch (err) {
    t.ok(err instanceof ConfigError)
    const error = err as ConfigError
    t.equal(error.code, 'CONFIG_INVALID')
    t.same(error.issues.map((i) => i.path), [
      'routes[bad-path].paths[0]',
      'routes[bad-path].paths[2]',
      'routes[bad-header].headers.x-v'
    ])
  }
})

t.test('a route with nothing to match on is refused', async (t) => {
  t.throws(() => new Router(entriesOf([makeRoute('nothing', { paths: [], hosts: [] })])), { code: 'CONFIG_INVALID' })
})

t.test('routes without paths: the host index and the other routes merge by rank', async (t) => {
  const router = new Router(entriesOf([
    makeRoute('exact', { hosts: ['a.example', 'b.example'] }),
    makeRoute('wild-get', { hosts: ['*.example'], methods: ['GET'] }),
    makeRoute('exact-port', { hosts: ['c.example:81'], methods: ['GET'] }),
    makeRoute('header', { headers: { 'x-h': ['1'] } })
  ]))
  t.equal(router.find('GET', 'a.example', '/', {})?.value, 'wild-get', 'weight 2 beats weight 1')
  t.equal(router.find('POST', 'a.example', '/', {})?.value, 'exact')
  t.equal(router.find('POST', 'b.example:9', '/', {})?.value, 'exact')
  t.equal(router.find('GET', 'c.example:81', '/', {})?.value, 'exact-port', 'plain host beats wildcard at weight 2')
  t.equal(router.find('GET', 'c.example:82', '/', {})?.value, 'wild-get')
  t.equal(router.find('POST', 'z.other', '/', { 'x-h': '1' })?.value, 'header')
  t.equal(router.find('POST', 'a.example', '/', { 'x-h': '1' })?.value, 'exact', 'plain hosts outrank headers at weight 1')
  t.equal(router.find('POST', undefined, '/', {}), null)
})

t.test('alternating Host headers are each parsed correctly', async (t) => {
  const router = new Router(entriesOf([
    makeRoute('a', { hosts: ['a.example'], paths: ['/'] }),
    makeRoute('b', { hosts: ['b.example:8000'], paths: ['/'] })
  ]))
  // 'A.EXAMPLE:1' matches nothing: Kong compares hosts case-sensitively
  const hosts = ['a.example', 'b.example:8000', 'A.EXAMPLE:1', 'a.example:1', 'b.example', undefined, 'b.example:8000']
  t.same(hosts.map((h) => router.find('GET', h, '/x', {})?.value ?? null), ['a', 'b', null, 'a', null, null, 'b'])
})

// ---- differential test against a naive reading of Kong's rules -------------------------------------
// Independent of src/router/precedence.ts: Kong's 64-bit priority (compat.lua get_priority) as a BigInt,
// one per route × path group, tried in descending (priority, id) order as atc-router does.

interface NaiveMatcher { priority: bigint, id: string, route: Route, paths: string[] | null }

function naivePriority (route: Route, paths: string[] | null): bigint {
  const hosts = route.hosts ?? []
  const headers = Object.keys(route.headers ?? {})
  const weight = BigInt(Number(route.methods !== null && route.methods.length > 0) + Number(hosts.length > 0) +
    Number(headers.length > 0) + Number(paths !== null))
  // `type(hosts) == "table"`: an empty list counts
  const plainHostOnly = route.hosts !== null && hosts.every((h) => !h.includes('*'))
  const regex = paths !== null && paths[0].startsWith('~')
  const length = paths === null || regex ? 0 : paths[0].length
  return (weight << 61n) | (BigInt(plainHostOnly) << 60n) | (BigInt(headers.length) << 52n) |
    (BigInt(regex) << 51n) | (BigInt(regex ? route.regex_priority : 0) << 19n) | BigInt(length)
}

function naiveMatchers (routes: Route[]): NaiveMatcher[] {
  const out: NaiveMatcher[] = []
  for (const route of routes) {
    const groups = new Map<string, string[]>()
    for (const p of route.paths ?? []) {
      const key = p.startsWith('~') ? 'regex' : String(p.length)
      groups.set(key, [...(groups.get(key) ?? []), p])
    }
    if (groups.size === 0) out.push({ priority: naivePriority(route, null), id: route.id, route, paths: null })
    for (const paths of groups.values()) out.push({ priority: naivePriority(route, paths), id: route.id, route, paths })
  }
  return out.sort((a, b) => (a.priority === b.priority ? (a.id < b.id ? 1 : -1) : (a.priority < b.priority ? 1 : -1)))
}

function naiveHostMatch (pattern: string, host: string | undefined): boolean {
  if (host === undefined) return false
  // case-sensitive: transform.lua compares http.host with `==`, `=^`, `^=` on the raw values
  const [pName, pPort] = pattern.split(':')
  const [hName, hPort] = host.split(':')
  if (pPort !== undefined && pPort !== hPort) return false
  if (pName.startsWith('*')) return hName.endsWith(pName.slice(1))
  if (pName.endsWith('*')) return hName.startsWith(pName.slice(0, -1))
  return pName === hName
}

function naiveFind (matchers: NaiveMatcher[], method: string, host: string | undefined, path: string,
  headers: IncomingHttpHeaders): { name: string, length: number } | null {
  for (const m of matchers) {
    const r = m.route
    if (r.methods !== null && r.methods.length > 0 && !r.methods.includes(method)) continue
    if (r.hosts !== null && r.hosts.length > 0 && !r.hosts.some((h) => naiveHostMatch(h, host))) continue
    const headersOk = Object.entries(r.headers ?? {}).every(([name, values]) => {
      const v = headers[name]
      return typeof v === 'string' && values.some((want) => want.toLowerCase() === v.toLowerCase())
    })
    if (!headersOk) continue
    if (m.paths === null) return { name: r.name!, length: 0 }
    for (const p of m.paths) {
      if (p.startsWith('~')) {
        const found = new RegExp('^(?:' + p.slice(1) + ')').exec(path)
        if (found !== null) return { name: r.name!, length: found[0].length }
      } else if (path.startsWith(p)) {
        return { name: r.name!, length: p.length }
      }
    }
  }
  return null
}

function pick<V> (random: () => number, list: readonly V[]): V {
  return list[Math.floor(random() * list.length)]
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays. */
function seeded (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6D2B79F5) | 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

t.test('random routes and requests: same answers as the naive reading of Kong\'s rules', async (t) => {
  const random = seeded(20240611)
  const segments = ['/a', '/ab', '/abc', '/b', '/b/c', '/api', '/api/v1', '/x/y/z', '/']
  const regexes = ['~/a/\\d+', '~/api/v\\d', '~/b.*', '~/x/(y|z)', '~/ab?c']
  const hosts = ['a.example', 'b.example', '*.example', 'a.*', 'a.example:8000', 'c.example', '*ample', '*.example:8000']
  const requestHosts = [undefined, 'a.example', 'A.Example:8000', 'b.example', 'z.example', 'a.org', 'c.example:1']
  const requestPaths = ['/', '/a', '/a/1', '/ab', '/abc/d', '/b', '/b/c/d', '/api/v1/x', '/api/v2', '/x/y/z', '/x/z', '/ac']
  for (let round = 0; round < 40; round++) {
    const routes: Route[] = []
    for (let i = 0; i < 25; i++) {
      const paths = random() < 0.8 ? Array.from({ length: 1 + Math.floor(random() * 2) }, () => random() < 0.3 ? pick(random, regexes) : pick(random, segments)) : null
      const fields: Partial<Route> = {
        paths,
        hosts: random() < 0.4 || paths === null ? [pick(random, hosts)] : (random() < 0.1 ? [] : null),
        methods: random() < 0.3 ? [pick(random, ['GET', 'POST'])] : null,
        headers: random() < 0.2 ? { 'x-t': [pick(random, ['1', '2'])] } : null,
        regex_priority: Math.floor(random() * 3)
      }
      routes.push(makeRoute(`r${round}-${i}`, fields))
    }
    const router = new Router(entriesOf(routes))
    const matchers = naiveMatchers(routes)
    for (let q = 0; q < 60; q++) {
      const method = pick(random, ['GET', 'POST'])
      const host = pick(random, requestHosts)
      const path = pick(random, requestPaths)
      const headers: IncomingHttpHeaders = random() < 0.5 ? { 'x-t': pick(random, ['1', '2']) } : {}
      const expected = naiveFind(matchers, method, host, path, headers)
      const match = router.find(method, host, path, headers)
      const label = `round ${round}: ${method} ${host} ${path} ${JSON.stringify(headers)}`
      if ((match?.value ?? null) !== (expected?.name ?? null)) {
        t.equal(match?.value ?? null, expected?.name ?? null, label)
      } else if (expected !== null && router.matchedLength !== expected.length) {
        t.equal(router.matchedLength, expected.length, `${label}: matched length`)
      }
    }
  }
  t.pass('compared 2400 lookups')
})
