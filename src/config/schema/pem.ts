// Kong's typedefs.certificate and typedefs.key (kong/db/schema/typedefs.lua validate_certificate,
// validate_key: "invalid certificate: ...", "invalid key: ..."), checked with node:crypto rather than
// lua-resty-openssl, and the comparisons Kong's certificates.lua entity checks make between them. Runs at
// config load only; the messages never quote a key.

import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import type { StringField } from './engine.ts'

/** The certificate parsed, or null (pem is not one): the first certificate of a PEM bundle. */
export function parseCertificate (pem: string): X509Certificate | null {
  try {
    return new X509Certificate(pem)
  } catch {
    return null
  }
}

export function parseKey (pem: string): KeyObject | null {
  try {
    return createPrivateKey(pem)
  } catch {
    return null
  }
}

/** OpenSSL's reason as Node reports it, without the PEM (an error message never quotes the input). */
function reason (err: unknown): string {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? code : 'unreadable PEM'
}

function certificateProblem (value: string): string | null {
  try {
    // eslint-disable-next-line no-new
    new X509Certificate(value)
    return null
  } catch (err) {
    return `invalid certificate: ${reason(err)}`
  }
}

function keyProblem (value: string): string | null {
  try {
    createPrivateKey(value)
    return null
  } catch (err) {
    return `invalid key: ${reason(err)}`
  }
}

export const certificatePem: StringField = { type: 'string', custom: certificateProblem }

/** secret: the Admin API and GET /config show "<redacted>" (config/redact-config.ts) */
export const keyPem: StringField = { type: 'string', secret: true, custom: keyProblem }

/** certificates.lua: `cert:get_pubkey():to_PEM() ~= key:to_PEM("public")` */
export function keyMatches (cert: X509Certificate, key: KeyObject): boolean {
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' })
  return cert.publicKey.export({ type: 'spki', format: 'der' }).equals(fromKey)
}

/** The key type Kong compares for cert and cert_alt (get_key_type): 'rsa', 'ec', 'ed25519', ... */
export function keyType (cert: X509Certificate): string {
  return cert.publicKey.asymmetricKeyType ?? 'unknown'
}
