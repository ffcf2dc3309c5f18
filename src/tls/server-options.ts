// What the ssl_* settings become for OpenSSL (node:tls createSecureContext options), computed once per
// config compile. As Kong's kong/conf_loader/parse.lua: a named ssl_cipher_suite sets the ciphers, the
// protocols and the cipher preference from kong/conf_loader/constants.lua CIPHER_SUITES (Mozilla's server
// side TLS 5.7) and ignores ssl_protocols and ssl_prefer_server_ciphers, which apply to `custom` only.

import { constants } from 'node:crypto'
import type { SecureContextOptions, SecureVersion } from 'node:tls'
import type { Settings, SslProtocol } from '../config/types.ts'
import type { ServerTlsDefaults } from './default-certificate.ts'

/** CIPHER_SUITES intermediate.ciphers */
const INTERMEDIATE_CIPHERS = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:' +
  'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:' +
  'DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305'

/** CIPHER_SUITES old.ciphers: intermediate's, then the CBC and RSA key exchange ones */
const OLD_CIPHERS = `${INTERMEDIATE_CIPHERS}:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:` +
  'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:' +
  'DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:' +
  'AES256-SHA:DES-CBC3-SHA'

interface Suite {
  readonly protocols: readonly SslProtocol[]
  /** null: OpenSSL's default list (modern is TLSv1.3 only, whose suites are all considered safe) */
  readonly ciphers: string | null
  readonly preferServerCiphers: boolean
}

const SUITES: Readonly<Record<'modern' | 'intermediate' | 'old', Suite>> = {
  modern: { protocols: ['TLSv1.3'], ciphers: null, preferServerCiphers: false },
  intermediate: { protocols: ['TLSv1.2', 'TLSv1.3'], ciphers: INTERMEDIATE_CIPHERS, preferServerCiphers: false },
  old: { protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], ciphers: OLD_CIPHERS, preferServerCiphers: true },
}

/**
 * parse.lua: intermediate forces the ffdhe2048 group and modern none; old and custom use ssl_dhparam. A
 * predefined group name becomes OpenSSL's automatic choice ('auto': the RFC 7919 group matching the
 * certificate's strength, ffdhe2048 for RSA 2048), as Node cannot name a group; a file is its contents.
 */
function dhparam (settings: Settings, defaults: ServerTlsDefaults): string | undefined {
  const suite = settings.ssl_cipher_suite
  if (suite === 'modern') return undefined
  if (suite === 'intermediate') return 'auto'
  if (settings.ssl_dhparam === null) return undefined
  return defaults.dhparam ?? 'auto'
}

/** The options every secure context of a compile shares (each certificate adds its key and cert). */
export function serverContextOptions (settings: Settings, defaults: ServerTlsDefaults): SecureContextOptions {
  const custom = settings.ssl_cipher_suite === 'custom'
  const suite = custom ? null : SUITES[settings.ssl_cipher_suite as 'modern' | 'intermediate' | 'old']
  const protocols = suite?.protocols ?? settings.ssl_protocols
  const ciphers = suite === null ? settings.ssl_ciphers : suite.ciphers
  const tickets = settings.ssl_session_tickets
  return {
    minVersion: protocols[0] as SecureVersion,
    maxVersion: protocols[protocols.length - 1] as SecureVersion,
    ...(ciphers === null ? {} : { ciphers }),
    honorCipherOrder: suite?.preferServerCiphers ?? settings.ssl_prefer_server_ciphers,
    sessionTimeout: Math.floor(settings.ssl_session_timeout),
    ...(tickets ? { ticketKeys: Buffer.from(defaults.ticketKeys) } : { secureOptions: constants.SSL_OP_NO_TICKET }),
    ...(dhparam(settings, defaults) === undefined ? {} : { dhparam: dhparam(settings, defaults) }),
  }
}
