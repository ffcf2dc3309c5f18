// The upstream entity (kong/db/schema/entities/upstreams.lua): a virtual host name that services put in
// their `host` to be balanced over the upstream's targets, with the algorithm, the hash inputs of
// consistent hashing, and health checks (healthchecks.ts). Its targets may be nested (decK's form).

import { allOf, conditional, distinct, type RecordCheck } from './checks.ts'
import { healthchecks } from './healthchecks.ts'
import { normalizeHostPort } from './host-port.ts'
import { target } from './target.ts'
import { annotations, cookieName, foreign, headerName, path, tags, timestamp, uuid } from './typedefs.ts'
import type { FieldSchema, RecordField, Shorthand } from './engine.ts'

export const ALGORITHMS = ['round-robin', 'consistent-hashing', 'least-connections', 'latency'] as const
export const HASH_INPUTS = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'] as const

/** upstreams.lua validate_name: a host name, neither an IP address nor with a port. */
function nameProblem (value: string): string | null {
  const address = normalizeHostPort(value)
  if (typeof address === 'string') return `Invalid name ('${value}'); must be a valid hostname`
  if (address.type !== 'name') return `Invalid name ('${value}'); no ip addresses allowed`
  return address.port === null ? null : `Invalid name ('${value}'); no port allowed`
}

/** typedefs.lua validate_host_with_optional_port: normalize_ip's own error */
function hostWithOptionalPort (value: string): string | null {
  const address = normalizeHostPort(value)
  return typeof address === 'string' ? address : null
}

const hashInput: FieldSchema = { type: 'string', default: 'none', one_of: HASH_INPUTS }
const param: FieldSchema = { type: 'string', len_min: 1 }

/** upstreams.lua entity_checks, in Kong's order */
const checks: RecordCheck = allOf(
  conditional('hash_on', 'header', 'hash_on_header', { required: true }),
  conditional('hash_fallback', 'header', 'hash_fallback_header', { required: true }),
  conditional('hash_on', 'cookie', 'hash_on_cookie', { required: true }),
  conditional('hash_fallback', 'cookie', 'hash_on_cookie', { required: true }),
  conditional('hash_on', 'none', 'hash_fallback', { oneOf: ['none'] }),
  // hashing on a cookie sets one when it is missing, so there is nothing to fall back to
  conditional('hash_on', 'cookie', 'hash_fallback', { oneOf: ['none'] }),
  // the fallback differs from hash_on (headers, query args and captures may differ by name)
  conditional('hash_on', 'consumer', 'hash_fallback', { oneOf: HASH_INPUTS.filter((input) => input !== 'consumer') }),
  conditional('hash_on', 'ip', 'hash_fallback', { oneOf: HASH_INPUTS.filter((input) => input !== 'ip') }),
  conditional('hash_on', 'path', 'hash_fallback', { oneOf: HASH_INPUTS.filter((input) => input !== 'path') }),
  distinct('hash_on_header', 'hash_fallback_header'),
  conditional('hash_on', 'query_arg', 'hash_on_query_arg', { required: true }),
  conditional('hash_fallback', 'query_arg', 'hash_fallback_query_arg', { required: true }),
  distinct('hash_on_query_arg', 'hash_fallback_query_arg'),
  conditional('hash_on', 'uri_capture', 'hash_on_uri_capture', { required: true }),
  conditional('hash_fallback', 'uri_capture', 'hash_fallback_uri_capture', { required: true }),
  distinct('hash_on_uri_capture', 'hash_fallback_uri_capture')
)

/**
 * upstreams.lua shorthand_fields, Kong's backward compatibility between the two fields: least-connections
 * and latency reset hash_on; then a hash_on other than none makes the algorithm consistent-hashing, and
 * none makes it round-robin. An algorithm given without hash_on is kept as given.
 */
const shorthands: readonly Shorthand[] = [
  {
    name: 'algorithm',
    schema: { type: 'string' },
    expand: (value) => value === 'least-connections' || value === 'latency' ? { algorithm: value, hash_on: null } : { algorithm: value },
  },
  {
    name: 'hash_on',
    schema: { type: 'string' },
    expand: (value) => ({ hash_on: value, algorithm: value === 'none' ? 'round-robin' : 'consistent-hashing' }),
  },
]

export const upstream: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    name: { type: 'string', required: true, custom: nameProblem },
    algorithm: { type: 'string', default: 'round-robin', one_of: ALGORITHMS },
    hash_on: hashInput,
    hash_fallback: hashInput,
    hash_on_header: headerName,
    hash_fallback_header: headerName,
    hash_on_cookie: cookieName,
    hash_on_cookie_path: { ...path, default: '/' },
    hash_on_query_arg: param,
    hash_fallback_query_arg: param,
    hash_on_uri_capture: param,
    hash_fallback_uri_capture: param,
    slots: { type: 'integer', default: 10000, between: [10, 2 ** 16] },
    healthchecks,
    tags,
    host_header: { type: 'string', custom: hostWithOptionalPort },
    // a certificates entity, by id: presented to the targets (kong/runloop/upstream_ssl.lua fallback_upstream_client_cert)
    client_certificate: foreign,
    use_srv_name: { type: 'boolean', default: false },
    targets: { type: 'array', elements: target },
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
  shorthands,
  checks,
}
