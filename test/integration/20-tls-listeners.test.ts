// TLS and HTTP/2 at the edge (issue 16 part 2), through the real gateway: a plain, an `ssl` and an
// `ssl http2` listener in front of a plain upstream, with certificates made here: the default one from
// ssl_cert / ssl_cert_key, another as a declarative `certificates` entity a reload adds. The store's SNI
// choice is tested in test/unit/tls/certificate-store.test.ts, the listener's in
// test/unit/workers/proxy-server.test.ts.

import t from 'tap'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect as h2Connect, constants as h2, type IncomingHttpHeaders } from 'node:http2'
import { Agent, request } from 'node:https'
import { connect as tcpConnect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { send, startGateway } from '../helpers/gateway.ts'
import { makeLeaf } from '../helpers/tls-certs.ts'
import { handshake, sendH2, sendTls } from '../helpers/tls-client.ts'
import { startUpstream } from '../helpers/upstream.ts'

const dir = await mkdtemp(join(tmpdir(), 'tollgate-tls-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const certFile = join(dir, 'cert.pem')
const keyFile = join(dir, 'key.pem')
const [first, second] = await Promise.all([makeLeaf(null, ['cert-one.test']), makeLeaf(null, ['cert-two.test'])])
await writeFile(certFile, first.pem)
await writeFile(keyFile, first.keyPem)

const upstream = await startUpstream()
t.teardown(() => upstream.close())
const config = {
  services: [
    {
      name: 'echo',
      url: upstream.url,
      routes: [
        { name: 'all', paths: ['/'], strip_path: false },
        { name: 'https-only', paths: ['/secure'], protocols: ['https'], strip_path: false },
        { name: 'https-301', paths: ['/moved'], protocols: ['https'], https_redirect_status_code: 301 },
        { name: 'http-only', paths: ['/plain'], protocols: ['http'], strip_path: false }
      ]
    },
    { name: 'sni-a', url: `${upstream.url}/a`, routes: [{ name: 'sni-a', paths: ['/sni'], snis: ['a.test'] }] },
    { name: 'sni-wild', url: `${upstream.url}/w`, routes: [{ name: 'sni-wild', paths: ['/sni'], snis: ['*.wild.test'] }] }
  ]
}
const settings = {
  proxy_listen: ['127.0.0.1:0', '127.0.0.1:0 ssl reuseport backlog=1024', '127.0.0.1:0 http2 ssl'],
  client_header_timeout: 1,
  ssl_cert: certFile,
  ssl_cert_key: keyFile
}
const gateway = await startGateway(config, { settings })
t.teardown(() => gateway.stop())
const listening = (gateway.logs.find((l) => l.event === 'listening')!.proxy as string[]).map((a) => Number(a.slice(a.lastIndexOf(':') + 1)))
const [plainPort, tlsPort, h2Port] = listening

t.test('HTTPS/1.1 reaches the upstream with X-Forwarded-Proto https and the TLS port', async (t) => {
  const reply = await sendTls(tlsPort, '/hello', { servername: 'localhost' })
  t.equal(reply.status, 200)
  t.equal(reply.certName, 'cert-one.test', 'the configured certificate')
  const seen = reply.json<{ headers: Record<string, string> }>().headers
  t.equal(seen['x-forwarded-proto'], 'https')
  t.equal(seen['x-forwarded-port'], String(tlsPort))
  const plain = await send(`http://127.0.0.1:${plainPort}/hello`)
  t.equal(plain.json<{ headers: Record<string, string> }>().headers['x-forwarded-proto'], 'http', 'plain stays http')
})

t.test('TLS 1.2 and 1.3 are accepted, 1.0 and 1.1 refused', async (t) => {
  t.equal((await handshake(tlsPort, { minVersion: 'TLSv1.3' })).protocol, 'TLSv1.3')
  t.equal((await handshake(tlsPort, { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2')
  // the client lowers its own security level so that only the server can be the one refusing
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    const result = await handshake(tlsPort, { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' })
    t.equal(result.ok, false, `${version} refused`)
  }
})

t.test('ALPN: h2 and http/1.1 on the http2 listener, http/1.1 only on the ssl one', async (t) => {
  t.equal((await handshake(h2Port, { ALPNProtocols: ['h2', 'http/1.1'] })).alpn, 'h2')
  t.equal((await handshake(h2Port, { ALPNProtocols: ['http/1.1'] })).alpn, 'http/1.1')
  t.equal((await handshake(tlsPort, { ALPNProtocols: ['h2', 'http/1.1'] })).alpn, 'http/1.1')
  const overH1 = await sendTls(h2Port, '/h1-on-h2-port', { servername: 'localhost' })
  t.equal(overH1.status, 200, 'HTTP/1.1 served on the http2 listener')
})

t.test('an HTTP/2 client through the gateway to a plain upstream, with Kong headers', async (t) => {
  const reply = await sendH2(h2Port, { ':path': '/h2?x=1', ':method': 'GET', ':authority': 'h2.example:8443', 'x-client': 'yes' })
  t.equal(reply.headers[':status'], 200)
  t.match(reply.headers.via, /^1\.1 tollgate\//)
  t.ok(reply.headers['x-kong-upstream-latency'] !== undefined)
  t.ok(reply.headers['x-kong-request-id'] !== undefined)
  t.equal(reply.headers.connection, undefined, 'no connection-specific header on h2')
  const seen = reply.json<{ url: string, headers: Record<string, string> }>()
  t.equal(seen.url, '/h2?x=1')
  t.equal(seen.headers['x-client'], 'yes')
  t.equal(seen.headers['x-forwarded-proto'], 'https')
  t.equal(seen.headers['x-forwarded-host'], 'h2.example', 'from :authority')
  t.equal(seen.headers.host, `127.0.0.1:${upstream.port}`)
  t.notOk(Object.keys(seen.headers).some((name) => name.startsWith(':')), 'no pseudo-headers upstream')

  const body = 'x'.repeat(100_000)
  const posted = await sendH2(h2Port, { ':path': '/upload', ':method': 'POST' }, body)
  t.equal(posted.headers[':status'], 200)
  t.equal(posted.json<{ bodyBytes: number }>().bodyBytes, body.length, 'a body without content-length is forwarded')
})

t.test('https-only routes: 426 or the configured redirect over http, served over https', async (t) => {
  const upgrade = await send(`http://127.0.0.1:${plainPort}/secure`)
  t.equal(upgrade.status, 426)
  t.match(upgrade.json(), { message: 'Please use HTTPS protocol' })
  t.equal(upgrade.headers.upgrade, 'TLS/1.2, HTTP/1.1')
  const moved = await send(`http://127.0.0.1:${plainPort}/moved/x?y=1`, { headers: { host: 'Example.test:8000' } })
  t.equal(moved.status, 301)
  t.equal(moved.headers.location, 'https://example.test/moved/x?y=1', "Kong's https:// .. $host .. $request_uri")
  t.equal((await sendTls(tlsPort, '/secure', { servername: 'localhost' })).status, 200)
  const h2Secure = await sendH2(h2Port, { ':path': '/secure' })
  t.equal(h2Secure.headers[':status'], 200)
  t.equal((await sendTls(tlsPort, '/plain', { servername: 'localhost' })).status, 200,
    'an http-only route still matches over https, as the traditional_compatible router has no protocol condition')
})

t.test('route snis: matched on the connection SNI over https, ignored over http', async (t) => {
  const urlOf = (reply: { json: <T>() => T }): string => reply.json<{ url: string }>().url
  t.equal(urlOf(await sendTls(tlsPort, '/sni', { servername: 'a.test' })), '/a')
  t.equal(urlOf(await sendTls(tlsPort, '/sni', { servername: 'x.wild.test' })), '/w')
  t.equal(urlOf(await sendTls(tlsPort, '/sni', { servername: 'other.test' })), '/sni', 'no sni route: the catch-all')
  t.equal(urlOf(await sendTls(tlsPort, '/sni')), '/sni', 'no SNI at all: no route with snis')
  // both snis routes match then and outrank the catch-all; between them the larger id wins (random here)
  t.match(urlOf(await send(`http://127.0.0.1:${plainPort}/sni`)), /^\/[aw]$/, 'plain http ignores snis')
})

t.test('over HTTP/2, every stream of a session sees its connection: SNI, client address and port', async (t) => {
  const session = h2Connect(`https://127.0.0.1:${h2Port}`, { rejectUnauthorized: false, servername: 'a.test' })
  t.teardown(() => session.close())
  const paths: string[] = []
  for (let i = 0; i < 3; i++) {
    const stream = session.request({ ':path': '/sni' })
    const [headers] = await once(stream, 'response') as [IncomingHttpHeaders]
    t.equal(headers[':status'], 200)
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    const seen = JSON.parse(Buffer.concat(chunks).toString()) as { url: string, headers: Record<string, string> }
    paths.push(seen.url)
    t.equal(seen.headers['x-forwarded-port'], String(h2Port), `stream ${i + 1}: the listener's port`)
    t.equal(seen.headers['x-real-ip'], '127.0.0.1', `stream ${i + 1}: the client's address`)
    t.equal(seen.headers['x-forwarded-proto'], 'https')
  }
  t.strictSame(paths, ['/a', '/a', '/a'], 'the route of the SNI the session was handshaken with, on every stream')
})

t.test('a reload serves the new certificate to new connections and keeps an open one', async (t) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false })
  t.teardown(() => agent.destroy())
  const openOne = await keepAliveGet(agent, '/before')
  t.equal(openOne.cert, 'cert-one.test')
  // ssl_cert is read once at start (restart-bound); a reload brings certificates as entities
  await gateway.writeConfig({ ...config, ...settings, certificates: [{ cert: second.pem, key: second.keyPem, snis: [{ name: 'localhost' }] }] })
  t.equal((await gateway.reload()).event, 'reloaded')
  t.equal((await handshake(tlsPort, { servername: 'localhost' })).certName, 'cert-two.test', 'the new certificate for its SNI')
  t.equal((await handshake(tlsPort)).certName, 'cert-one.test', 'without SNI: still the default certificate')
  t.equal((await handshake(h2Port, { servername: 'localhost', ALPNProtocols: ['h2'] })).certName, 'cert-two.test', 'on the http2 listener too')
  const again = await keepAliveGet(agent, '/after')
  t.equal(again.status, 200)
  t.equal(again.port, openOne.port, 'the open connection was reused')
  t.equal(again.cert, 'cert-one.test', 'and keeps the certificate it was handshaken with')
})

t.test('rapid reset (CVE-2023-44487): the attacking connection is closed, others are served', async (t) => {
  // the other client is connected before the attack: on a loaded machine the attack can keep the worker
  // busy for longer than this gateway's 1 s client_header_timeout, which also bounds a TLS handshake
  const other = h2Connect(`https://127.0.0.1:${h2Port}`, { rejectUnauthorized: false, servername: 'localhost' })
  t.teardown(() => other.close())
  await once(other, 'connect')
  const socket = tlsConnect({ host: '127.0.0.1', port: h2Port, ALPNProtocols: ['h2'], rejectUnauthorized: false })
  await once(socket, 'secureConnect')
  const closed = once(socket, 'close')
  socket.on('error', () => {})
  socket.on('data', () => {})
  socket.write(rapidResetFrames(20_000))
  const stream = other.request({ ':path': '/during' })
  const [headers] = await once(stream, 'response') as [IncomingHttpHeaders]
  stream.resume()
  t.equal(headers[':status'], 200, 'another client is served')
  await closed
  t.pass('the attacker was disconnected')
  t.equal((await sendTls(tlsPort, '/after', { servername: 'localhost' })).status, 200, 'the worker is still up')
})

t.test('silent TCP connections on a TLS port time out and do not starve others', async (t) => {
  const silent: Socket[] = []
  for (let i = 0; i < 200; i++) {
    const socket = tcpConnect(tlsPort, '127.0.0.1')
    socket.on('error', () => {})
    silent.push(socket)
  }
  await Promise.all(silent.map((socket) => once(socket, 'connect')))
  const startedAt = Date.now()
  t.equal((await sendTls(tlsPort, '/meanwhile', { servername: 'localhost' })).status, 200)
  t.ok(Date.now() - startedAt < 1000, 'answered at once')
  await Promise.all(silent.map((socket) => socket.closed ? null : once(socket, 'close')))
  const elapsed = Date.now() - startedAt
  t.ok(elapsed < 5000, `all closed by the server after client_header_timeout (${elapsed} ms)`)
})

interface KeptReply { readonly status: number, readonly port: number, readonly cert: string }

function keepAliveGet (agent: Agent, path: string): Promise<KeptReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: tlsPort, path, agent, servername: 'localhost' }, (res) => {
      const socket = res.socket as TLSSocket
      const reply = { status: res.statusCode!, port: socket.localPort!, cert: String(socket.getPeerCertificate().subject?.CN) }
      res.resume()
      res.on('end', () => resolve(reply))
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * The client preface, SETTINGS, then `count` streams each opened by HEADERS (GET / on a proxied route,
 * HPACK static-table entries and one literal :authority) and at once cancelled by RST_STREAM.
 */
function rapidResetFrames (count: number): Buffer {
  const authority = Buffer.from('localhost')
  const block = Buffer.concat([Buffer.from([0x82, 0x87, 0x84, 0x01, authority.length]), authority])
  const frames: Buffer[] = [Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(0x4, 0, 0, Buffer.alloc(0))]
  for (let i = 0; i < count; i++) {
    const id = 1 + i * 2
    frames.push(frame(0x1, 0x4 /* END_HEADERS */, id, block))
    const code = Buffer.alloc(4)
    code.writeUInt32BE(h2.NGHTTP2_CANCEL)
    frames.push(frame(0x3, 0, id, code))
  }
  return Buffer.concat(frames)
}

function frame (type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head.writeUInt8(type, 3)
  head.writeUInt8(flags, 4)
  head.writeUInt32BE(stream, 5)
  return Buffer.concat([head, payload])
}
