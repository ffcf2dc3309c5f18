// The self-signed default certificate, as Kong's kong/cmd/utils/prefix_handler.lua gen_default_ssl_cert
// makes it: RSA 2048 or ECDSA P-256, subject and issuer C=US, ST=California, L=San Francisco, O=Kong,
// OU=IT Department, CN=localhost, 20 years from now, not a CA (critical), extendedKeyUsage serverAuth and
// clientAuth, a subjectKeyIdentifier. node:crypto cannot sign certificates, so @peculiar/x509 (WebCrypto,
// no native code, no openssl binary) does. Runs once per prefix, at start, on the main thread.

import { KeyObject, randomBytes, webcrypto } from 'node:crypto'
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API first
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import type { PemPair } from './default-certificate.ts'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const NAME = 'C=US, ST=California, L=San Francisco, O=Kong, OU=IT Department, CN=localhost'
const TWENTY_YEARS_MS = 20 * 365 * 86400 * 1000

const ALGORITHMS = {
  rsa: {
    key: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    signing: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  },
  ecdsa: {
    key: { name: 'ECDSA', namedCurve: 'P-256' },
    signing: { name: 'ECDSA', hash: 'SHA-256' },
  },
} as const

export async function generateSelfSigned (algorithm: 'rsa' | 'ecdsa'): Promise<PemPair> {
  const { key, signing } = ALGORITHMS[algorithm]
  const keys = await webcrypto.subtle.generateKey(key, true, ['sign', 'verify'])
  const now = Date.now()
  // a positive 16-byte serial, as Kong's openssl_rand.bytes(16) (the top bit cleared: DER integers are signed)
  const serial = randomBytes(16)
  serial[0] &= 0x7f
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: NAME,
    notBefore: new Date(now),
    notAfter: new Date(now + TWENTY_YEARS_MS),
    keys,
    signingAlgorithm: signing,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  const pem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string
  return { cert: cert.toString('pem'), key: pem }
}
