// The response headers of proxied answers built as a flat list, over HTTP/1.1 and HTTP/2: a header filter
// that only appends (rate-limiting's, types.ts HeaderAppender) replaces an upstream field of a name it
// sets and leaves the others, exactly as the header-object path does when another filter (cors) runs
// beside it; over HTTP/2 the list goes out with stream.respond, so the status, the hop-by-hop and
// connection-specific fields (HTTP2-Settings, those the upstream's Connection names) are checked there,
// and a status HTTP/2 cannot carry.

import t, { type Test } from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IncomingHttpHeaders } from 'node:http'
import { send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { makeLeaf } from '../helpers/tls-certs.ts'
import { sendH2 } from '../helpers/tls-client.ts'

const dir = await mkdtemp(join(tmpdir(), 'tollgate-header-lists-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const leaf = await makeLeaf(null, ['localhost'])
await writeFile(join(dir, 'cert.pem'), leaf.pem)
await writeFile(join(dir, 'key.pem'), leaf.keyPem)

const upstream = await startUpstream()
t.teardown(() => upstream.close())
const limit = { name: 'rate-limiting', config: { minute: 1000, hour: 5000, policy: 'local' } }
const gateway = await startGateway({
  services: [{
    name: 'echo',
    url: upstream.url,
    routes: [
      { name: 'appended', paths: ['/appended'], plugins: [limit] },
      // cors has a header filter of the object kind: the whole route takes the header-object path
      { name: 'object', paths: ['/object'], plugins: [limit, { name: 'cors', config: { origins: ['http://a.example'] } }] },
      { name: 'hidden', paths: ['/hidden'], plugins: [{ name: 'rate-limiting', config: { minute: 1000, hide_client_headers: true } }] },
      { name: 'plain', paths: ['/plain'] }
    ]
  }]
}, {
  settings: {
    proxy_listen: ['127.0.0.1:0', '127.0.0.1:0 http2 ssl'],
    ssl_cert: join(dir, 'cert.pem'),
    ssl_cert_key: join(dir, 'key.pem')
  }
})
t.teardown(() => gateway.stop())
const ports = (gateway.logs.find((l) => l.event === 'listening')!.proxy as string[]).map((a) => Number(a.slice(a.lastIndexOf(':') + 1)))
const h2Port = ports[1]

// the upstream answers with fields of names rate-limiting sets, and one of its own
const SHADOWED = '/headers?h=X-RateLimit-Limit-Minute:999&h=RateLimit-Remaining:77&h=X-Other:kept'

function checkLimited (t: Test, headers: IncomingHttpHeaders, label: string): void {
  t.equal(headers['x-ratelimit-limit-minute'], '1000', `${label}: the plugin's value replaces the upstream's, once`)
  t.equal(headers['x-ratelimit-limit-hour'], '5000', `${label}: every configured period`)
  t.match(headers['ratelimit-remaining'], /^\d+$/, `${label}: one RateLimit-Remaining, the plugin's`)
  t.not(headers['ratelimit-remaining'], '77', `${label}: not the upstream's`)
  t.equal(headers['ratelimit-limit'], '1000', `${label}: RateLimit-Limit of the period closest to running out`)
  t.equal(headers['x-other'], 'kept', `${label}: a field the plugin does not set stays`)
  t.equal(headers.via !== undefined, true, `${label}: Kong's own headers are there too`)
}

t.test('HTTP/1.1: an appending filter replaces the upstream fields it sets, as the object path does', async (t) => {
  const appended = await send(`${gateway.proxyUrl}/appended${SHADOWED}`)
  t.equal(appended.status, 200)
  checkLimited(t, appended.headers, 'flat list')
  const object = await send(`${gateway.proxyUrl}/object${SHADOWED}`, { headers: { origin: 'http://a.example' } })
  t.equal(object.status, 200)
  checkLimited(t, object.headers, 'header object')
  t.equal(object.headers['access-control-allow-origin'], 'http://a.example', 'cors ran on that route')
})

t.test('HTTP/1.1: with hide_client_headers the upstream fields of those names pass unchanged', async (t) => {
  const hidden = await send(`${gateway.proxyUrl}/hidden${SHADOWED}`)
  t.equal(hidden.status, 200)
  t.equal(hidden.headers['x-ratelimit-limit-minute'], '999')
  t.equal(hidden.headers['ratelimit-remaining'], '77')
  t.equal(hidden.headers['x-other'], 'kept')
})

t.test('HTTP/2: the same fields, sent with stream.respond', async (t) => {
  const appended = await sendH2(h2Port, { ':path': `/appended${SHADOWED}`, ':method': 'GET' })
  t.equal(appended.headers[':status'], 200)
  checkLimited(t, appended.headers, 'HTTP/2 flat list')
  const object = await sendH2(h2Port, { ':path': `/object${SHADOWED}`, ':method': 'GET', origin: 'http://a.example' })
  t.equal(object.headers[':status'], 200)
  checkLimited(t, object.headers, 'HTTP/2 header object')
})

t.test('HTTP/2: the upstream status, and no connection-specific field, whichever path', async (t) => {
  const hostile = '&h=HTTP2-Settings:AAMAAABkAAQAoAAAAAIAAAAA&h=Connection:x-drop&h=X-Drop:1&h=Keep-Alive:timeout=5'
  for (const route of ['plain', 'appended', 'object']) {
    const reply = await sendH2(h2Port, { ':path': `/${route}/headers?code=404${hostile}`, ':method': 'GET', origin: 'http://a.example' })
    t.equal(reply.headers[':status'], 404, `${route}: the upstream's status`)
    t.equal(reply.headers['http2-settings'], undefined, `${route}: no HTTP2-Settings`)
    t.equal(reply.headers['x-drop'], undefined, `${route}: a field the upstream's Connection names is dropped`)
    t.equal(reply.headers['keep-alive'], undefined, `${route}: no Keep-Alive`)
    t.equal(reply.headers.connection, undefined, `${route}: no Connection`)
    t.equal(reply.json<{ url: string }>().url.startsWith('/'), true, `${route}: the body came through`)
  }
})

t.test('HTTP/2: a Connection header naming the status pair cannot remove it', async (t) => {
  const reply = await sendH2(h2Port, { ':path': '/plain/headers?code=418&h=Connection::status', ':method': 'GET' })
  t.equal(reply.headers[':status'], 418)
})

t.test('HTTP/2: an upstream status HTTP/2 cannot carry is a 502, and the worker goes on', async (t) => {
  for (const code of [600, 999]) {
    const reply = await sendH2(h2Port, { ':path': `/plain/headers?code=${code}`, ':method': 'GET' })
    t.equal(reply.headers[':status'], 502, `${code}: Kong's 502`)
    t.equal(reply.json<{ message: string }>().message, 'An invalid response was received from the upstream server')
  }
  const next = await sendH2(h2Port, { ':path': '/plain/headers', ':method': 'GET' })
  t.equal(next.headers[':status'], 200, 'the next request is served')
  const over = await send(`${gateway.proxyUrl}/plain/headers?code=600`)
  t.equal(over.status, 600, 'HTTP/1.1 passes the same status on, as nginx does')
})
