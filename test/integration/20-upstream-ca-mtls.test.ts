// Through the real gateway: a service's ca_certificates replace Node's trust store for its https upstream
// (kong/runloop/upstream_ssl.lua set_upstream_ssl_trusted_store), client_certificate is presented to an
// upstream that requires one (set_upstream_cert_and_key), and the Admin API shows the certificate entities
// with private keys redacted (kong/api/routes/certificates.lua; GET /certificates/{sni}). Certificates are
// made here; none is trusted by the gateway's default store.

import t from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:https'
import { send, startGateway, type RunningGateway } from '../helpers/gateway.ts'
import { makeLeaf, makeRootCa, startTlsUpstream } from '../helpers/tls-certs.ts'
import { generateSelfSigned } from '../../src/tls/self-signed.ts'

const CA_ID = '33333333-3333-4333-8333-333333333333'
const WRONG_CA_ID = '44444444-4444-4444-8444-444444444444'
const CLIENT_ID = '55555555-5555-4555-8555-555555555555'

async function failureCode (gateway: RunningGateway, requestId: string): Promise<string> {
  const line = await gateway.waitForLog((l) => l.event === 'upstream_failed' && l.request_id === requestId)
  return (line.error as { code: string }).code
}

t.test('ca_certificates, client_certificate and the Admin API', async (t) => {
  const root = await makeRootCa()
  const wrong = await makeRootCa('Another Root CA')
  const upstream = await startTlsUpstream(await makeLeaf(root))
  t.teardown(() => upstream.close())
  // an upstream that requires a client certificate signed by... itself (self-signed, clientAuth)
  const client = await generateSelfSigned('ecdsa')
  const serverLeaf = await makeLeaf(null)
  const mtls = createServer({ key: serverLeaf.keyPem, cert: serverLeaf.pem, requestCert: true, rejectUnauthorized: true, ca: [client.cert] }, (_req, res) => res.end('mtls ok'))
  mtls.listen(0, '127.0.0.1')
  await once(mtls, 'listening')
  t.teardown(() => { mtls.closeAllConnections(); mtls.close() })
  const mtlsUrl = `https://127.0.0.1:${(mtls.address() as { port: number }).port}`

  const route = (name: string): Record<string, unknown> => ({ name, paths: [`/${name}`] })
  const config = {
    ca_certificates: [{ id: CA_ID, cert: root.pem }, { id: WRONG_CA_ID, cert: wrong.pem }],
    certificates: [{ id: CLIENT_ID, cert: client.cert, key: client.key, snis: ['client.test'] }],
    services: [
      { name: 'custom-ca', url: upstream.url, retries: 0, ca_certificates: [CA_ID], routes: [route('custom-ca')] },
      { name: 'wrong-ca', url: upstream.url, retries: 0, ca_certificates: [WRONG_CA_ID], routes: [route('wrong-ca')] },
      { name: 'default-store', url: upstream.url, retries: 0, routes: [route('default-store')] },
      { name: 'mtls', url: mtlsUrl, retries: 0, tls_verify: false, client_certificate: { id: CLIENT_ID }, routes: [route('mtls')] },
      { name: 'no-client-cert', url: mtlsUrl, retries: 0, tls_verify: false, routes: [route('no-client-cert')] },
      { name: 'balanced', host: 'mtls-upstream', protocol: 'https', retries: 0, tls_verify: false, routes: [route('balanced')] },
    ],
    upstreams: [{ name: 'mtls-upstream', client_certificate: CLIENT_ID, targets: [{ target: mtlsUrl.slice('https://'.length) }] }],
  }
  const gateway = await startGateway(config)
  t.teardown(() => gateway.stop())

  t.test('verify on, the upstream chains to a listed CA: 200', async (t) => {
    t.equal((await send(`${gateway.proxyUrl}/custom-ca`)).status, 200)
  })
  t.test('verify on, the wrong CA listed: 502 and the reason logged', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/wrong-ca`)
    t.equal(reply.status, 502)
    t.equal(await failureCode(gateway, reply.headers['x-kong-request-id'] as string), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
  })
  t.test('no ca_certificates: Node\'s store, which does not have the test root: 502', async (t) => {
    t.equal((await send(`${gateway.proxyUrl}/default-store`)).status, 502)
  })
  t.test('mTLS: with client_certificate 200, without 502', async (t) => {
    const ok = await send(`${gateway.proxyUrl}/mtls`)
    t.equal(ok.status, 200)
    t.equal(ok.text, 'mtls ok')
    const refused = await send(`${gateway.proxyUrl}/no-client-cert`)
    t.equal(refused.status, 502)
  })
  t.test("an upstream's client_certificate is presented for its balanced services (fallback_upstream_client_cert)", async (t) => {
    t.equal((await send(`${gateway.proxyUrl}/balanced`)).status, 200)
  })

  t.test('Admin: certificates with keys redacted, by id and by SNI; snis; ca_certificates; writes refused', async (t) => {
    const list = await send(`${gateway.adminUrl}/certificates`)
    t.equal(list.status, 200)
    const [certificate] = (list.json() as { data: Array<Record<string, unknown>> }).data
    t.equal(certificate.key, '<redacted>')
    t.equal(certificate.cert, client.cert)
    t.strictSame(certificate.snis, ['client.test'])
    t.equal((await send(`${gateway.adminUrl}/certificates/client.test`)).json<Record<string, unknown>>().id, CLIENT_ID, 'by SNI name')
    t.strictSame((await send(`${gateway.adminUrl}/certificates/nope.test`)).json(), { message: 'SNI not found' })
    t.equal((await send(`${gateway.adminUrl}/certificates/${CLIENT_ID}/snis`)).json<{ data: Array<{ name: string }> }>().data[0].name, 'client.test')
    t.equal((await send(`${gateway.adminUrl}/snis/client.test`)).json<{ certificate: { id: string } }>().certificate.id, CLIENT_ID)
    const ca = (await send(`${gateway.adminUrl}/ca_certificates/${CA_ID}`)).json<Record<string, unknown>>()
    t.match(ca.cert_digest, /^[0-9a-f]{64}$/)
    t.equal((await send(`${gateway.adminUrl}/certificates`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 405)
    const exported = await send(`${gateway.adminUrl}/config`)
    t.notMatch(exported.text, /PRIVATE KEY/, 'GET /config redacts keys too')
    t.notMatch(gateway.output(), /PRIVATE KEY/, 'no key in the log')
  })
})
