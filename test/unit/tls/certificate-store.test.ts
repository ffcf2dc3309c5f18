// The certificate a TLS listener presents, through real handshakes against a node:tls server whose
// SNICallback asks the compiled store (src/tls/certificate-store.ts): Kong's choice
// (kong/runloop/certificate.lua find_certificate: exact, `*.` prefix wildcard, `.*` suffix wildcard, an SNI
// named `*`, else the default), cert_alt served to a client that only accepts its key type, and the
// ssl_* settings (protocols refused and accepted).

import t from 'tap'
import { once } from 'node:events'
import { X509Certificate } from 'node:crypto'
import { connect, createServer, type Server, type SecureVersion } from 'node:tls'
import { loadConfigObject } from '../../../src/config/load.ts'
import { compileCertificates } from '../../../src/tls/certificate-store.ts'
import type { ServerTlsDefaults } from '../../../src/tls/default-certificate.ts'
import { generateSelfSigned } from '../../../src/tls/self-signed.ts'
import type { ServerCertificates } from '../../../src/tls/types.ts'
import { makeLeaf, type Issued } from '../../helpers/tls-certs.ts'

interface Seen { readonly fingerprint: string | null, readonly protocol: string | null, readonly error: string | null }

async function handshake (port: number, servername: string | undefined, options: { maxVersion?: SecureVersion, minVersion?: SecureVersion, sigalgs?: string } = {}): Promise<Seen> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ...options })
    socket.once('secureConnect', () => {
      resolve({ fingerprint: socket.getPeerX509Certificate()?.fingerprint256 ?? null, protocol: socket.getProtocol(), error: null })
      socket.destroy()
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ fingerprint: null, protocol: null, error: err.code ?? err.message }))
  })
}

function fingerprint (pem: string): string {
  return new X509Certificate(pem).fingerprint256
}

/** As a TLS listener uses the store: its own context from serverOptions, SNICallback for the rest. */
async function serve (store: () => ServerCertificates): Promise<Server> {
  const server = createServer({
    ...store().serverOptions,
    SNICallback: (name, done) => done(null, store().contextFor(name)),
  }, (socket) => socket.end())
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return server
}

