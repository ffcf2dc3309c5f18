// The labels a route's metrics carry (Kong's prometheus: service name or host, route name or id, and with
// per_consumer the consumer's username) and the fixed-size key both threads derive from them to find the
// series in the directory.

import { createHash } from 'node:crypto'
import type { Route, Service } from '../config/types.ts'

export interface SeriesLabels {
  readonly service: string
  readonly route: string
  /** '' for a route's own series; a username for a per-consumer one (status and bandwidth only) */
  readonly consumer: string
}

export function seriesLabels (route: Route, service: Service, consumer = ''): SeriesLabels {
  return { service: service.name ?? service.host, route: route.name ?? route.id, consumer }
}

/**
 * 32 hex digits. A newline cannot appear in a name or host, so the service and route parts are never
 * ambiguous, and a consumer's username (anything) is the whole rest; a route's own series keeps the
 * two-part input it always had.
 */
export function seriesKey (labels: SeriesLabels): string {
  const input = labels.consumer === ''
    ? `${labels.service}\n${labels.route}`
    : `${labels.service}\n${labels.route}\n${labels.consumer}`
  return createHash('md5').update(input).digest('hex')
}
