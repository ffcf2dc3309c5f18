// The service entity (Kong's kong/db/schema/entities/services.lua): an HTTP or HTTPS upstream, given by
// the `url` shorthand or by protocol/host/port/path. Nested routes and plugins are allowed, as in Kong.

import { annotations, foreign, host, httpProtocol, name, port, tags, timeout, timestamp, uuid } from './typedefs.ts'
import { plugin } from './plugin.ts'
import { route } from './route.ts'
import { tlsOnlyForHttps, tlsVerify, tlsVerifyDepth } from './service-tls.ts'
import type { RecordField } from './engine.ts'

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

// The path as written after the authority: "http://h" has none (null), "http://h/" has "/".
const URL_PATH = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/

/**
 * Kong's `url` shorthand (kong/db/schema/entities/services.lua): it writes all four parts and wins over
 * any of them given beside it; a url without a port gets its scheme's (80, 443), one without a path
 * resets path to null.
 */
function expandUrl (value: unknown): Record<string, unknown> {
  const url = URL.parse(value as string) as URL
  const protocol = url.protocol.slice(0, -1)
  const port = url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port)
  return { protocol, host: url.hostname, port, path: URL_PATH.exec(value as string)?.[1] ?? null }
}

export const service: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    name,
    protocol: { type: 'string', default: 'http', custom: httpProtocol },
    host: { ...host, required: true },
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
    // a certificates entity, by id (resolve-certificates.ts)
    client_certificate: foreign,
    tls_verify: tlsVerify,
    tls_verify_depth: tlsVerifyDepth,
    // ca_certificates ids (services.lua: an array of uuids; resolve-certificates.ts checks each exists)
    ca_certificates: { type: 'array', elements: uuid },
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
  shorthands: [{ name: 'url', schema: { type: 'string', custom: serviceUrl }, expand: expandUrl }],
  checks: tlsOnlyForHttps,
}
