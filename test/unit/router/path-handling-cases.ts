// Kong's path_handling examples as data, shared by the path-join unit test and the router conformance test.

export interface PathCase {
  readonly servicePath: string
  /** null: the route matches on its host, not a path */
  readonly routePath: string | null
  readonly request: string
  readonly upstream: string
  readonly strip: boolean
  readonly handling: 'v0' | 'v1'
}

type Row = [servicePath: string, routePath: string | null, request: string, upstream: string, strip: boolean]

function rows (handling: 'v0' | 'v1', list: Row[]): PathCase[] {
  return list.map(([servicePath, routePath, request, upstream, strip]) =>
    ({ servicePath, routePath, request, upstream, strip, handling }))
}

/**
 * Kong docs, Admin API "Route Object", path_handling table (every row). The row for route `/fv0/` with a
 * blank request reads `/s/fv01/` in the docs: a typo for `/s/fv0/` (v0 joins `/s` and `/fv0/`).
 */
export const DOCS_TABLE: readonly PathCase[] = [
  ...rows('v0', [
    ['/s', '/fv0', '/fv0/req', '/s/fv0/req', false],
    ['/s', '/fv0', '/fv0', '/s/fv0', false],
    ['/s', '/tv0', '/tv0/req', '/s/req', true],
    ['/s', '/tv0', '/tv0', '/s', true],
    ['/s', '/fv0/', '/fv0/req', '/s/fv0/req', false],
    ['/s', '/fv0/', '/fv0/', '/s/fv0/', false],
    ['/s', '/tv0/', '/tv0/req', '/s/req', true],
    ['/s', '/tv0/', '/tv0/', '/s/', true]
  ]),
  ...rows('v1', [
    ['/s', '/fv1', '/fv1/req', '/sfv1/req', false],
    ['/s', '/fv1', '/fv1', '/sfv1', false],
    ['/s', '/tv1', '/tv1/req', '/s/req', true],
    ['/s', '/tv1', '/tv1', '/s', true],
    ['/s', '/fv1/', '/fv1/req', '/sfv1/req', false],
    ['/s', '/fv1/', '/fv1/', '/sfv1/', false],
    ['/s', '/tv1/', '/tv1/req', '/sreq', true],
    ['/s', '/tv1/', '/tv1/', '/s', true]
  ])
]