t.test('SNI selection', async (t) => {
  const make = async (name: string): Promise<Issued> => await makeLeaf(null, [name])
  const [exact, prefix, suffix, star, fallback] = await Promise.all(['exact', 'prefix', 'suffix', 'star', 'default'].map(make))
  const rsa = await generateSelfSigned('rsa')
  const ecdsa = await make('ecdsa')
  const defaults: ServerTlsDefaults = { certificates: [{ cert: fallback.pem, key: fallback.keyPem }], dhparam: null, ticketKeys: new Uint8Array(48) }
  const base = {
    _format_version: '3.0',
    proxy_listen: '127.0.0.1:0 ssl',
    certificates: [
      { cert: exact.pem, key: exact.keyPem, snis: ['api.example.test'] },
      { cert: prefix.pem, key: prefix.keyPem, snis: ['*.example.test'] },
      { cert: suffix.pem, key: suffix.keyPem, snis: ['www.example.*'] },
      { cert: rsa.cert, key: rsa.key, cert_alt: ecdsa.pem, key_alt: ecdsa.keyPem, snis: ['both.test'] },
    ],
  }
  let store = compileCertificates(loadConfigObject(base, '<test>', {}), defaults)
  const server = await serve(() => store)
  /** a reload: the listener's own context follows the new store */
  const swap = (input: Record<string, unknown>): void => {
    store = compileCertificates(loadConfigObject(input, '<test>', {}), defaults)
    server.setSecureContext(store.serverOptions)
  }
  t.teardown(() => server.close())
  const port = (server.address() as { port: number }).port

  const rows: Array<[string | undefined, Issued | null, string]> = [
    ['api.example.test', exact, 'exact name'],
    ['API.Example.TEST', exact, 'names compare case-insensitively'],
    ['other.example.test', prefix, '*.example.test: the name without its first label'],
    ['a.b.example.test', fallback, 'a prefix wildcard stands for one label only'],
    ['example.test', fallback, 'two labels: no prefix wildcard (produce_wild_snis)'],
    ['www.example.org', suffix, 'www.example.*: the last label replaced'],
    ['unknown.test', fallback, 'no match: the default certificate'],
    [undefined, fallback, 'no SNI: the default certificate'],
  ]
  for (const [name, want, why] of rows) {
    t.equal((await handshake(port, name)).fingerprint, fingerprint(want!.pem), why)
  }

  t.test('cert_alt: the listener context serves both pairs; an SNI match gets the primary cert (Node keeps one pair per switched context)', async (t) => {
    const both = await serve(() => compileCertificates(loadConfigObject({ ...base, ssl_cert: ['x'], ssl_cert_key: ['x'] }, '<test>', {}),
      { ...defaults, certificates: [{ cert: rsa.cert, key: rsa.key }, { cert: ecdsa.pem, key: ecdsa.keyPem }] }))
    t.teardown(() => both.close())
    const bothPort = (both.address() as { port: number }).port
    t.equal((await handshake(bothPort, undefined, { maxVersion: 'TLSv1.2', sigalgs: 'ECDSA+SHA256' })).fingerprint, fingerprint(ecdsa.pem), 'no SNI, ECDSA-only client')
    t.equal((await handshake(bothPort, undefined, { maxVersion: 'TLSv1.2', sigalgs: 'RSA+SHA256' })).fingerprint, fingerprint(rsa.cert), 'no SNI, RSA-only client')
    t.equal((await handshake(port, 'both.test', { maxVersion: 'TLSv1.2', sigalgs: 'RSA+SHA256' })).fingerprint, fingerprint(rsa.cert), 'SNI match: the primary cert')
  })

  t.test("an SNI named '*' replaces the default certificate (certificate.lua DEFAULT_SNI)", async (t) => {
    swap({ ...base, certificates: [...base.certificates, { cert: star.pem, key: star.keyPem, snis: ['*'] }] })
    t.equal((await handshake(port, undefined)).fingerprint, fingerprint(star.pem), 'no SNI too')
    t.equal((await handshake(port, 'unknown.test')).fingerprint, fingerprint(star.pem))
    t.equal((await handshake(port, 'api.example.test')).fingerprint, fingerprint(exact.pem), 'names still win')
  })

  t.test('ssl_cipher_suite and ssl_protocols (kong/conf_loader/parse.lua, constants.lua CIPHER_SUITES)', async (t) => {
    swap(base)
    t.equal((await handshake(port, 'api.example.test', { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2', 'intermediate (default): TLSv1.2 accepted')
    t.equal((await handshake(port, 'api.example.test')).protocol, 'TLSv1.3', 'and TLSv1.3')
    t.ok((await handshake(port, 'api.example.test', { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).error, 'TLSv1.1 refused')
    swap({ ...base, ssl_cipher_suite: 'modern' })
    t.ok((await handshake(port, 'api.example.test', { maxVersion: 'TLSv1.2' })).error, 'modern: TLSv1.2 refused')
    t.equal((await handshake(port, 'api.example.test')).protocol, 'TLSv1.3', 'modern: TLSv1.3 accepted')
    swap({ ...base, ssl_cipher_suite: 'custom', ssl_protocols: 'TLSv1.2' })
    t.ok((await handshake(port, 'api.example.test', { minVersion: 'TLSv1.3' })).error, 'custom TLSv1.2 only: TLSv1.3 refused')
    t.equal((await handshake(port, 'api.example.test')).protocol, 'TLSv1.2')
    swap({ ...base, ssl_cipher_suite: 'intermediate', ssl_protocols: 'TLSv1.3' })
    t.equal((await handshake(port, 'api.example.test', { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2', 'ssl_protocols is ignored unless the suite is custom')
  })
})
