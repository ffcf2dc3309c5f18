// Stage: compile, in each proxy worker (config/compile-runtime.ts): secure contexts cannot cross threads.
// One secure context per certificates entity (its cert/key and cert_alt/key_alt pairs in one context; see
// pairsOf for what Node makes of the second pair) and one for the default certificate, all with the ssl_*
// settings (server-options.ts). The SNI lookup is Kong's kong/runloop/certificate.lua find_certificate:
// the snis entity naming the server exactly, then `*.` + the name without its first label (names of three
// labels or more, produce_wild_snis), then the name with its last label replaced by `*`, then an SNI named
// `*`, else the default certificate. Each step is one Map lookup; nothing scans the SNI list per handshake.

import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls'
import type { Certificate, LoadedConfig } from '../config/types.ts'
import type { ServerTlsDefaults } from './default-certificate.ts'
import { serverContextOptions } from './server-options.ts'
import type { ServerCertificates } from './types.ts'

/** kong/runloop/certificate.lua DEFAULT_SNI: an SNI of that name replaces the default certificate */
const DEFAULT_SNI = '*'

class CertificateStore implements ServerCertificates {
  readonly serverOptions: SecureContextOptions
  readonly #byName: ReadonlyMap<string, SecureContext>
  readonly #fallback: SecureContext

  constructor (serverOptions: SecureContextOptions, byName: ReadonlyMap<string, SecureContext>, fallback: SecureContext) {
    this.serverOptions = serverOptions
    this.#byName = byName
    this.#fallback = fallback
  }

  contextFor (servername: string | null): SecureContext {
    if (servername === null || servername === '') return this.#fallback
    // SNI is a DNS name: case-insensitive (RFC 6066 §3); snis names are compared lower-cased
    const name = servername.toLowerCase()
    const byName = this.#byName
    const exact = byName.get(name)
    if (exact !== undefined) return exact
    const first = name.indexOf('.')
    const second = first > 0 ? name.indexOf('.', first + 1) : -1
    // produce_wild_snis: `*.` + the rest, only when the rest still has two labels (a.b.c → *.b.c)
    if (second > first + 1 && second < name.length - 1) {
      const prefix = byName.get(`*${name.slice(first)}`)
      if (prefix !== undefined) return prefix
    }
    const last = name.lastIndexOf('.')
    if (last > 0 && last < name.length - 1) {
      const suffix = byName.get(`${name.slice(0, last + 1)}*`)
      if (suffix !== undefined) return suffix
    }
    return this.#fallback
  }
}

function withPairs (base: SecureContextOptions, pairs: ReadonlyArray<{ cert: string, key: string }>): SecureContextOptions {
  return { ...base, cert: pairs.map((pair) => pair.cert), key: pairs.map((pair) => pair.key) }
}

function context (base: SecureContextOptions, pairs: ReadonlyArray<{ cert: string, key: string }>): SecureContext {
  return createSecureContext(withPairs(base, pairs))
}

/**
 * The alternative pair first: a context that SNICallback switches to serves only its last pair (Node's
 * TLSWrap re-applies the context's one remembered cert and key to the connection), so the primary `cert`
 * is the one an SNI match gets; the listener's own context (serverOptions: no SNI) serves both.
 */
function pairsOf (certificate: Certificate): Array<{ cert: string, key: string }> {
  const pairs = [{ cert: certificate.cert, key: certificate.key }]
  if (certificate.cert_alt !== null && certificate.key_alt !== null) pairs.unshift({ cert: certificate.cert_alt, key: certificate.key_alt })
  return pairs
}

/** The certificates a TLS listener presents under `config`, from the defaults prepared at start. */
export function compileCertificates (config: LoadedConfig, defaults: ServerTlsDefaults): ServerCertificates {
  const base = serverContextOptions(config.settings, defaults)
  const contexts = new Map<string, SecureContext>()
  const byId = new Map(config.entities.certificates.map((certificate) => [certificate.id, certificate]))
  for (const certificate of config.entities.certificates) contexts.set(certificate.id, context(base, pairsOf(certificate)))
  const byName = new Map<string, SecureContext>()
  let fallback: Certificate | null = null
  for (const sni of config.entities.snis) {
    if (sni.name === DEFAULT_SNI) fallback = byId.get(sni.certificate.id)!
    else byName.set(sni.name.toLowerCase(), contexts.get(sni.certificate.id)!)
  }
  const serverOptions = withPairs(base, fallback === null ? defaults.certificates : pairsOf(fallback))
  return new CertificateStore(serverOptions, byName, fallback === null ? createSecureContext(serverOptions) : contexts.get(fallback.id)!)
}
