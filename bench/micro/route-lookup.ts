// Micro benchmark: Router#find over 1,000 routes of mixed kinds (plain prefixes, host + path, regex,
// host only, wildcard host, headers). Prints ns per find() for a plain prefix hit, a host + path hit,
// a regex hit and a miss (median of several timed rounds).
// Run: node bench/micro/route-lookup.ts [iterations per round, default 200000]

import type { IncomingHttpHeaders } from 'node:http'
import type { Route } from '../../src/config/types.ts'
import { Router } from '../../src/router/router.ts'
import { makeRoute } from '../../test/unit/router/route-fixture.ts'

const ITERATIONS = Number(process.argv[2] ?? 200_000)
const ROUNDS = 7

// the router tests' fixture: a Route with Kong's defaults and a fresh id
function route (i: number, fields: Partial<Route>): Route {
  return makeRoute(`route-${i}`, fields)
}

function routes (): Route[] {
  const list: Route[] = []
  let i = 0
  for (let k = 0; k < 500; k++) list.push(route(i++, { paths: [`/svc${k}/v1`], methods: k % 4 === 0 ? ['GET', 'POST'] : null }))
  for (let k = 0; k < 200; k++) list.push(route(i++, { hosts: [`h${k}.example.com`], paths: ['/api'] }))
  for (let k = 0; k < 100; k++) list.push(route(i++, { paths: [`~/r${k}/\\d+/items`] }))
  for (let k = 0; k < 100; k++) list.push(route(i++, { hosts: [`only${k}.example.org`] }))
  for (let k = 0; k < 50; k++) list.push(route(i++, { hosts: [`*.w${k}.example.net`], paths: ['/'] }))
  for (let k = 0; k < 50; k++) list.push(route(i++, { headers: { 'x-tenant': [`t${k}`] }, paths: ['/tenant'] }))
  return list
}

interface Scenario {
  readonly name: string
  readonly host: string
  readonly path: string
  readonly expect: string | null
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'plain prefix hit', host: 'gateway.local', path: '/svc250/v1/users/42', expect: 'route-250' },
  { name: 'host + path hit', host: 'h100.example.com:8000', path: '/api/orders', expect: 'route-600' },
  { name: 'regex hit', host: 'gateway.local', path: '/r50/12345/items/7', expect: 'route-750' },
  { name: 'miss', host: 'nobody.example', path: '/nothing/here', expect: null }
]

function nsPerFind (router: Router<string>, s: Scenario, headers: IncomingHttpHeaders): number {
  let sink = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) {
    if (router.find('GET', s.host, s.path, headers) !== null) sink += router.matchedLength
  }
  const elapsed = Number(process.hrtime.bigint() - start)
  if (sink < 0) console.log(sink) // keeps the loop observable
  return elapsed / ITERATIONS
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const list = routes()
const router = new Router(list.map((r) => ({ route: r, value: r.name! })))
const headers: IncomingHttpHeaders = { accept: '*/*', 'user-agent': 'bench' }

for (const s of SCENARIOS) {
  const got = router.find('GET', s.host, s.path, headers)?.value ?? null
  if (got !== s.expect) throw new Error(`${s.name}: expected ${s.expect}, got ${got}`)
}

const rows = SCENARIOS.map((s) => {
  nsPerFind(router, s, headers) // warm-up
  const samples = Array.from({ length: ROUNDS }, () => nsPerFind(router, s, headers))
  return { scenario: s.name, 'ns/find (median)': Number(median(samples).toFixed(1)), min: Number(Math.min(...samples).toFixed(1)) }
})

console.log(`Router#find, ${list.length} routes, ${ITERATIONS} lookups × ${ROUNDS} rounds, node ${process.version}`)
console.table(rows)
