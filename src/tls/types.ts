// What a TLS listener asks of the config in force: the certificate to present for the server name a client
// sent (SNI). Built once per config compile in each worker (secure contexts cannot cross threads), so a
// reload swaps certificates for new handshakes without touching open connections.

import type { SecureContext } from 'node:tls'

export interface ServerCertificates {
  /**
   * Kong's choice (kong/runloop/certificate.lua find_certificate): the `snis` entity naming `servername`
   * exactly, then a wildcard one (`*.example.com`, then `example.*`), else the default certificate
   * (`ssl_cert` / `ssl_cert_key`, or the self-signed one generated under `prefix`). null servername: the
   * client sent no SNI.
   */
  contextFor (servername: string | null): SecureContext
}
