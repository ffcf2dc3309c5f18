// The chain count behind tls_verify_depth, the connect options each service's TLS settings give its pool,
// and the status every TLS failure code maps to.

import t from 'tap'
import type { PeerCertificate } from 'node:tls'
import { intermediateCount, tlsConnectOptions } from '../../../src/proxy/upstream-tls.ts'
import { classifyUpstreamError } from '../../../src/proxy/upstream-errors.ts'

/** A getPeerCertificate(true) chain: each certificate links to the next, the last to itself. */
function chain (...fingerprints: string[]): PeerCertificate {
  const certs = fingerprints.map((fingerprint256) => ({ fingerprint256 }) as PeerCertificate & { issuerCertificate: PeerCertificate })
  certs.forEach((cert, i) => { cert.issuerCertificate = certs[Math.min(i + 1, certs.length - 1)] })
  return certs[0]
}

t.test('intermediates are counted up to the first trusted certificate (OpenSSL verify depth levels)', async (t) => {
  const trusted = (fingerprint: string): boolean => fingerprint.startsWith('root')
  const cases: Array<[string, PeerCertificate, number]> = [
    ['a trusted self-signed leaf', chain('root-leaf'), 0],
    ['a leaf issued by a root', chain('leaf', 'root'), 0],
    ['one intermediate', chain('leaf', 'ca1', 'root'), 1],
    ['two intermediates', chain('leaf', 'ca2', 'ca1', 'root'), 2],
    ['a root the server sent stops the count like the store copy', chain('leaf', 'ca1', 'root', 'beyond'), 1],
    ['no trusted certificate: the self-issued end is the anchor', chain('leaf', 'ca1', 'end'), 1],
  ]
  for (const [name, cert, expected] of cases) t.equal(intermediateCount(cert, trusted), expected, name)
})

t.test('connect options: no verification, verification, verification with a depth hook', async (t) => {
  t.strictSame(tlsConnectOptions({ verify: false, verifyDepth: null, caCertificates: null, clientCertificate: null }), { rejectUnauthorized: false })
  t.strictSame(tlsConnectOptions({ verify: true, verifyDepth: null, caCertificates: null, clientCertificate: null }), { rejectUnauthorized: true })
  const limited = tlsConnectOptions({ verify: true, verifyDepth: 1, caCertificates: null, clientCertificate: null })
  t.equal(limited.rejectUnauthorized, true)
  t.type(limited.checkServerIdentity, 'function')
})

t.test('every TLS handshake failure is a 502 that never reached the upstream', async (t) => {
  const codes = ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'CERT_HAS_EXPIRED', 'CERT_CHAIN_TOO_LONG', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA']
  for (const code of codes) {
    t.strictSame(classifyUpstreamError(Object.assign(new Error('x'), { code })),
      { status: 502, message: 'An invalid response was received from the upstream server', notSent: true }, code)
  }
})
