// The one certificate the TLS scenarios use, made at the start of a run (no key is committed): a
// self-signed ECDSA P-256 leaf for 127.0.0.1 and localhost, written as PEM files to a temp folder. The
// gateway gets it as ssl_cert / ssl_cert_key and the TLS floors as `--tls cert key`, so every TLS subject
// presents the same certificate and signs its handshakes with the same kind of key. node:crypto signs no
// X.509 certificate, so @peculiar/x509 (WebCrypto, no native code) builds it, as src/tls/self-signed.ts.

import { KeyObject, randomBytes, webcrypto } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API first
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const DAY_MS = 24 * 60 * 60 * 1000

export interface BenchCertificate {
  /** PEM certificate file */
  readonly certFile: string
  /** PKCS#8 PEM private key file (mode 0600) */
  readonly keyFile: string
  /** removes the folder holding both */
  remove (): Promise<void>
}

export async function makeBenchCertificate (): Promise<BenchCertificate> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
  const serial = randomBytes(8)
  // DER integers are signed: a cleared top bit keeps the serial positive
  serial[0] &= 0x7f
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: 'CN=localhost',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 7 * DAY_MS),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }])
    ]
  })
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-bench-tls-'))
  const certFile = join(dir, 'bench.crt')
  const keyFile = join(dir, 'bench.key')
  await writeFile(certFile, cert.toString('pem'))
  await writeFile(keyFile, KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 })
  return { certFile, keyFile, remove: () => rm(dir, { recursive: true, force: true }) }
}
