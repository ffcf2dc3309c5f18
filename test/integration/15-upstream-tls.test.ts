// https upstreams with real certificates made here: a root CA the gateway trusts (NODE_EXTRA_CA_CERTS in
// its environment), an intermediate CA, and servers presenting a self-signed certificate or chains with 0,
// 1 and 2 intermediates. Each row says where Kong's behaviour comes from; a failed verification is
// Kong's 502 and its reason is logged by code.

import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { send, startGateway, type LogLine, type RunningGateway } from '../helpers/gateway.ts'
import { makeIntermediateCa, makeLeaf, makeRootCa, startTlsUpstream, type TlsUpstream } from '../helpers/tls-certs.ts'

const BAD_GATEWAY = 'An invalid response was received from the upstream server'

interface Row {
  readonly name: string
  /** where the expected behaviour comes from */
  readonly kong: string
  readonly upstream: 'selfSigned' | 'direct' | 'oneIntermediate' | 'twoIntermediates'
  readonly service: Record<string, unknown>
  readonly route?: Record<string, unknown>
  readonly headers?: Record<string, string>
  readonly status: 200 | 502
  /** the error code logged for a 502 */
  readonly code?: string
  /** the SNI the upstream must have seen (false: none, for an IP address) */
  readonly sni?: string | false
}

const ROWS: readonly Row[] = [
  {
    name: 'tls-verify-false-self-signed',
    kong: 'services.lua tls_verify; Service object reference: tls_verify false proxies without verifying',
    upstream: 'selfSigned',
    service: { tls_verify: false },
    status: 200,
    sni: false
  },
  {
    name: 'tls-verify-true-self-signed',
    kong: 'nginx ngx_http_upstream_ssl_handshake "upstream SSL certificate verify error" -> 502, kong/error_handlers.lua',
    upstream: 'selfSigned',
    service: { tls_verify: true },
    status: 502,
    code: 'DEPTH_ZERO_SELF_SIGNED_CERT'
  },
  {
    name: 'tls-verify-true-trusted',
    kong: 'Service object reference: tls_verify true verifies against the trusted CAs',
    upstream: 'oneIntermediate',
    service: { tls_verify: true },
    status: 200
  },
  {
    name: 'tls-verify-null-self-signed',
    kong: 'services.lua: null follows the global proxy_ssl_verify, which Tollgate turns on by default',
    upstream: 'selfSigned',
    service: { tls_verify: null },
    status: 502,
    code: 'DEPTH_ZERO_SELF_SIGNED_CERT'
  },
  {
    name: 'tls-verify-absent-trusted',
    kong: 'services.lua: absent is null, the global proxy_ssl_verify (on)',
    upstream: 'direct',
    service: {},
    status: 200
  },
  {
    name: 'depth-0-no-intermediate',
    kong: 'nginx proxy_ssl_verify_depth / OpenSSL SSL_CTX_set_verify_depth: depth 0 allows the leaf and its trusted issuer',
    upstream: 'direct',
    service: { tls_verify: true, tls_verify_depth: 0 },
    status: 200
  },
  {
    name: 'depth-0-one-intermediate',
    kong: 'OpenSSL X509_V_ERR_CERT_CHAIN_TOO_LONG: one intermediate is over depth 0',
    upstream: 'oneIntermediate',
    service: { tls_verify: true, tls_verify_depth: 0 },
    status: 502,
    code: 'CERT_CHAIN_TOO_LONG'
  },
  {
    name: 'depth-1-one-intermediate',
    kong: 'nginx proxy_ssl_verify_depth 1 (its default): one intermediate',
    upstream: 'oneIntermediate',
    service: { tls_verify: true, tls_verify_depth: 1 },
    status: 200
  },
  {
    name: 'depth-1-two-intermediates',
    kong: 'OpenSSL X509_V_ERR_CERT_CHAIN_TOO_LONG: two intermediates are over depth 1',
    upstream: 'twoIntermediates',
    service: { tls_verify: true, tls_verify_depth: 1 },
    status: 502,
    code: 'CERT_CHAIN_TOO_LONG'
  },
  {
    name: 'depth-2-two-intermediates',
    kong: 'nginx proxy_ssl_verify_depth 2: two intermediates',
    upstream: 'twoIntermediates',
    service: { tls_verify: true, tls_verify_depth: 2 },
    status: 200
  },
  {
    name: 'depth-without-verify',
    kong: 'nginx: proxy_ssl_verify_depth applies only with proxy_ssl_verify on',
    upstream: 'twoIntermediates',
    service: { tls_verify: false, tls_verify_depth: 0 },
    status: 200
  },
  {
    name: 'sni-service-host',
    kong: 'kong/templates/nginx_kong.lua proxy_ssl_server_name on, proxy_ssl_name $upstream_host',
    upstream: 'oneIntermediate',
    service: { host: 'localhost', tls_verify: true },
    status: 200,
    sni: 'localhost'
  },
  {
    name: 'sni-preserve-host',
    kong: 'nginx_kong.lua proxy_ssl_name $upstream_host: with preserve_host, the client Host is the SNI',
    upstream: 'oneIntermediate',
    service: { tls_verify: false },
    route: { preserve_host: true },
    headers: { host: 'example.test' },
    status: 200,
    sni: 'example.test'
  },
  {
    name: 'verify-preserve-host',
    kong: 'nginx proxy_ssl_name is also the name verified: "upstream SSL certificate does not match"',
    upstream: 'oneIntermediate',
    service: { tls_verify: true },
    route: { preserve_host: true },
    headers: { host: 'example.test' },
    status: 502,
    code: 'ERR_TLS_CERT_ALTNAME_INVALID'
  }
]

