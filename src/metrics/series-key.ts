// The labels a route's metrics carry (Kong's prometheus: service name or host, route name or id) and the
// fixed-size key both threads derive from them to find the route's series in the directory.

import { createHash } from 'node:crypto'
import type { Route, Service } from '../config/types.ts'

export interface SeriesLabels {
  readonly service: string
  readonly route: string
}

export function seriesLabels (route: Route, service: Service): SeriesLabels {
  return { service: service.name ?? service.host, route: route.name ?? route.id }
}

/** 32 hex digits; a newline cannot appear in a name or host, so distinct label pairs give distinct input */
export function seriesKey (labels: SeriesLabels): string {
  return createHash('md5').update(`${labels.service}\n${labels.route}`).digest('hex')
}