/** Kong 3.x spec/01-unit/08-router_spec.lua, "slash handling" (v0, the default). */
export const KONG_V0_SPEC: readonly PathCase[] = rows('v0', [
  ['/', '/', '/', '/', true],
  ['/', '/', '/foo/bar', '/foo/bar', true],
  ['/', '/', '/foo/bar/', '/foo/bar/', true],
  ['/', '/foo/bar', '/foo/bar', '/', true],
  ['/', '/foo/bar/', '/foo/bar/', '/', true],
  ['/fee/bor', '/', '/', '/fee/bor', true],
  ['/fee/bor', '/', '/foo/bar', '/fee/bor/foo/bar', true],
  ['/fee/bor', '/', '/foo/bar/', '/fee/bor/foo/bar/', true],
  ['/fee/bor', '/foo/bar', '/foo/bar', '/fee/bor', true],
  ['/fee/bor', '/foo/bar/', '/foo/bar/', '/fee/bor/', true],
  ['/fee/bor/', '/', '/', '/fee/bor/', true],
  ['/fee/bor/', '/', '/foo/bar', '/fee/bor/foo/bar', true],
  ['/fee/bor/', '/', '/foo/bar/', '/fee/bor/foo/bar/', true],
  ['/fee/bor/', '/foo/bar', '/foo/bar', '/fee/bor', true],
  ['/fee/bor/', '/foo/bar/', '/foo/bar/', '/fee/bor/', true],
  ['/', '/', '/', '/', false],
  ['/', '/', '/foo/bar', '/foo/bar', false],
  ['/', '/', '/foo/bar/', '/foo/bar/', false],
  ['/', '/foo/bar', '/foo/bar', '/foo/bar', false],
  ['/', '/foo/bar/', '/foo/bar/', '/foo/bar/', false],
  ['/fee/bor', '/', '/', '/fee/bor', false],
  ['/fee/bor', '/', '/foo/bar', '/fee/bor/foo/bar', false],
  ['/fee/bor', '/', '/foo/bar/', '/fee/bor/foo/bar/', false],
  ['/fee/bor', '/foo/bar', '/foo/bar', '/fee/bor/foo/bar', false],
  ['/fee/bor', '/foo/bar/', '/foo/bar/', '/fee/bor/foo/bar/', false],
  ['/fee/bor/', '/', '/', '/fee/bor/', false],
  ['/fee/bor/', '/', '/foo/bar', '/fee/bor/foo/bar', false],
  ['/fee/bor/', '/', '/foo/bar/', '/fee/bor/foo/bar/', false],
  ['/fee/bor/', '/foo/bar', '/foo/bar', '/fee/bor/foo/bar', false],
  ['/fee/bor/', '/foo/bar/', '/foo/bar/', '/fee/bor/foo/bar/', false],
  ['/', '/', '/foo/bars', '/foo/bars', true],
  ['/', '/', '/foo/bar/s', '/foo/bar/s', true],
  ['/', '/foo/bar', '/foo/bars', '/s', true],
  ['/', '/foo/bar/', '/foo/bar/s', '/s', true],
  ['/fee/bor', '/', '/foo/bars', '/fee/bor/foo/bars', true],
  ['/fee/bor', '/', '/foo/bar/s', '/fee/bor/foo/bar/s', true],
  ['/fee/bor', '/foo/bar', '/foo/bars', '/fee/bor/s', true],
  ['/fee/bor', '/foo/bar/', '/foo/bar/s', '/fee/bor/s', true],
  ['/fee/bor/', '/', '/foo/bars', '/fee/bor/foo/bars', true],
  ['/fee/bor/', '/', '/foo/bar/s', '/fee/bor/foo/bar/s', true],
  ['/fee/bor/', '/foo/bar', '/foo/bars', '/fee/bor/s', true],
  ['/fee/bor/', '/foo/bar/', '/foo/bar/s', '/fee/bor/s', true],
  ['/', '/', '/foo/bars', '/foo/bars', false],
  ['/', '/', '/foo/bar/s', '/foo/bar/s', false],
  ['/', '/foo/bar', '/foo/bars', '/foo/bars', false],
  ['/', '/foo/bar/', '/foo/bar/s', '/foo/bar/s', false],
  ['/fee/bor', '/', '/foo/bars', '/fee/bor/foo/bars', false],
  ['/fee/bor', '/', '/foo/bar/s', '/fee/bor/foo/bar/s', false],
  ['/fee/bor', '/foo/bar', '/foo/bars', '/fee/bor/foo/bars', false],
  ['/fee/bor', '/foo/bar/', '/foo/bar/s', '/fee/bor/foo/bar/s', false],
  ['/fee/bor/', '/', '/foo/bars', '/fee/bor/foo/bars', false],
  ['/fee/bor/', '/', '/foo/bar/s', '/fee/bor/foo/bar/s', false],
  ['/fee/bor/', '/foo/bar', '/foo/bars', '/fee/bor/foo/bars', false],
  ['/fee/bor/', '/foo/bar/', '/foo/bar/s', '/fee/bor/foo/bar/s', false],
  // not in Kong's table: routes matched on their host (no path), worked out from get_upstream_uri_v0
  ['/', null, '/', '/', true],
  ['/', null, '/foo/bar', '/foo/bar', true],
  ['/fee/bor', null, '/', '/fee/bor', true],
  ['/fee/bor', null, '/foo/bar', '/fee/bor/foo/bar', true],
  ['/fee/bor', null, '/foo/bar/', '/fee/bor/foo/bar/', true],
  ['/fee/bor/', null, '/', '/fee/bor/', true],
  ['/fee/bor/', null, '/foo/bar', '/fee/bor/foo/bar', true],
  ['/fee/bor', null, '/foo/bar', '/fee/bor/foo/bar', false],
  ['/fee/bor/', null, '/', '/fee/bor/', false]
])