function serviceOf (row: Row, upstream: TlsUpstream): Record<string, unknown> {
  const { host, ...rest } = row.service
  const url = host === undefined ? upstream.url : `https://${host as string}:${upstream.port}`
  return { name: row.name, url, retries: 0, ...rest, routes: [{ name: row.name, paths: [`/${row.name}`], ...row.route }] }
}

t.test('upstream TLS verification', async (t) => {
  const root = await makeRootCa()
  const intermediate = await makeIntermediateCa(root)
  const second = await makeIntermediateCa(intermediate, 'Tollgate Test Second Intermediate CA')
  const upstreams = {
    selfSigned: await startTlsUpstream(await makeLeaf(null)),
    direct: await startTlsUpstream(await makeLeaf(root)),
    oneIntermediate: await startTlsUpstream(await makeLeaf(intermediate), [intermediate]),
    twoIntermediates: await startTlsUpstream(await makeLeaf(second), [second, intermediate])
  }
  for (const upstream of Object.values(upstreams)) t.teardown(() => upstream.close())
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-tls-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const caFile = join(dir, 'root.pem')
  await writeFile(caFile, root.pem)

  const services = ROWS.map((row) => serviceOf(row, upstreams[row.upstream]))
  // two services to one origin, differing only in tls_verify
  services.push(
    { name: 'shared-off', url: upstreams.selfSigned.url, tls_verify: false, routes: [{ name: 'shared-off', paths: ['/shared-off'] }] },
    { name: 'shared-on', url: upstreams.selfSigned.url, tls_verify: true, retries: 0, routes: [{ name: 'shared-on', paths: ['/shared-on'] }] },
    { name: 'retried', url: upstreams.selfSigned.url, tls_verify: true, retries: 2, routes: [{ name: 'retried', paths: ['/retried'] }] }
  )
  const gateway = await startGateway({ services }, { env: { NODE_EXTRA_CA_CERTS: caFile } })
  t.teardown(() => gateway.stop())

  for (const row of ROWS) {
    t.test(`${row.name} (${row.kong})`, async (t) => {
      const upstream = upstreams[row.upstream]
      const before = upstream.requests.length
      const reply = await send(`${gateway.proxyUrl}/${row.name}`, { headers: row.headers })
      t.equal(reply.status, row.status)
      if (row.status === 502) {
        t.same(reply.json(), { message: BAD_GATEWAY, request_id: reply.headers['x-kong-request-id'] })
        t.equal(upstream.requests.length, before, 'no request reached the upstream')
        const line = await failureOf(gateway, reply.headers['x-kong-request-id'] as string)
        t.equal((line.error as { code: string }).code, row.code, 'the reason is logged')
        return
      }
      t.equal(upstream.requests.length, before + 1, 'proxied')
      if (row.sni !== undefined) t.equal(upstream.requests.at(-1)!.servername, row.sni, 'SNI')
    })
  }

  t.test('a failed verification is tried again up to retries, as nginx does any handshake error (FT_ERROR)', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/retried`)
    t.equal(reply.status, 502)
    t.equal((await failureOf(gateway, reply.headers['x-kong-request-id'] as string)).attempts, 3, 'retries: 2, three attempts')
  })

  t.test('services to one origin with different tls_verify do not share a pool', async (t) => {
    t.equal((await send(`${gateway.proxyUrl}/shared-off`)).status, 200)
    // a shared pool would send this over the kept-alive connection that was never verified
    t.equal((await send(`${gateway.proxyUrl}/shared-on`)).status, 502)
    t.equal((await send(`${gateway.proxyUrl}/shared-off`)).status, 200)
  })

  t.test('nothing secret or bulky reaches the log', async (t) => {
    t.notMatch(gateway.output(), /PRIVATE KEY|BEGIN CERTIFICATE/)
  })

  t.test('proxy_ssl_verify off: a null tls_verify does not verify, true still does', async (t) => {
    await gateway.writeConfig({ services, proxy_ssl_verify: 'off' })
    t.equal((await gateway.reload()).event, 'reloaded')
    t.equal((await send(`${gateway.proxyUrl}/tls-verify-null-self-signed`)).status, 200)
    t.equal((await send(`${gateway.proxyUrl}/tls-verify-true-self-signed`)).status, 502)
    t.equal((await send(`${gateway.proxyUrl}/tls-verify-false-self-signed`)).status, 200)
  })
})

async function failureOf (gateway: RunningGateway, requestId: string): Promise<LogLine> {
  return await gateway.waitForLog((l) => l.event === 'upstream_failed' && l.request_id === requestId)
}
