// What a TLS listener asks of the config in force: the certificate to present for the server name a client
// sent (SNI). Built once per config compile in each worker (secure contexts cannot cross threads), so a
// reload swaps certificates for new handshakes without touching open connections.

import type { SecureContext, SecureContextOptions } from 'node:tls'

export interface ServerCertificates {
  /**
   * The listener's own context options (tls.createServer, then Server.setSecureContext on each reload): the
   * default certificate with the ssl_* settings. OpenSSL takes the protocol versions, the cipher list and the
   * ticket keys from the listener's context, not from the one SNICallback switches to, and Node calls no
   * SNICallback when the client sends no SNI: a listener built without these would ignore ssl_protocols.
   */
  readonly serverOptions: SecureContextOptions
  /**
   * Kong's choice (kong/runloop/certificate.lua find_certificate): the `snis` entity naming `servername`
   * exactly, then a wildcard one (`*.example.com`, then `example.*`), else the default certificate
   * (`ssl_cert` / `ssl_cert_key`, or the self-signed one generated under `prefix`). null servername: the
   * client sent no SNI.
   */
  contextFor (servername: string | null): SecureContext
}
