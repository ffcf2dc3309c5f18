// The service entity (Kong's kong/db/schema/entities/services.lua): an HTTP or HTTPS upstream, given by
// the `url` shorthand or by protocol/host/port/path. Nested routes and plugins are allowed, as in Kong.

import { allOf, atLeastOneOf, isSet } from './checks.ts'
import { annotations, host, httpProtocol, name, port, tags, timeout, timestamp, unsupported, uuid } from './fields.ts'
import { plugin } from './plugin.ts'
import { route } from './route.ts'
import { tlsOnlyForHttps, tlsVerify, tlsVerifyDepth } from './service-tls.ts'
import type { ConfigIssue } from '../../core/errors.ts'
import type { RecordField } from './typedefs.ts'

function serviceUrl (value: string): string | null {
  const url = URL.parse(value)
  if (url === null || url.hostname === '') return `invalid url: ${value}`
  const protocol = url.protocol.slice(0, -1)
  const problem = httpProtocol(protocol)
  if (problem !== null) return problem
  if (url.username !== '' || url.password !== '') return 'url must not contain credentials'
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    return 'url must not contain a query string or a fragment'
  }
  return null
}

function servicePath (value: string): string | null {
  if (!value.startsWith('/')) return 'should start with: /'
  return value.includes('//') ? 'must not have empty segments' : null
}

const URL_PARTS = ['protocol', 'host', 'port', 'path']

/** `url` writes protocol, host, port and path; giving both would leave one of them silently ignored. */
function urlAlone (service: Record<string, unknown>): ConfigIssue[] {
  if (!isSet(service.url)) return []
  const also = URL_PARTS.filter((field) => isSet(service[field]))
  return also.length === 0 ? [] : [{ path: '', message: `url cannot be combined with ${also.join(', ')}` }]
}

export const service: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    name,
    /** shorthand for protocol, host, port (80 or 443 by scheme) and path */
    url: { type: 'string', custom: serviceUrl },
    protocol: { type: 'string', custom: httpProtocol },
    host,
    port,
    path: { type: 'string', custom: servicePath },
    retries: { type: 'integer', default: 5, between: [0, 32767] },
    connect_timeout: timeout,
    write_timeout: timeout,
    read_timeout: timeout,
    enabled: { type: 'boolean', required: true, default: true },
    tags,
    routes: { type: 'array', elements: route },
    plugins: { type: 'array', elements: plugin },
    client_certificate: unsupported('client certificates are'),
    tls_verify: tlsVerify,
    tls_verify_depth: tlsVerifyDepth,
    ca_certificates: unsupported('ca_certificates are'),
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
  checks: allOf(atLeastOneOf('url', 'host'), urlAlone, tlsOnlyForHttps),
}
