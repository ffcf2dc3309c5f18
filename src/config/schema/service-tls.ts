// A service's upstream TLS fields (Kong's kong/db/schema/entities/services.lua): tls_verify,
// tls_verify_depth, ca_certificates and client_certificate, accepted only on https services as Kong's
// entity checks require.

import type { ConfigIssue } from '../../core/errors.ts'
import type { BooleanField, NumberField } from './engine.ts'

/** true/false override the proxy_ssl_verify setting; null (the default) follows it, as Kong does */
export const tlsVerify: BooleanField = { type: 'boolean' }

/** Kong's bounds; null: no limit beyond OpenSSL's own (see src/proxy/upstream-tls.ts) */
export const tlsVerifyDepth: NumberField = { type: 'integer', between: [0, 64] }

const TLS_FIELDS = ['client_certificate', 'tls_verify', 'tls_verify_depth', 'ca_certificates']

/**
 * Kong's conditional entity checks: a service whose protocol is not https must leave the TLS fields null
 * ("value must be null"), so a setting that could never apply is not silently ignored.
 */
export function tlsOnlyForHttps (service: Record<string, unknown>): ConfigIssue[] {
  // checks see the record after the `url` shorthand has been expanded into protocol (schema/shorthand.ts)
  if (service.protocol === 'https') return []
  return TLS_FIELDS
    .filter((field) => service[field] !== null && service[field] !== undefined)
    .map((field) => ({ path: field, message: 'value must be null (the service protocol is not https)' }))
}
