// The TLS entities (Kong 3.x kong/db/schema/entities/certificates.lua, snis.lua, ca_certificates.lua): a
// server certificate with its key (and an alternative pair of the other key type), the server names (SNIs)
// it is presented for, and CA certificates that services trust for their https upstreams. decK nests a
// certificate's SNIs as names (`certificates[].snis: ["a.example"]`, or `[{ name }]` records); top-level
// `snis` name their certificate by id (resolve-certificates.ts).

import { allOf, isSet, type RecordCheck } from './checks.ts'
import { normalizeHostPort } from './host-port.ts'
import { certificatePem, keyMatches, keyPem, keyType, parseCertificate, parseKey } from './pem.ts'
import { annotations, foreign, tags, timestamp, uuid } from './typedefs.ts'
import type { FieldSchema, RecordField, StringField } from './engine.ts'

/** typedefs.lua validate_wildcard_host: one `*`, leftmost or rightmost, the rest a name without a port. */
export function wildcardHostProblem (value: string): string | null {
  const star = value.indexOf('*')
  let host = value
  if (star !== -1) {
    if (star !== 0 && star !== value.length - 1) return 'wildcard must be leftmost or rightmost character'
    if (value.indexOf('*', star + 1) !== -1) return 'only one wildcard must be specified'
    host = value.replace('*', 'wildcard')
  }
  const address = normalizeHostPort(host)
  if (typeof address === 'string') return address === 'invalid port number' ? 'must not have a port' : `invalid value: ${host}`
  if (address.type !== 'name') return 'must not be an IP'
  return address.port === null ? null : 'must not have a port'
}

export const wildcardHost: StringField = { type: 'string', custom: wildcardHostProblem }

/** certificates.lua entity_checks, in Kong's order */
const certificateChecks: RecordCheck = allOf(
  (value) => isSet(value.cert_alt) === isSet(value.key_alt)
    ? []
    : [{ path: '', message: "all or none of these fields must be set: 'cert_alt', 'key_alt'" }],
  (value) => pairProblem(value.cert, value.key, 'certificate does not match key'),
  (value) => pairProblem(value.cert_alt, value.key_alt, 'alternative certificate does not match key'),
  (value) => {
    if (typeof value.cert !== 'string' || typeof value.cert_alt !== 'string') return []
    const cert = parseCertificate(value.cert)
    const alt = parseCertificate(value.cert_alt)
    if (cert === null || alt === null || keyType(cert) !== keyType(alt)) return []
    return [{
      path: '',
      message: 'certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), ' +
        'the provided certificates were both of the same type',
    }]
  }
)

function pairProblem (certPem: unknown, keyPemValue: unknown, message: string): Array<{ path: string, message: string }> {
  if (typeof certPem !== 'string' || typeof keyPemValue !== 'string') return []
  const cert = parseCertificate(certPem)
  const key = parseKey(keyPemValue)
  if (cert === null || key === null) return []
  return keyMatches(cert, key) ? [] : [{ path: '', message }]
}

/** a nested SNI: decK writes names, Kong's own export `{ name }` records (with id and tags) */
const nestedSni: FieldSchema = {
  type: 'any',
  custom: (value) => {
    if (typeof value === 'string') return wildcardHostProblem(value)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a string or a record'
    const name = (value as Record<string, unknown>).name
    return typeof name === 'string' ? wildcardHostProblem(name) : "expected a record with a 'name' string"
  },
}

export const certificate: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    cert: { ...certificatePem, required: true },
    key: { ...keyPem, required: true },
    cert_alt: certificatePem,
    key_alt: keyPem,
    tags,
    snis: { type: 'array', elements: nestedSni },
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
  checks: certificateChecks,
}

export const sni: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    name: { ...wildcardHost, required: true },
    // required at top level, set by nesting under a certificate otherwise (resolve-certificates.ts)
    certificate: foreign,
    tags,
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
}

const CERT_TAG = '-----BEGIN CERTIFICATE-----'

/** ca_certificates.lua custom_entity_check: one certificate, not expired, a CA */
function caProblem (value: Record<string, unknown>): Array<{ path: string, message: string }> {
  const pem = value.cert as string
  const first = pem.indexOf(CERT_TAG)
  if (first !== -1 && pem.indexOf(CERT_TAG, first + CERT_TAG.length + 1) !== -1) {
    return [{ path: 'cert', message: 'please submit only one certificate at a time' }]
  }
  const cert = parseCertificate(pem)
  if (cert === null) return []
  if (Date.parse(cert.validTo) < Date.now()) return [{ path: 'cert', message: 'certificate expired, "Not After" time is in the past' }]
  if (!cert.ca) {
    return [{ path: 'cert', message: 'certificate does not appear to be a CA because it is missing the "CA" basic constraint' }]
  }
  return []
}

export const caCertificate: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    cert: { ...certificatePem, required: true },
    // computed (ca_certificates.lua transformations: sha256 of the certificate, hex); a given one is replaced
    cert_digest: { type: 'string' },
    tags,
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
  checks: caProblem,
}
