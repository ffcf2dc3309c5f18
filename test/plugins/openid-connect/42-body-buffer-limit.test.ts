// Bodies and client_body_buffer_size (8k by default, as Kong's nginx_http_client_body_buffer_size): the
// plugin looks for credentials only in a body that fits the buffer, so an unauthenticated upload is
// answered 401 without being read (and the connection closed, the rest of the body unread), a larger
// body still reaches the upstream byte for byte when the credentials come from elsewhere, and credentials
// in a body within the buffer work as before.

import t from 'tap'
import type { Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import { parseRawResponse } from '../../helpers/gateway.ts'
import type { Reply } from '../../helpers/gateway.ts'
import { startIdp } from '../../helpers/idp.ts'
import { startBodyUpstream } from '../../helpers/oidc-body-upstream.ts'
import type { ReceivedWithBody } from '../../helpers/oidc-body-upstream.ts'
import { assertKongUnauthorized, basicAuth, oidcService, startOidcStack } from '../../helpers/oidc-stack.ts'

const DEFAULT_ORDER = '/default'
const BODY_FIRST = '/body-first'
const BUFFER = 8 * 1024
const PATIENCE_MS = 30_000
const JSON_TYPE = { 'content-type': 'application/json' }

interface Upload {
  /** everything the gateway sent back */
  readonly data: string
  /** true when the gateway closed the connection (rather than the test giving up) */
  readonly closedByServer: boolean
}

/**
 * Starts a POST of `total` body bytes (declared, or chunked in 64 KiB chunks) over a raw socket, sends
 * the first `sent` of them and waits for the answer and the close. A gateway that buffers the body
 * before answering would wait for the rest for ever. (The test does not send the whole body: a client
 * that keeps writing after the gateway closed gets EPIPE, and Node then drops the answer it had not read.)
 */
function upload (proxyUrl: string, path: string, total: number, sent: number, chunked: boolean): Promise<Upload> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(proxyUrl)
    const socket = connect(Number(port), hostname)
    const piece = Buffer.alloc(64 * 1024, 0x20)
    let data = ''
    let gaveUp = false
    socket.on('connect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n` +
        (chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${total}\r\n\r\n`))
      for (let written = 0; written < sent; written += piece.length) {
        socket.write(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece)
      }
    })
    socket.on('data', (chunk: Buffer) => { data += chunk.toString('latin1') })
    // kept in what the test sees: a reset before the answer was read is a failure to show
    socket.on('error', (err) => { data += `<error ${err.message}>` })
    socket.on('close', () => resolve({ data, closedByServer: !gaveUp }))
    setTimeout(() => { gaveUp = true; socket.destroy() }, PATIENCE_MS).unref()
  })
}

function received (reply: Reply): ReceivedWithBody {
  return reply.json<ReceivedWithBody>()
}

/** ASCII text of `size` bytes, random (so a reordered or repeated piece cannot match) */
function randomText (size: number): string {
  return randomBytes(Math.ceil(size * 3 / 4) + 3).toString('base64').slice(0, size)
}

t.test('client_body_buffer_size bounds what the plugin reads', async (t: Test) => {
  const idp = await startIdp()
  t.teardown(() => idp.close())
  const body = await startBodyUpstream()
  t.teardown(() => body.close())
  const base = { issuer: idp.issuer, auth_methods: ['client_credentials'] }
  const stack = await startOidcStack(t, {
    idp,
    services: () => [
      oidcService('default-order', body.url, DEFAULT_ORDER, base),
      oidcService('body-first', body.url, BODY_FIRST, { ...base, client_credentials_param_type: ['body', 'header'] })
    ]
  })
  const { client_id: id, client_secret: secret } = idp.clients.secret
  const authorization = basicAuth(id, secret!)

  await t.test('a 64 MiB unauthenticated upload: 401 without waiting for the body, the connection closed', async (t) => {
    const total = 64 * 1024 * 1024
    for (const chunked of [false, true]) {
      const label = chunked ? 'chunked' : 'Content-Length'
      const result = await upload(stack.gateway.proxyUrl, DEFAULT_ORDER, total, 1024 * 1024, chunked)
      const response = parseRawResponse(result.data)
      t.equal(response?.status, 401, `${label}: 401 while most of the body is still to come`, { data: result.data.slice(0, 400) })
      t.equal(JSON.parse(response?.body ?? '{}').message, 'Unauthorized', `${label}: Kong's message`)
      t.match(response?.headers, /connection: close/, `${label}: the unread rest ends the connection`)
      t.ok(result.closedByServer, `${label}: closed by the gateway`)
    }
    t.equal(idp.tokenRequests, 0)
    t.equal(body.requests.length, 0, 'nothing reached the upstream')
  })

  await t.test('a body over the buffer, credentials in the header: the upstream gets it byte for byte', async (t) => {
    const text = randomText(1024 * 1024 + 7)
    const declared = await stack.proxy(BODY_FIRST, { method: 'POST', body: text, headers: { ...JSON_TYPE, authorization } })
    t.equal(declared.status, 200, 'declared length: proxied')
    t.ok(received(declared).body === text, 'declared length: the whole body, unchanged')
    t.equal(received(declared).headers['content-length'], String(text.length))

    // chunked: the plugin reads the first 8k before it knows the body is larger, then hands them back
    const pieces = []
    for (let i = 0; i < text.length; i += 3000) pieces.push(text.slice(i, i + 3000))
    const chunked = await stack.proxy(BODY_FIRST, { method: 'POST', body: Readable.from(pieces), headers: { ...JSON_TYPE, authorization } })
    t.equal(chunked.status, 200, 'chunked: proxied')
    t.ok(received(chunked).body === text, 'chunked: the whole body, unchanged (the peeked prefix first)')
    t.equal(idp.tokenRequests, 1)
  })

  await t.test('credentials in a body within the buffer work; in a body past it they are not looked for', async (t) => {
    const credentials = { client_id: id, client_secret: secret }
    const sized = (size: number): string => {
      const shell = JSON.stringify({ ...credentials, pad: '' })
      return JSON.stringify({ ...credentials, pad: 'p'.repeat(size - shell.length) })
    }
    const fits = sized(BUFFER)
    t.equal(fits.length, BUFFER)
    const small = await stack.proxy(DEFAULT_ORDER, { method: 'POST', body: fits, headers: JSON_TYPE })
    t.equal(small.status, 200, 'exactly client_body_buffer_size: read, credentials found')
    t.equal(received(small).body, fits, 'and forwarded unchanged')

    const over = sized(BUFFER + 1)
    assertKongUnauthorized(t, await stack.proxy(DEFAULT_ORDER, { method: 'POST', body: over, headers: JSON_TYPE }), 'one byte over, declared')
    assertKongUnauthorized(t, await stack.proxy(DEFAULT_ORDER, {
      method: 'POST', body: Readable.from([over.slice(0, 5000), over.slice(5000)]), headers: JSON_TYPE
    }), 'one byte over, chunked')
    t.equal(body.requests.filter((r) => r.body === over).length, 0, 'those never reached the upstream')
  })
})
