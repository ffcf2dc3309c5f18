// How an `issuer` setting becomes a discovery URL, the identity Admin shows, and a stable id.

import { createHash } from 'node:crypto'

const OPENID_CONFIGURATION = '/.well-known/openid-configuration'
const OAUTH_SERVER_METADATA = '/.well-known/oauth-authorization-server'

/** The issuer as Kong shows it: the configured string without trailing slashes. */
export function issuerIdentity (issuer: string): string {
  let end = issuer.length
  while (end > 0 && issuer.charCodeAt(end - 1) === 47 /* '/' */) end--
  return issuer.slice(0, end)
}

/** The discovery document's URL: Kong appends /.well-known/openid-configuration unless a well-known path ends it. */
export function normalizeIssuerUrl (issuer: string): string {
  const identity = issuerIdentity(issuer)
  if (identity.endsWith(OPENID_CONFIGURATION) || identity.endsWith(OAUTH_SERVER_METADATA)) return identity
  return identity + OPENID_CONFIGURATION
}

// RFC 9562 name-based (SHA-1, version 5) UUID in the URL namespace: the same issuer always gets the same id,
// on every node and across restarts, without storing anything.
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex')

export function issuerId (identity: string): string {
  const hash = createHash('sha1').update(URL_NAMESPACE).update(identity, 'utf8').digest()
  hash[6] = (hash[6] & 0x0f) | 0x50
  hash[8] = (hash[8] & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A URL fit for a log line: user info removed (an issuer URL could carry credentials). */
export function loggableUrl (url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    return parsed.href
  } catch {
    return '<invalid url>'
  }
}
