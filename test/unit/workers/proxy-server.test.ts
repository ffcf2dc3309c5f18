// The TLS listener asks the certificates in force at every handshake: the name a client sent goes to
// ServerCertificates.contextFor (as Kong's find_certificate chooses exact, then wildcard, then the default),
// a client without SNI (or with a name no certificate has) gets the listener's own context, built from the
// store's serverOptions, and setDefaultCertificate swaps it for a reload. Here a
// small store stands in for the real one, over real sockets.

import t from 'tap'
import { once } from 'node:events'
import { createSecureContext, type SecureContext } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { parseListen } from '../../../src/config/listen.ts'
import type { Settings } from '../../../src/config/types.ts'
import type { ServerCertificates } from '../../../src/tls/types.ts'
import { createProxyServer, setDefaultCertificate } from '../../../src/workers/proxy-server.ts'
import { listenOptions } from '../../../src/workers/listen-options.ts'
import { makeLeaf } from '../../helpers/tls-certs.ts'
import { handshake, sendTls } from '../../helpers/tls-client.ts'
import type { Server as TlsServer } from 'node:tls'

const leaves = await Promise.all(['exact.test', 'wild.test', 'default.test', 'reloaded.test'].map((name) => makeLeaf(null, [name])))
const [exact, wild] = leaves.map((leaf) => createSecureContext({ cert: leaf.pem, key: leaf.keyPem }))
const [fallback, reloaded] = [leaves[2], leaves[3]]

/** exact name, then `*.wild.test`, else the default: enough of Kong's order to see the callback's input */
function store (defaultLeaf: { pem: string, keyPem: string }): ServerCertificates & { asked: Array<string | null> } {
  const asked: Array<string | null> = []
  const defaultContext: SecureContext = createSecureContext({ cert: defaultLeaf.pem, key: defaultLeaf.keyPem })
  return {
    asked,
    serverOptions: { cert: defaultLeaf.pem, key: defaultLeaf.keyPem },
    contextFor (servername) {
      asked.push(servername)
      if (servername === 'exact.test') return exact
      if (servername !== null && servername.endsWith('.wild.test')) return wild
      return defaultContext
    }
  }
}

const settings = { keepalive_timeout: 5, client_header_timeout: 5, client_body_timeout: 5, client_max_header_size: 16384 } as Settings

t.test('certificates chosen per handshake by server name, the default without SNI, swapped on reload', async (t) => {
  const [address] = parseListen('127.0.0.1:0 ssl http2', 'proxy_listen', [], { allowOff: false, tls: true })
  let certificates = store(fallback)
  const server = createProxyServer(address, settings, {
    onRequest: (_req, res) => { res.end('ok') },
    onConnection: () => {},
    onClientError: (_err, socket) => { socket.destroy() },
    certificates: () => certificates
  })
  server.listen(listenOptions(address))
  await once(server, 'listening')
  t.teardown(() => server.close())
  const port = (server.address() as AddressInfo).port

  t.equal((await handshake(port, { servername: 'exact.test' })).certName, 'exact.test')
  t.equal((await handshake(port, { servername: 'a.wild.test' })).certName, 'wild.test')
  t.equal((await handshake(port, { servername: 'other.test' })).certName, 'default.test')
  t.equal((await handshake(port)).certName, 'default.test', 'no SNI: the default context')
  t.same(certificates.asked.filter((name) => name !== null), ['exact.test', 'a.wild.test', 'other.test'], 'each name the clients sent was asked')
  t.equal((await sendTls(port, '/', { servername: 'exact.test' })).text, 'ok')

  certificates = store(reloaded)
  setDefaultCertificate(server as TlsServer, certificates)
  t.equal((await handshake(port)).certName, 'reloaded.test', 'the new default')
  t.equal((await handshake(port, { servername: 'other.test' })).certName, 'reloaded.test', 'the new store')
})

t.test('an ssl listener without certificates is a clear error', async (t) => {
  const [address] = parseListen('127.0.0.1:0 ssl', 'proxy_listen', [], { allowOff: false, tls: true })
  t.throws(() => createProxyServer(address, settings, {
    onRequest: () => {}, onConnection: () => {}, onClientError: () => {}, certificates: () => null
  }), /127\.0\.0\.1:0 ssl has no certificate/)
})
