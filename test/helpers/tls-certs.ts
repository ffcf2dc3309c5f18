// Certificates made in the test, and a real https upstream that serves them. Node's crypto signs no X.509
// certificates, so @peculiar/x509 (WebCrypto-based, no native code, no openssl binary) builds them:
// a root CA, an intermediate CA it signs, and leaves for 127.0.0.1 and localhost, signed by the root, the
// intermediate or themselves. ECDSA P-256 keeps key generation fast on a shared machine.

import { webcrypto, KeyObject } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Server } from 'node:https'
import type { TLSSocket } from 'node:tls'
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API first
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

type CryptoKeyPair = webcrypto.CryptoKeyPair

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' }
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' }
const DAY_MS = 24 * 60 * 60 * 1000

export interface Issued {
  readonly cert: x509.X509Certificate
  readonly keys: CryptoKeyPair
  /** the certificate in PEM */
  readonly pem: string
  /** the private key in PKCS#8 PEM */
  readonly keyPem: string
}

let serial = 1

async function keyPair (): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])
}

function issued (cert: x509.X509Certificate, keys: CryptoKeyPair): Issued {
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string
  return { cert, keys, pem: cert.toString('pem'), keyPem }
}

function validity (): { notBefore: Date, notAfter: Date } {
  const now = Date.now()
  return { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + DAY_MS) }
}

async function caExtensions (keys: CryptoKeyPair, issuer: Issued | null): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create((issuer ?? { keys }).keys.publicKey)
  ]
}

/** A self-signed root CA. */
export async function makeRootCa (name = 'Tollgate Test Root CA'): Promise<Issued> {
  const keys = await keyPair()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: String(serial++).padStart(2, '0'),
    name: `CN=${name}`,
    ...validity(),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: await caExtensions(keys, null)
  })
  return issued(cert, keys)
}

/** An intermediate CA signed by `issuer`. */
export async function makeIntermediateCa (issuer: Issued, name = 'Tollgate Test Intermediate CA'): Promise<Issued> {
  const keys = await keyPair()
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: String(serial++).padStart(2, '0'),
    subject: `CN=${name}`,
    issuer: issuer.cert.subject,
    ...validity(),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: await caExtensions(keys, issuer)
  })
  return issued(cert, keys)
}

/** A server certificate for 127.0.0.1 and localhost, signed by `issuer`, or by itself when issuer is null. */
export async function makeLeaf (issuer: Issued | null, names: readonly string[] = ['localhost']): Promise<Issued> {
  const keys = await keyPair()
  const signer = issuer ?? { keys, cert: null }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: String(serial++).padStart(2, '0'),
    subject: `CN=${names[0]}`,
    issuer: issuer === null ? `CN=${names[0]}` : issuer.cert.subject,
    ...validity(),
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.map((value) => ({ type: 'dns' as const, value })),
        { type: 'ip' as const, value: '127.0.0.1' }
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(signer.keys.publicKey)
    ]
  })
  return issued(cert, keys)
}

export interface TlsUpstreamRequest {
  readonly url: string
  readonly host: string | undefined
  /** the SNI the client sent; false or null when it sent none (an IP address is never SNI, RFC 6066 §3) */
  readonly servername: string | false | null
}

export interface TlsUpstream {
  readonly port: number
  /** https://127.0.0.1:port */
  readonly url: string
  readonly requests: TlsUpstreamRequest[]
  /** TLS connections accepted (a new pool or a connection not reused shows as one more) */
  readonly connections: () => number
  close (): Promise<void>
}

/**
 * An https server on 127.0.0.1 port 0 presenting `leaf` followed by `chain` (the intermediates, as a server
 * sends them); it answers every request with 200 and a JSON echo of the path, Host and SNI.
 */
export async function startTlsUpstream (leaf: Issued, chain: readonly Issued[] = []): Promise<TlsUpstream> {
  const requests: TlsUpstreamRequest[] = []
  let connections = 0
  const server: Server = createServer({
    key: leaf.keyPem,
    cert: [leaf.pem, ...chain.map((c) => c.pem)].join('\n')
  }, (req, res) => {
    const servername = (req.socket as TLSSocket).servername
    const seen = { url: req.url ?? '', host: req.headers.host, servername }
    requests.push(seen)
    const body = JSON.stringify(seen)
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
  server.on('secureConnection', () => { connections++ })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    async close () {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}
