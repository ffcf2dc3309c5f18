// The upstream request's fields (src/proxy/forwarded-headers.ts): what of the client's passes, what the
// gateway writes instead (X-Forwarded-*, X-Real-IP, Host, X-Kong-Request-Id) for trusted and untrusted
// clients, the object form plugins see, and setting one field in the flat list. The client's fields are
// attacker input: a property checks any set of them against the rules.

import t from 'tap'
import fc from 'fast-check'
import { BlockList, type Socket } from 'node:net'
import type { IncomingMessage } from 'node:http'
import type { CompiledRoute } from '../../../src/config/compile-runtime.ts'
import type { HeaderFlags } from '../../../src/proxy/header-flags.ts'
import { fieldsObject, setField, upstreamRequestFields } from '../../../src/proxy/forwarded-headers.ts'
import { HOP_BY_HOP_HEADERS } from '../../../src/proxy/hop-by-hop.ts'

const FLAGS = { requestIdUpstream: true } as HeaderFlags
const SOCKET = { remoteAddress: '10.0.0.7', remoteFamily: 'IPv4', localPort: 8443 } as Socket
const TRUSTED = new BlockList()
TRUSTED.addSubnet('10.0.0.0', 8)

function target (preserveHost = false): CompiledRoute {
  return { route: { preserve_host: preserveHost }, upstreamHost: 'backend:8080' } as unknown as CompiledRoute
}

interface FieldOptions {
  trusted?: boolean
  preserveHost?: boolean
  prefix?: string
  flags?: HeaderFlags
}

function fieldsFor (headers: IncomingMessage['headers'], options: FieldOptions = {}): string[] {
  const req = { headers } as IncomingMessage
  return upstreamRequestFields(req, SOCKET, target(options.preserveHost), '/orders/7', options.prefix ?? '', 'id-1',
    options.flags ?? FLAGS, options.trusted === true ? TRUSTED : null, headers.host, true)
}

const GATEWAY_SET = ['x-forwarded-for', 'x-real-ip', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port',
  'x-forwarded-path', 'x-forwarded-prefix', 'host', 'x-kong-request-id']

t.test('an untrusted client: its end-to-end fields pass, the gateway writes its own', async (t) => {
  const fields = fieldsFor({
    host: 'api.example.com:8443',
    accept: '*/*',
    connection: 'keep-alive, x-drop',
    'x-drop': 'listed in Connection',
    'keep-alive': 'timeout=5',
    'x-forwarded-for': '1.2.3.4',
    'x-forwarded-proto': 'http',
    'x-forwarded-prefix': '/spoofed',
    'x-real-ip': '6.6.6.6',
    'x-kong-request-id': 'spoofed',
    'set-cookie': ['a=1', 'b=2']
  }, { prefix: '/orders' })
  t.same(fields, [
    'accept', '*/*',
    'set-cookie', 'a=1', 'set-cookie', 'b=2',
    'x-forwarded-for', '1.2.3.4, 10.0.0.7', 'x-real-ip', '10.0.0.7',
    'x-forwarded-proto', 'https', 'x-forwarded-host', 'api.example.com', 'x-forwarded-port', '8443',
    'x-forwarded-path', '/orders/7', 'x-forwarded-prefix', '/orders',
    'host', 'backend:8080', 'x-kong-request-id', 'id-1'
  ])
})

t.test('a trusted client keeps the X-Forwarded-* it sent; the gateway fills in the rest', async (t) => {
  const object = fieldsObject(fieldsFor({ host: 'a', 'x-forwarded-proto': 'https', 'x-forwarded-prefix': '/edge' }, { trusted: true }))
  t.equal(object['x-forwarded-proto'], 'https')
  t.equal(object['x-forwarded-prefix'], '/edge', 'kept though this route strips nothing')
  t.equal(object['x-forwarded-host'], 'a')
  t.equal(object['x-forwarded-for'], '10.0.0.7')
  const untrusted = fieldsObject(fieldsFor({ host: 'a', 'x-forwarded-prefix': '/edge' }))
  t.equal(untrusted['x-forwarded-prefix'], undefined, 'an untrusted client\'s prefix goes, with none of the gateway\'s')
})

t.test('preserve_host keeps the client\'s Host; without the upstream request id flag its own id passes', async (t) => {
  const preserved = fieldsObject(fieldsFor({ host: 'api.example.com', 'x-kong-request-id': 'mine' },
    { preserveHost: true, flags: { requestIdUpstream: false } as HeaderFlags }))
  t.equal(preserved.host, 'api.example.com')
  t.equal(preserved['x-kong-request-id'], 'mine')
})

t.test('HTTP/2 pseudo-headers never go upstream', async (t) => {
  const fields = fieldsFor({ ':method': 'GET', ':path': '/', ':authority': 'a', ':scheme': 'https', accept: 'x' })
  t.notOk(fields.some((name, i) => i % 2 === 0 && name.startsWith(':')))
})

t.test('the object form: a repeated field as an array, any name an own field', async (t) => {
  const object = fieldsObject(['set-cookie', 'a=1', 'constructor', 'c', 'set-cookie', 'b=2', 'set-cookie', 'c=3'])
  t.same({ ...object }, { 'set-cookie': ['a=1', 'b=2', 'c=3'], constructor: 'c' })
})

t.test('setField replaces the first of a name, drops later ones, or appends', async (t) => {
  const fields = ['host', 'a', 'accept', '*/*', 'host', 'b']
  setField(fields, 'host', 'peer:80')
  t.same(fields, ['host', 'peer:80', 'accept', '*/*'])
  setField(fields, 'x-new', '1')
  t.same(fields, ['host', 'peer:80', 'accept', '*/*', 'x-new', '1'])
})

t.test('any client fields: the rules hold', async (t) => {
  const name = fc.oneof(fc.constantFrom(...GATEWAY_SET, ...HOP_BY_HOP_HEADERS, 'accept', 'cookie', 'x-a', 'constructor'),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/))
  const value = fc.stringMatching(/^[ -~]{0,20}$/)
  fc.assert(fc.property(fc.dictionary(name, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }))),
    fc.boolean(), (generated, trusted) => {
      // node:http gives Host as one string
      const headers: IncomingMessage['headers'] = { ...generated, host: Array.isArray(generated.host) ? generated.host[0] : generated.host }
      const fields = fieldsFor(headers, { trusted })
      const object = fieldsObject(fields)
      const connection = headers.connection
      const listed = (Array.isArray(connection) ? connection.join(',') : connection ?? '').split(',').map((n: string) => n.trim().toLowerCase())
      for (const [field, sent] of Object.entries(headers)) {
        const own = GATEWAY_SET.includes(field) && !(trusted && field.startsWith('x-forwarded-') && field !== 'x-forwarded-for')
        if (HOP_BY_HOP_HEADERS.has(field)) {
          if (object[field] !== undefined) return false
        } else if (!own && !listed.includes(field)) {
          // a client's end-to-end field passes whole (one entry per value)
          if (JSON.stringify(object[field]) !== JSON.stringify(Array.isArray(sent) && sent.length === 1 ? sent[0] : sent)) return false
        }
      }
      // the gateway's own are there once each
      for (const own of ['x-forwarded-for', 'x-real-ip', 'host', 'x-kong-request-id']) {
        if (typeof object[own] !== 'string') return false
      }
      return object['x-real-ip'] === '10.0.0.7' && object.host === 'backend:8080'
    }), { numRuns: 500 })
  t.pass('held for 500 sets of fields')
})
