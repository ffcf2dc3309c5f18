// The certificates, snis and ca_certificates entities (Kong 3.x kong/db/schema/entities/certificates.lua,
// snis.lua, ca_certificates.lua, typedefs.lua certificate/key/wildcard_host), and the references services
// and upstreams make to them. Each row names where Kong's rule comes from. Certificates are made here.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { generateSelfSigned } from '../../../src/tls/self-signed.ts'
import { makeLeaf, makeRootCa, makeIntermediateCa } from '../../helpers/tls-certs.ts'
import { doc, issuesOf, SOURCE } from './issues.ts'

const CERT_ID = '11111111-1111-4111-8111-111111111111'
const CA_ID = '22222222-2222-4222-8222-222222222222'

t.test('certificates, snis and ca_certificates', async (t) => {
  const ec = await makeLeaf(null)
  const otherEc = await makeLeaf(null, ['other.test'])
  const rsa = await generateSelfSigned('rsa')
  const root = await makeRootCa()
  const intermediate = await makeIntermediateCa(root)

  t.test('a certificate with nested snis (decK names and Kong records), a top-level sni naming it by id, a CA', async (t) => {
    const config = loadConfigObject(doc({
      certificates: [{ id: CERT_ID, cert: ec.pem, key: ec.keyPem, cert_alt: rsa.cert, key_alt: rsa.key, snis: ['a.test', { name: '*.wild.test' }] }],
      snis: [{ name: 'example.*', certificate: { id: CERT_ID } }],
      ca_certificates: [{ id: CA_ID, cert: root.pem }],
      services: [{ name: 's', url: 'https://u.test', ca_certificates: [CA_ID], client_certificate: { id: CERT_ID } }],
      upstreams: [{ name: 'u.test', client_certificate: CERT_ID }],
    }), SOURCE, {})
    const [certificate] = config.entities.certificates
    t.strictSame(certificate.snis, ['*.wild.test', 'a.test', 'example.*'], "Kong's Admin API: the names, sorted (snis.lua list_for_certificate)")
    t.strictSame(config.entities.snis.map((sni) => [sni.name, sni.certificate.id]), [['a.test', CERT_ID], ['*.wild.test', CERT_ID], ['example.*', CERT_ID]])
    const [ca] = config.entities.ca_certificates
    t.equal(ca.cert_digest, Buffer.from(await root.cert.getThumbprint('SHA-256')).toString('hex'), 'computed: sha256 of the DER')
    t.match(ca.cert_digest, /^[0-9a-f]{64}$/, 'ca_certificates.lua: sha256 hex')
    t.strictSame(config.entities.services[0].ca_certificates, [CA_ID])
    t.strictSame(config.entities.services[0].client_certificate, { id: CERT_ID })
    t.strictSame(config.entities.upstreams[0].client_certificate, { id: CERT_ID })
  })

  t.test('ids without one given are stable across loads', async (t) => {
    const input = doc({ certificates: [{ cert: ec.pem, key: ec.keyPem, snis: ['a.test'] }], ca_certificates: [{ cert: root.pem }] })
    const a = loadConfigObject(input, SOURCE, {})
    const b = loadConfigObject(input, SOURCE, {})
    t.equal(a.entities.certificates[0].id, b.entities.certificates[0].id)
    t.equal(a.entities.snis[0].id, b.entities.snis[0].id)
    t.equal(a.entities.ca_certificates[0].id, b.entities.ca_certificates[0].id)
  })

  const rows: Array<{ kong: string, input: Record<string, unknown>, want: Array<{ path: string, message: RegExp | string }> }> = [
    {
      kong: 'typedefs.lua validate_certificate: "invalid certificate: ..."',
      input: { certificates: [{ cert: 'not a pem', key: ec.keyPem }] },
      want: [{ path: 'certificates[0].cert', message: /^invalid certificate: / }],
    },
    {
      kong: 'typedefs.lua validate_key: "invalid key: ..."',
      input: { certificates: [{ cert: ec.pem, key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }] },
      want: [{ path: 'certificates[0].key', message: /^invalid key: / }],
    },
    {
      kong: 'certificates.lua: "certificate does not match key"',
      input: { certificates: [{ cert: ec.pem, key: otherEc.keyPem }] },
      want: [{ path: 'certificates[0]', message: 'certificate does not match key' }],
    },
    {
      kong: 'certificates.lua: mutually_required cert_alt, key_alt',
      input: { certificates: [{ cert: ec.pem, key: ec.keyPem, cert_alt: rsa.cert }] },
      want: [{ path: 'certificates[0]', message: "all or none of these fields must be set: 'cert_alt', 'key_alt'" }],
    },
    {
      kong: 'certificates.lua: "alternative certificate does not match key"',
      input: { certificates: [{ cert: ec.pem, key: ec.keyPem, cert_alt: rsa.cert, key_alt: otherEc.keyPem }] },
      want: [{ path: 'certificates[0]', message: 'alternative certificate does not match key' }],
    },
    {
      kong: 'certificates.lua: cert and cert_alt of the same key type',
      input: { certificates: [{ cert: ec.pem, key: ec.keyPem, cert_alt: otherEc.pem, key_alt: otherEc.keyPem }] },
      want: [{ path: 'certificates[0]', message: /^certificate and alternative certificate need to have different type/ }],
    },
    {
      kong: 'typedefs.lua validate_wildcard_host (spec/01-unit/01-db/01-schema/11-snis_spec.lua)',
      input: {
        certificates: [{ cert: ec.pem, key: ec.keyPem, snis: ['foo.*.com', '*.example.*', 'valid.name:8000', '127.0.0.1', 'example^com'] }],
      },
      want: [
        { path: 'certificates[0].snis[0]', message: 'wildcard must be leftmost or rightmost character' },
        { path: 'certificates[0].snis[1]', message: 'only one wildcard must be specified' },
        { path: 'certificates[0].snis[2]', message: 'must not have a port' },
        { path: 'certificates[0].snis[3]', message: 'must not be an IP' },
        { path: 'certificates[0].snis[4]', message: 'invalid value: example^com' },
      ],
    },
    {
      kong: 'snis.lua: name unique',
      input: { certificates: [{ id: CERT_ID, cert: ec.pem, key: ec.keyPem, snis: ['a.test'] }], snis: [{ name: 'a.test', certificate: CERT_ID }] },
      want: [{ path: 'snis[0].name', message: /^uniqueness violation: 'snis' entity with name set to 'a.test' already declared at certificates\[0\]\.snis\[0\]/ }],
    },
    {
      kong: 'snis.lua: certificate required, a reference that exists',
      input: { snis: [{ name: 'a.test' }, { name: 'b.test', certificate: CERT_ID }] },
      want: [
        { path: 'snis[0].certificate', message: 'required field missing' },
        { path: 'snis[1].certificate', message: `invalid reference 'certificate: ${CERT_ID}' (no such entry in 'certificates')` },
      ],
    },
    {
      kong: 'ca_certificates.lua: a CA ("missing the \\"CA\\" basic constraint")',
      input: { ca_certificates: [{ cert: ec.pem }] },
      want: [{ path: 'ca_certificates[0].cert', message: 'certificate does not appear to be a CA because it is missing the "CA" basic constraint' }],
    },
    {
      kong: 'ca_certificates.lua: "please submit only one certificate at a time"',
      input: { ca_certificates: [{ cert: `${root.pem}\n${intermediate.pem}` }] },
      want: [{ path: 'ca_certificates[0].cert', message: 'please submit only one certificate at a time' }],
    },
    {
      kong: 'ca_certificates.lua: cert_digest unique',
      input: { ca_certificates: [{ cert: root.pem }, { id: CA_ID, cert: root.pem }] },
      want: [{ path: 'ca_certificates[1].cert_digest', message: /^uniqueness violation: 'ca_certificates' entity with cert_digest set to/ }],
    },
    {
      kong: 'services.lua: ca_certificates are uuids',
      input: { services: [{ name: 's', url: 'https://h.test', ca_certificates: ['nope'] }] },
      want: [
        { path: 'services[0].ca_certificates[0]', message: 'expected a valid UUID' },
      ],
    },
    {
      kong: 'certificate.lua fetch_ca_certificates: "CA Certificate ... does not exist"; services.lua client_certificate references certificates',
      input: { services: [{ name: 's', url: 'https://h.test', ca_certificates: [CA_ID], client_certificate: CERT_ID }], upstreams: [{ name: 'u', client_certificate: { id: CERT_ID } }] },
      want: [
        { path: 'services[0].ca_certificates[0]', message: `CA Certificate '${CA_ID}' does not exist` },
        { path: 'services[0].client_certificate', message: `invalid reference 'client_certificate: ${CERT_ID}' (no such entry in 'certificates')` },
        { path: 'upstreams[0].client_certificate', message: `invalid reference 'client_certificate: {"id":"${CERT_ID}"}' (no such entry in 'certificates')` },
      ],
    },
    {
      kong: 'services.lua conditional: client_certificate and ca_certificates only with protocol https',
      input: { ca_certificates: [{ id: CA_ID, cert: root.pem }], services: [{ name: 's', url: 'http://h.test', ca_certificates: [CA_ID] }] },
      want: [{ path: 'services[0].ca_certificates', message: 'value must be null (the service protocol is not https)' }],
    },
  ]
  for (const row of rows) {
    t.test(row.kong, async (t) => {
      const issues = issuesOf(doc(row.input))
      t.equal(issues.length, row.want.length, JSON.stringify(issues))
      row.want.forEach((want, i) => {
        t.equal(issues[i]?.path, want.path)
        if (typeof want.message === 'string') t.equal(issues[i]?.message, want.message)
        else t.match(issues[i]?.message, want.message)
      })
      t.notMatch(JSON.stringify(issues), /PRIVATE KEY|BEGIN CERTIFICATE/, 'no PEM in a message')
    })
  }
})
