// Kong's path handling fixture as data: spec/fixtures/router_path_handling_tests.lua, every row, in its
// order (service path, route path or null for a host route, strip_path, path_handling, request, upstream).
// 'both' stands for the fixture's {false, true} / {"v0", "v1"}: the row holds for each value.
// Kong's spec/01-unit/08-router_spec.lua runs every expanded row under `traditional`, and only the v0 rows
// under `traditional_compatible` (whose router builds every path with v0).

export type Both<V> = V | 'both'

export type FixtureRow = [servicePath: string, routePath: string | null, strip: Both<boolean>,
  handling: Both<'v0' | 'v1'>, request: string, upstream: string]

export interface FixtureCase {
  readonly line: number
  readonly servicePath: string
  readonly routePath: string | null
  readonly strip: boolean
  readonly handling: 'v0' | 'v1'
  /** as sent: not normalised */
  readonly request: string
  readonly upstream: string
}

export const KONG_PATH_HANDLING_FIXTURE: readonly FixtureRow[] = [
  ['/', '/', 'both', 'both', '/', '/'],
  ['/', '/', 'both', 'both', '/route', '/route'],
  ['/', '/', 'both', 'both', '/route/', '/route/'],
  ['/', '/', 'both', 'both', '/routereq', '/routereq'],
  ['/', '/', 'both', 'both', '/route/req', '/route/req'],
  ['/', '/route', false, 'both', '/route', '/route'],
  ['/', '/route', false, 'both', '/route/', '/route/'],
  ['/', '/route', false, 'both', '/routereq', '/routereq'],
  ['/', '/route', true, 'both', '/route', '/'],
  ['/', '/route', true, 'both', '/route/', '/'],
  ['/', '/route', true, 'both', '/routereq', '/req'],
  ['/', '/route/', false, 'both', '/route/', '/route/'],
  ['/', '/route/', false, 'both', '/route/req', '/route/req'],
  ['/', '/route/', true, 'both', '/route/', '/'],
  ['/', '/route/', true, 'both', '/route/req', '/req'],
  ['/srv', '/rou', false, 'v0', '/roureq', '/srv/roureq'],
  ['/srv', '/rou', false, 'v1', '/roureq', '/srvroureq'],
  ['/srv', '/rou', true, 'v0', '/roureq', '/srv/req'],
  ['/srv', '/rou', true, 'v1', '/roureq', '/srvreq'],
  ['/srv/', '/rou', false, 'both', '/rou', '/srv/rou'],
  ['/srv/', '/rou', true, 'v0', '/rou', '/srv'],
  ['/srv/', '/rou', true, 'v1', '/rou', '/srv/'],
  ['/service', '/', 'both', 'both', '/', '/service'],
  ['/service', '/', 'both', 'v0', '/route', '/service/route'],
  ['/service', '/', 'both', 'v1', '/route', '/serviceroute'],
  ['/service', '/', 'both', 'v0', '/route/', '/service/route/'],
  ['/service', '/', 'both', 'v1', '/route/', '/serviceroute/'],
  ['/service', '/', 'both', 'v0', '/routereq', '/service/routereq'],
  ['/service', '/', 'both', 'v1', '/routereq', '/serviceroutereq'],
  ['/service', '/', 'both', 'v0', '/route/req', '/service/route/req'],
  ['/service', '/', 'both', 'v1', '/route/req', '/serviceroute/req'],
  ['/service', '/route', false, 'v0', '/route', '/service/route'],
  ['/service', '/route', false, 'v1', '/route', '/serviceroute'],
  ['/service', '/route', false, 'v0', '/route/', '/service/route/'],
  ['/service', '/route', false, 'v1', '/route/', '/serviceroute/'],
  ['/service', '/route', false, 'v0', '/routereq', '/service/routereq'],
  ['/service', '/route', false, 'v1', '/routereq', '/serviceroutereq'],
  ['/service', '/route', true, 'both', '/route', '/service'],
  ['/service', '/route', true, 'both', '/route/', '/service/'],
  ['/service', '/route', true, 'v0', '/routereq', '/service/req'],
  ['/service', '/route', true, 'v1', '/routereq', '/servicereq'],
  ['/service', '/route/', false, 'v0', '/route/', '/service/route/'],
  ['/service', '/route/', false, 'v1', '/route/', '/serviceroute/'],
  ['/service', '/route/', false, 'v0', '/route/req', '/service/route/req'],
  ['/service', '/route/', false, 'v1', '/route/req', '/serviceroute/req'],
  ['/service', '/route/', true, 'v0', '/route/', '/service/'],
  ['/service', '/route/', true, 'v1', '/route/', '/service'],
  ['/service', '/route/', true, 'v0', '/route/req', '/service/req'],
  ['/service', '/route/', true, 'v1', '/route/req', '/servicereq'],
  ['/service/', '/', 'both', 'v0', '/route/', '/service/route/'],
  ['/service/', '/', 'both', 'v1', '/route/', '/service/route/'],
  ['/service/', '/', 'both', 'both', '/', '/service/'],
  ['/service/', '/', 'both', 'both', '/route', '/service/route'],
  ['/service/', '/', 'both', 'both', '/routereq', '/service/routereq'],
  ['/service/', '/', 'both', 'both', '/route/req', '/service/route/req'],
  ['/service/', '/route', false, 'both', '/route', '/service/route'],
  ['/service/', '/route', false, 'both', '/route/', '/service/route/'],
  ['/service/', '/route', false, 'both', '/routereq', '/service/routereq'],
  ['/service/', '/route', true, 'v0', '/route', '/service'],
  ['/service/', '/route', true, 'v1', '/route', '/service/'],
  ['/service/', '/route', true, 'both', '/route/', '/service/'],
  ['/service/', '/route', true, 'both', '/routereq', '/service/req'],
  ['/service/', '/route/', false, 'both', '/route/', '/service/route/'],
  ['/service/', '/route/', false, 'both', '/route/req', '/service/route/req'],
  ['/service/', '/route/', true, 'both', '/route/', '/service/'],
  ['/service/', '/route/', true, 'both', '/route/req', '/service/req'],
  ['/', null, 'both', 'both', '/', '/'],
  ['/', null, 'both', 'both', '/route', '/route'],
  ['/', null, 'both', 'both', '/route/', '/route/'],
  ['/service', null, 'both', 'both', '/', '/service'],
  ['/service', null, 'both', 'v0', '/route', '/service/route'],
  ['/service', null, 'both', 'v1', '/route', '/serviceroute'],
  ['/service', null, 'both', 'v0', '/route/', '/service/route/'],
  ['/service', null, 'both', 'v1', '/route/', '/serviceroute/'],
  ['/service/', null, 'both', 'both', '/', '/service/'],
  ['/service/', null, 'both', 'both', '/route', '/service/route'],
  ['/service/', null, 'both', 'both', '/route/', '/service/route/'],
  ['/service', '/route', true, 'v0', '/route./req', '/service/req'],
  ['/service', '/route', true, 'v1', '/route./req', '/servicereq'],
  ['/service/', '/route', true, 'both', '/route./req', '/service/req'],
  ['/service', '/route', true, 'v0', '/route%2E/req', '/service/req'],
  ['/service', '/route', true, 'v1', '/route%2E/req', '/servicereq'],
  ['/service/', '/route', true, 'both', '/route%2E/req', '/service/req'],
  ['/service', '/route', true, 'v0', '/route%2e/req', '/service/req'],
  ['/service', '/route', true, 'v1', '/route%2e/req', '/servicereq'],
  ['/service/', '/route', true, 'both', '/route%2e/req', '/service/req'],
  ['/service', '/route', true, 'v0', '/route../req', '/service/req'],
  ['/service', '/route', true, 'v1', '/route../req', '/servicereq'],
  ['/service/', '/route', true, 'both', '/route../req', '/service/req'],
  ['/service', '/route', true, 'v0', '/route%2E%2E/req', '/service/req'],
  ['/service', '/route', true, 'v1', '/route%2E%2E/req', '/servicereq'],
  ['/service/', '/route', true, 'both', '/route%2E%2E/req', '/service/req'],
  ['/service', '/route', true, 'v0', '/route%2e%2E/req', '/service/req'],
  ['/service', '/route', true, 'v1', '/route%2e%2E/req', '/servicereq'],
  ['/service/', '/route', true, 'both', '/route%2e%2E/req', '/service/req'],
  ['/service', '/route', false, 'v0', '/route./req', '/service/route./req'],
  ['/service', '/route', false, 'v1', '/route./req', '/serviceroute./req'],
  ['/service/', '/route', false, 'both', '/route./req', '/service/route./req'],
  ['/service', '/route', false, 'v0', '/route%2E/req', '/service/route./req'],
  ['/service', '/route', false, 'v1', '/route%2E/req', '/serviceroute./req'],
  ['/service/', '/route', false, 'both', '/route%2E/req', '/service/route./req'],
  ['/service', '/route', false, 'v0', '/route%2e/req', '/service/route./req'],
  ['/service', '/route', false, 'v1', '/route%2e/req', '/serviceroute./req'],
  ['/service/', '/route', false, 'both', '/route%2e/req', '/service/route./req'],
  ['/service', '/route', false, 'v0', '/route../req', '/service/route../req'],
  ['/service', '/route', false, 'v1', '/route../req', '/serviceroute../req'],
  ['/service/', '/route', false, 'both', '/route../req', '/service/route../req'],
  ['/service', '/route', false, 'v0', '/route%2E%2E/req', '/service/route../req'],
  ['/service', '/route', false, 'v1', '/route%2E%2E/req', '/serviceroute../req'],
  ['/service/', '/route', false, 'both', '/route%2E%2E/req', '/service/route../req'],
  ['/service', '/route', false, 'v0', '/route%2e%2E/req', '/service/route../req'],
  ['/service', '/route', false, 'v1', '/route%2e%2E/req', '/serviceroute../req'],
  ['/service/', '/route', false, 'both', '/route%2e%2E/req', '/service/route../req'],
]

/** The fixture's `line:expand()`: one case per strip_path and path_handling value. */
export function expandFixture (): FixtureCase[] {
  const out: FixtureCase[] = []
  KONG_PATH_HANDLING_FIXTURE.forEach(([servicePath, routePath, strip, handling, request, upstream], i) => {
    for (const s of strip === 'both' ? [false, true] : [strip]) {
      for (const h of handling === 'both' ? ['v0', 'v1'] as const : [handling]) {
        out.push({ line: i + 1, servicePath, routePath, strip: s, handling: h, request, upstream })
      }
    }
  })
  return out
}
