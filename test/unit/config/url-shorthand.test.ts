// A service's `url` is Kong's shorthand field: it writes protocol, host, port and path and wins over any of
// them given beside it. Each row names the Kong source or spec it comes from.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { SOURCE, doc, issuesOf } from './issues.ts'

const SERVICES_LUA = 'kong/db/schema/entities/services.lua (shorthand_fields.url)'
const SCHEMA_SPEC = 'spec/01-unit/01-db/01-schema/01-schema_spec.lua, shorthand_fields "takes precedence"'

interface Row {
  readonly from: string
  readonly service: Record<string, unknown>
  readonly want: { protocol: string, host: string, port: number, path: string | null }
}

const ROWS: readonly Row[] = [
  { from: SERVICES_LUA, service: { url: 'http://a.example' }, want: { protocol: 'http', host: 'a.example', port: 80, path: null } },
  { from: SERVICES_LUA, service: { url: 'https://a.example' }, want: { protocol: 'https', host: 'a.example', port: 443, path: null } },
  { from: SERVICES_LUA, service: { url: 'http://a.example:8080/v1/' }, want: { protocol: 'http', host: 'a.example', port: 8080, path: '/v1/' } },
  // the url wins over every part given beside it
  {
    from: SCHEMA_SPEC,
    service: { url: 'https://a.example:8443/p', protocol: 'http', host: 'b.example', port: 81, path: '/q' },
    want: { protocol: 'https', host: 'a.example', port: 8443, path: '/p' },
  },
  // a url without a port resets port to its scheme's default, not the port given beside it
  { from: SERVICES_LUA, service: { url: 'https://a.example/p', port: 8443 }, want: { protocol: 'https', host: 'a.example', port: 443, path: '/p' } },
  // a url without a path resets path to null
  { from: SERVICES_LUA, service: { url: 'http://a.example', path: '/kept?' }, want: { protocol: 'http', host: 'a.example', port: 80, path: null } },
  { from: SERVICES_LUA, service: { url: 'http://a.example/', path: '/other' }, want: { protocol: 'http', host: 'a.example', port: 80, path: '/' } },
  // an explicit port equal to the other scheme's default is kept: the scheme decides the protocol
  { from: SERVICES_LUA, service: { url: 'http://a.example:443' }, want: { protocol: 'http', host: 'a.example', port: 443, path: null } },
  // decK dumps write protocol/host/port/path and never url: no url, the parts as given (port 80 by default)
  { from: 'kong/db/schema/entities/services.lua (port default 80)', service: { protocol: 'https', host: 'a.example' }, want: { protocol: 'https', host: 'a.example', port: 80, path: null } },
]

t.test('url expands into protocol, host, port and path, and wins', async (t) => {
  for (const row of ROWS) {
    const config = loadConfigObject(doc({ services: [{ name: 's', ...row.service }] }), SOURCE, {})
    const { protocol, host, port, path } = config.entities.services[0]
    t.strictSame({ protocol, host, port, path }, row.want, `${JSON.stringify(row.service)} (${row.from})`)
  }
})

t.test('parts given beside a url are not validated: the url replaces them (Kong expands before validating)', async (t) => {
  // kong/db/schema/init.lua process_auto_fields runs before validation
  const config = loadConfigObject(doc({ services: [{ name: 's', url: 'http://a.example', path: 'no-slash', host: 'bad_host!' }] }), SOURCE, {})
  t.equal(config.entities.services[0].host, 'a.example')
  t.equal(config.entities.services[0].path, null)
})

t.test('an invalid url is reported alone, not as a missing host', async (t) => {
  t.strictSame(issuesOf(doc({ services: [{ name: 's', url: 'not a url' }] })), [{ path: 'services[0].url', message: 'invalid url: not a url' }])
  t.strictSame(issuesOf(doc({ services: [{ name: 's' }] })), [{ path: 'services[0].host', message: 'required field missing' }],
    'kong/db/schema/entities/services.lua: host is required')
})
