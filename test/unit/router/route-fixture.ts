// Builds loaded-config Route objects for router tests: Kong's defaults, plus the fields a case sets.

import type { Route } from '../../../src/config/types.ts'

let sequence = 0

/** A route named `name` with Kong's defaults; `id` is a fresh UUID unless given. */
export function makeRoute (name: string, fields: Partial<Route> = {}): Route {
  sequence++
  return {
    id: `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`,
    name,
    service: null,
    protocols: ['http', 'https'],
    methods: null,
    hosts: null,
    paths: null,
    headers: null,
    snis: null,
    strip_path: true,
    preserve_host: false,
    path_handling: 'v0',
    regex_priority: 0,
    https_redirect_status_code: 426,
    request_buffering: true,
    response_buffering: true,
    tags: null,
    created_at: 1700000000,
    updated_at: 1700000000,
    ...fields
  }
}

/** Router entries whose value is the route name, so a test can assert which route won. */
export function entriesOf (routes: readonly Route[]): Array<{ route: Route, value: string }> {
  return routes.map((route) => ({ route, value: route.name ?? route.id }))
}