/**
 * The v1 rule (Kong 1.x, kept by Kong's `traditional` router): spec/01-unit/08-router_spec.lua
 * "build_upstream_uri" of Kong 1.x, including its host-matched rows.
 */
export const KONG_V1_SPEC: readonly PathCase[] = rows('v1', [
  ['/', '/', '/', '/', true],
  ['/', '/', '/foo/bar', '/foo/bar', true],
  ['/', '/', '/foo/bar/', '/foo/bar/', true],
  ['/', '/foo/bar', '/foo/bar', '/', true],
  ['/', '/foo/bar', '/foo/bar/', '/', true],
  ['/', '/foo/bar/', '/foo/bar/', '/', true],
  ['/fee/bor', '/', '/', '/fee/bor', true],
  ['/fee/bor', '/', '/foo/bar', '/fee/borfoo/bar', true],
  ['/fee/bor', '/', '/foo/bar/', '/fee/borfoo/bar/', true],
  ['/fee/bor', '/foo/bar', '/foo/bar', '/fee/bor', true],
  ['/fee/bor', '/foo/bar', '/foo/bar/', '/fee/bor/', true],
  ['/fee/bor', '/foo/bar/', '/foo/bar/', '/fee/bor', true],
  ['/fee/bor/', '/', '/', '/fee/bor/', true],
  ['/fee/bor/', '/', '/foo/bar', '/fee/bor/foo/bar', true],
  ['/fee/bor/', '/', '/foo/bar/', '/fee/bor/foo/bar/', true],
  ['/fee/bor/', '/foo/bar', '/foo/bar', '/fee/bor/', true],
  ['/fee/bor/', '/foo/bar', '/foo/bar/', '/fee/bor/', true],
  ['/fee/bor/', '/foo/bar/', '/foo/bar/', '/fee/bor/', true],
  ['/', '/', '/', '/', false],
  ['/', '/', '/foo/bar', '/foo/bar', false],
  ['/', '/', '/foo/bar/', '/foo/bar/', false],
  ['/', '/foo/bar', '/foo/bar', '/foo/bar', false],
  ['/', '/foo/bar', '/foo/bar/', '/foo/bar/', false],
  ['/', '/foo/bar/', '/foo/bar/', '/foo/bar/', false],
  ['/fee/bor', '/', '/', '/fee/bor', false],
  ['/fee/bor', '/', '/foo/bar', '/fee/borfoo/bar', false],
  ['/fee/bor', '/', '/foo/bar/', '/fee/borfoo/bar/', false],
  ['/fee/bor', '/foo/bar', '/foo/bar', '/fee/borfoo/bar', false],
  ['/fee/bor', '/foo/bar', '/foo/bar/', '/fee/borfoo/bar/', false],
  ['/fee/bor', '/foo/bar/', '/foo/bar/', '/fee/borfoo/bar/', false],
  ['/fee/bor/', '/', '/', '/fee/bor/', false],
  ['/fee/bor/', '/', '/foo/bar', '/fee/bor/foo/bar', false],
  ['/fee/bor/', '/', '/foo/bar/', '/fee/bor/foo/bar/', false],
  ['/fee/bor/', '/foo/bar', '/foo/bar', '/fee/bor/foo/bar', false],
  ['/fee/bor/', '/foo/bar', '/foo/bar/', '/fee/bor/foo/bar/', false],
  ['/fee/bor/', '/foo/bar/', '/foo/bar/', '/fee/bor/foo/bar/', false],
  ['/', '/', '/foo/bars', '/foo/bars', true],
  ['/', '/', '/foo/bar/s', '/foo/bar/s', true],
  ['/', '/foo/bar', '/foo/bars', '/s', true],
  ['/', '/foo/bar/', '/foo/bar/s', '/s', true],
  ['/fee/bor', '/', '/foo/bars', '/fee/borfoo/bars', true],
  ['/fee/bor', '/', '/foo/bar/s', '/fee/borfoo/bar/s', true],
  ['/fee/bor', '/foo/bar', '/foo/bars', '/fee/bors', true],
  ['/fee/bor', '/foo/bar/', '/foo/bar/s', '/fee/bors', true],
  ['/fee/bor/', '/', '/foo/bars', '/fee/bor/foo/bars', true],
  ['/fee/bor/', '/', '/foo/bar/s', '/fee/bor/foo/bar/s', true],
  ['/fee/bor/', '/foo/bar', '/foo/bars', '/fee/bor/s', true],
  ['/fee/bor/', '/foo/bar/', '/foo/bar/s', '/fee/bor/s', true],
  ['/', '/', '/foo/bars', '/foo/bars', false],
  ['/', '/', '/foo/bar/s', '/foo/bar/s', false],
  ['/', '/foo/bar', '/foo/bars', '/foo/bars', false],
  ['/', '/foo/bar/', '/foo/bar/s', '/foo/bar/s', false],
  ['/fee/bor', '/', '/foo/bars', '/fee/borfoo/bars', false],
  ['/fee/bor', '/', '/foo/bar/s', '/fee/borfoo/bar/s', false],
  ['/fee/bor', '/foo/bar', '/foo/bars', '/fee/borfoo/bars', false],
  ['/fee/bor', '/foo/bar/', '/foo/bar/s', '/fee/borfoo/bar/s', false],
  ['/fee/bor/', '/', '/foo/bars', '/fee/bor/foo/bars', false],
  ['/fee/bor/', '/', '/foo/bar/s', '/fee/bor/foo/bar/s', false],
  ['/fee/bor/', '/foo/bar', '/foo/bars', '/fee/bor/foo/bars', false],
  ['/fee/bor/', '/foo/bar/', '/foo/bar/s', '/fee/bor/foo/bar/s', false],
  ['/', null, '/', '/', false],
  ['/', null, '/foo/bar', '/foo/bar', false],
  ['/', null, '/foo/bar/', '/foo/bar/', false],
  ['/fee/bor', null, '/', '/fee/bor', false],
  ['/fee/bor', null, '/foo/bar', '/fee/borfoo/bar', false],
  ['/fee/bor', null, '/foo/bar/', '/fee/borfoo/bar/', false],
  ['/fee/bor/', null, '/', '/fee/bor/', false],
  ['/fee/bor/', null, '/foo/bar', '/fee/bor/foo/bar', false],
  ['/fee/bor/', null, '/foo/bar/', '/fee/bor/foo/bar/', false],
  ['/', null, '/', '/', true],
  ['/', null, '/foo/bar', '/foo/bar', true],
  ['/', null, '/foo/bar/', '/foo/bar/', true],
  ['/fee/bor', null, '/', '/fee/bor', true],
  ['/fee/bor', null, '/foo/bar', '/fee/borfoo/bar', true],
  ['/fee/bor', null, '/foo/bar/', '/fee/borfoo/bar/', true],
  ['/fee/bor/', null, '/', '/fee/bor/', true],
  ['/fee/bor/', null, '/foo/bar', '/fee/bor/foo/bar', true],
  ['/fee/bor/', null, '/foo/bar/', '/fee/bor/foo/bar/', true]
])

export function describeCase (c: PathCase): string {
  const route = c.routePath === null ? '(host route)' : c.routePath
  return `${c.handling} strip=${c.strip} service ${c.servicePath} + route ${route} + request ${c.request} → ${c.upstream}`
}
