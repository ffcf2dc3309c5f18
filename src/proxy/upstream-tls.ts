// How an https upstream's certificate is checked, per service (Kong's kong/runloop/upstream_ssl.lua sets
// nginx's proxy_ssl_verify and proxy_ssl_verify_depth per request from tls_verify and tls_verify_depth).
//
// - Trust: the service's ca_certificates when it lists some (upstream_ssl.lua set_upstream_ssl_trusted_store:
//   they replace the store), else Node's default CA store (its bundled Mozilla roots, plus
//   NODE_EXTRA_CA_CERTS and, with --use-system-ca, the system store), read once at process start.
// - Client certificate (mTLS): the service's client_certificate, else its upstream's
//   (upstream_ssl.lua set_service_ssl, fallback_upstream_client_cert); its cert and key only, as Kong.
// - Name: the SNI undici sends, which it takes from the Host header of the upstream request (the service
//   host, or the client's Host with preserve_host), as Kong's `proxy_ssl_name $upstream_host`
//   (kong/templates/nginx_kong.lua); an IP address is never sent as SNI (RFC 6066 §3) and is checked
//   against the certificate's IP addresses.
// - Depth: Node has no verify-depth option, so a checkServerIdentity hook counts the chain that OpenSSL
//   accepted. It runs after the chain verified, on every full handshake (a resumed session was checked
//   when it was made, with the same pool's options: undici keeps sessions per pool).

import { X509Certificate, createHash } from 'node:crypto'
import { checkServerIdentity, getCACertificates, type PeerCertificate } from 'node:tls'
import type { CaCertificate, Certificate } from '../config/types.ts'

export interface UpstreamTls {
  /** reject a certificate that does not verify (undici/Node: rejectUnauthorized) */
  readonly verify: boolean
  /** most intermediate CA certificates between the upstream's own and a trusted one; null: no limit */
  readonly verifyDepth: number | null
  /** the only CAs trusted (service ca_certificates); null: Node's default store. Always null without verify */
  readonly caCertificates: readonly CaCertificate[] | null
  /** presented to the upstream when it asks (mTLS); null: none */
  readonly clientCertificate: Certificate | null
}

/** OpenSSL's code for the same failure (X509_V_ERR_CERT_CHAIN_TOO_LONG), so it classifies as one */
export const CHAIN_TOO_LONG_CODE = 'CERT_CHAIN_TOO_LONG'

let trusted: ReadonlySet<string> | null = null

/** Fingerprints of the certificates Node trusts by default, parsed on the first depth-limited handshake. */
function trustedFingerprints (): ReadonlySet<string> {
  trusted ??= new Set(getCACertificates('default').map((pem) => new X509Certificate(pem).fingerprint256))
  return trusted
}

/**
 * The number of intermediate CAs in a verified chain, as OpenSSL's verify depth counts them ("level 0: peer
 * certificate, level 1: CA certificate...", SSL_CTX_set_verify_depth(3)): depth N allows N intermediates
 * between the peer's certificate and the trust anchor. `cert` is getPeerCertificate(true): the chain the
 * server sent, completed from the trust store, its last certificate its own issuer. The walk stops at the
 * first trusted certificate, which is where OpenSSL's chain ends too when the server also sends the root.
 * Known gap: a server that sends a cross-signed copy of a trusted root (same name and key, another
 * certificate) is counted up to the copy's issuer, one level more than OpenSSL, which prefers the store's copy.
 */
export function intermediateCount (cert: PeerCertificate, isTrusted: (fingerprint256: string) => boolean): number {
  let current = cert as PeerCertificate & { issuerCertificate?: PeerCertificate }
  let level = 0
  while (!isTrusted(current.fingerprint256)) {
    const issuer = current.issuerCertificate
    // the end of the chain, self-issued: the anchor that OpenSSL found
    if (issuer === undefined || issuer === current) break
    current = issuer
    level++
  }
  return Math.max(0, level - 1)
}

/**
 * A checkServerIdentity that also refuses a chain with more than `maxDepth` intermediates; `anchors`: the
 * fingerprints of the only trusted CAs, or null for Node's default store.
 */
export function depthLimitedIdentityCheck (maxDepth: number, anchors: ReadonlySet<string> | null = null): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const mismatch = checkServerIdentity(host, cert)
    if (mismatch !== undefined) return mismatch
    const fingerprints = anchors ?? trustedFingerprints()
    const count = intermediateCount(cert, (fingerprint) => fingerprints.has(fingerprint))
    if (count <= maxDepth) return undefined
    const message = `certificate chain too long: ${count} intermediate certificates, tls_verify_depth is ${maxDepth}`
    return Object.assign(new Error(message), { code: CHAIN_TOO_LONG_CODE })
  }
}

type IdentityCheck = ReturnType<typeof depthLimitedIdentityCheck>

export interface TlsConnectOptions {
  rejectUnauthorized: boolean
  checkServerIdentity?: IdentityCheck
  ca?: string[]
  cert?: string
  key?: string
}

/** The undici connect options for an https pool. */
export function tlsConnectOptions (tls: UpstreamTls): TlsConnectOptions {
  const client = tls.clientCertificate === null ? {} : { cert: tls.clientCertificate.cert, key: tls.clientCertificate.key }
  if (!tls.verify) return { rejectUnauthorized: false, ...client }
  const cas = tls.caCertificates
  const trust = cas === null ? {} : { ca: cas.map((ca) => ca.cert) }
  if (tls.verifyDepth === null) return { rejectUnauthorized: true, ...trust, ...client }
  const anchors = cas === null ? null : new Set(cas.map((ca) => new X509Certificate(ca.cert).fingerprint256))
  return { rejectUnauthorized: true, checkServerIdentity: depthLimitedIdentityCheck(tls.verifyDepth, anchors), ...trust, ...client }
}

/**
 * What tells two services' TLS options apart in a pool key (UpstreamPools.keyOf): digests of the contents,
 * not ids, so that a reload changing a certificate under the same id gets a new pool (and never a PEM or key)
 */
export function tlsKey (tls: UpstreamTls): string {
  const cas = tls.caCertificates === null ? '' : tls.caCertificates.map((ca) => ca.cert_digest).join(',')
  const client = tls.clientCertificate === null
    ? ''
    : createHash('sha256').update(tls.clientCertificate.cert).update('\0').update(tls.clientCertificate.key).digest('hex')
  return `verify=${tls.verify}|depth=${tls.verifyDepth ?? ''}|ca=${cas}|client=${client}`
}
