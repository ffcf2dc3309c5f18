// The kong.conf TLS settings of the proxy listeners (kong.conf.default: ssl_cipher_suite, ssl_ciphers,
// ssl_protocols, ssl_prefer_server_ciphers, ssl_dhparam, ssl_session_tickets, ssl_session_timeout,
// ssl_cert, ssl_cert_key), parsed with Kong's names and defaults. What they become for OpenSSL is
// src/tls/server-options.ts; the files they name are read at start (src/tls/default-certificate.ts).

import { createSecureContext } from 'node:tls'
import type { ConfigIssue } from '../core/errors.ts'
import type { SslProtocol } from './types.ts'
import { listEntries } from './listen.ts'
import { NOT_BUILT } from './schema/typedefs.ts'

type Parse = (input: unknown, path: string, issues: ConfigIssue[]) => unknown

const PROTOCOLS: readonly SslProtocol[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']

/** kong.conf.default ssl_dhparam: the predefined groups (RFC 7919) */
export const DH_GROUPS: readonly string[] = ['ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192']

/** ssl_cert / ssl_cert_key: a comma-separated list (or array) of PEM files; "" or [] for none */
function files (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (Array.isArray(input) && input.length === 0) return []
  const out: string[] = []
  for (const [entry, at] of listEntries(input, path, issues) ?? []) {
    if (entry === '' && out.length === 0) continue
    if (entry === '') issues.push({ path: at, message: 'expected a file path' })
    else out.push(entry)
  }
  return out
}

function cipherSuite (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (input === 'modern' || input === 'intermediate' || input === 'old' || input === 'custom') return input
  issues.push({
    path,
    message: input === 'fips'
      ? `ssl_cipher_suite 'fips' is ${NOT_BUILT} (Node's OpenSSL is not in FIPS mode): use modern, intermediate, old or custom`
      : 'expected one of: modern, intermediate, old, custom'
  })
  return null
}

/** an OpenSSL cipher list, checked by OpenSSL itself so that a typo fails at load, not at the first handshake */
function ciphers (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (input === null) return null
  if (typeof input === 'string' && input.trim() !== '') {
    try {
      createSecureContext({ ciphers: input })
      return input
    } catch {
      issues.push({ path, message: `no cipher in '${input}' is known to OpenSSL (see \`openssl ciphers\`)` })
      return null
    }
  }
  issues.push({ path, message: 'expected an OpenSSL cipher list' })
  return null
}

/** nginx's ssl_protocols: space-separated; Node sets a range (minVersion..maxVersion), so a gap is refused */
function protocols (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  const words = typeof input === 'string' ? input.split(/[\s,]+/).filter((word) => word !== '') : Array.isArray(input) ? input : null
  if (words === null || words.length === 0) {
    issues.push({ path, message: `expected protocols among: ${PROTOCOLS.join(' ')}` })
    return null
  }
  const indexes = new Set<number>()
  for (const word of words) {
    const index = PROTOCOLS.indexOf(word as SslProtocol)
    if (index === -1) issues.push({ path, message: `invalid protocol '${String(word)}': expected one of ${PROTOCOLS.join(', ')}` })
    else indexes.add(index)
  }
  const sorted = [...indexes].sort()
  if (sorted.length > 0 && sorted[sorted.length - 1] - sorted[0] + 1 !== sorted.length) {
    issues.push({ path, message: 'protocols must be consecutive versions (Node sets a minimum and a maximum version)' })
  }
  return sorted.map((index) => PROTOCOLS[index])
}

function dhparam (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (input === null || input === '') return null
  if (typeof input === 'string') return input
  issues.push({ path, message: `expected one of ${DH_GROUPS.join(', ')}, or the path of a DH parameters file` })
  return null
}

const TIME = /^(\d+)(ms|[smhdwMy]?)$/
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ms: 0.001, '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2592000, y: 31536000,
}

/** nginx's time syntax ("1d", "12h", "1h 30m", "90"); seconds */
function nginxTime (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (typeof input === 'number' && Number.isFinite(input) && input > 0) return input
  const parts = typeof input === 'string' ? input.trim().split(/\s+/) : []
  let total = 0
  for (const part of parts) {
    const match = TIME.exec(part)
    if (match === null) {
      issues.push({ path, message: 'expected a time such as 1d, 12h, 30m or 300s' })
      return null
    }
    total += Number(match[1]) * UNIT_SECONDS[match[2]]
  }
  if (total > 0) return total
  issues.push({ path, message: 'expected a time greater than 0' })
  return null
}

/** parsed by settings.ts with the same on/off reader as the others */
export const SSL_SETTINGS = (onOff: Parse): Record<string, { default: unknown, parse: Parse }> => ({
  ssl_cert: { default: [], parse: files },
  ssl_cert_key: { default: [], parse: files },
  ssl_cipher_suite: { default: 'intermediate', parse: cipherSuite },
  ssl_ciphers: { default: null, parse: ciphers },
  ssl_protocols: { default: 'TLSv1.2 TLSv1.3', parse: protocols },
  ssl_prefer_server_ciphers: { default: 'on', parse: onOff },
  ssl_dhparam: { default: null, parse: dhparam },
  ssl_session_tickets: { default: 'on', parse: onOff },
  ssl_session_timeout: { default: '1d', parse: nginxTime },
})

/** kong/conf_loader/parse.lua: ssl_cert and ssl_cert_key name pairs, with Kong's messages */
export function checkCertificatePairs (certs: readonly string[], keys: readonly string[], issues: ConfigIssue[]): void {
  if (certs.length > 0 && keys.length === 0) issues.push({ path: 'ssl_cert_key', message: 'ssl_cert_key must be specified' })
  else if (keys.length > 0 && certs.length === 0) issues.push({ path: 'ssl_cert', message: 'ssl_cert must be specified' })
  else if (certs.length !== keys.length) {
    issues.push({
      path: 'ssl_cert_key',
      message: `ssl_cert was specified ${certs.length} times while ssl_cert_key was specified ${keys.length} times`
    })
  }
}
