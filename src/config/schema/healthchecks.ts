// An upstream's `healthchecks` record (kong/db/schema/entities/upstreams.lua: healthchecks_config, types,
// gen_fields): active probes and passive counting, each with healthy/unhealthy thresholds, and the
// `threshold` percentage of healthy weight under which the whole upstream counts as unhealthy. Every
// record has its defaults filled in, as Kong's do, so a loaded upstream always has the complete record.

import { validate, type FieldSchema, type NumberField, type RecordField } from './engine.ts'
import { normalizeHostPort } from './host-port.ts'
import { headerName, path } from './typedefs.ts'

const seconds = (value: number): NumberField => ({ type: 'number', default: value, between: [0, 65535] })
const count = (value: number): NumberField => ({ type: 'integer', default: value, between: [0, 255] })
const statuses = (values: readonly number[]): FieldSchema => ({
  type: 'array', default: values, elements: { type: 'integer', between: [100, 999] },
})
const checkType: FieldSchema = { type: 'string', default: 'http', one_of: ['tcp', 'http', 'https', 'grpc', 'grpcs'] }

/** typedefs.lua validate_sni: a name without a port. */
function sniProblem (value: string): string | null {
  const address = normalizeHostPort(value)
  if (typeof address === 'string') return address === 'invalid port number' ? 'must not have a port' : `invalid value: ${value}`
  if (address.type !== 'name') return 'must not be an IP'
  return address.port === null ? null : 'must not have a port'
}

/** A record whose own default is what its fields default to: null or absent, it is filled the same way. */
function defaulted (fields: Readonly<Record<string, FieldSchema>>): RecordField {
  const record: RecordField = { type: 'record', fields }
  return { ...record, default: validate(record, {}, '').value as Record<string, unknown> }
}

const active = defaulted({
  type: checkType,
  timeout: seconds(1),
  concurrency: { type: 'integer', default: 10, between: [1, 2 ** 31] },
  http_path: { ...path, default: '/' },
  https_sni: { type: 'string', custom: sniProblem },
  https_verify_certificate: { type: 'boolean', default: true, required: true },
  headers: { type: 'map', keys: headerName, values: { type: 'array', elements: { type: 'string' } } },
  healthy: defaulted({
    // 0: no probing of healthy targets
    interval: seconds(0),
    http_statuses: statuses([200, 302]),
    successes: count(0),
  }),
  unhealthy: defaulted({
    interval: seconds(0),
    http_statuses: statuses([429, 404, 500, 501, 502, 503, 504, 505]),
    tcp_failures: count(0),
    timeouts: count(0),
    http_failures: count(0),
  }),
})

const passive = defaulted({
  type: checkType,
  healthy: defaulted({
    http_statuses: statuses([200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308]),
    successes: count(0),
  }),
  unhealthy: defaulted({
    // 0 everywhere: the circuit breaker is off
    http_statuses: statuses([429, 500, 503]),
    tcp_failures: count(0),
    timeouts: count(0),
    http_failures: count(0),
  }),
})

export const healthchecks: RecordField = defaulted({
  active,
  passive,
  threshold: { type: 'number', default: 0, between: [0, 100] },
})
