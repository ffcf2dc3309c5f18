// A response the gateway makes itself (a plugin's 401, a 502 for an upstream that is down) goes through
// the header_filter phase of the plugins the access phase reached, as Kong runs header_filter after
// kong.response.exit (kong/runloop/plugins_iterator.lua collects each plugin as access reaches it): cors
// (PRIORITY 2000) answers a 401 from key-auth (1250) with its headers, correlation-id echoes its id on a
// 502, and response-transformer (800), which key-auth's exit came before, adds nothing to that 401.

import t from 'tap'
import { send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

const ORIGIN = 'https://app.example'

t.test('the header filters of the plugins reached run on the gateway\'s own answers', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'alice-key' }] }],
    services: [
      {
        name: 'guarded',
        url: upstream.url,
        routes: [{ name: 'guarded', paths: ['/guarded'] }],
        plugins: [
          { name: 'cors', config: { origins: [ORIGIN] } },
          { name: 'key-auth' },
          { name: 'response-transformer', config: { add: { headers: ['x-transformed:yes'] } } }
        ]
      },
      {
        name: 'down',
        // nothing listens there: the gateway answers 502 itself
        url: 'http://127.0.0.1:9',
        routes: [{ name: 'down', paths: ['/down'] }],
        plugins: [{ name: 'correlation-id', config: { echo_downstream: true } }, { name: 'cors', config: { origins: [ORIGIN] } }]
      }
    ]
  })
  t.teardown(() => gateway.stop())

  const refused = await send(`${gateway.proxyUrl}/guarded`, { headers: { origin: ORIGIN } })
  t.equal(refused.status, 401, 'key-auth refused it')
  t.equal(refused.headers['access-control-allow-origin'], ORIGIN, 'cors ran before key-auth: its header is on the 401')
  t.equal(refused.headers['x-transformed'], undefined, 'response-transformer sorts after key-auth: not reached')

  const allowed = await send(`${gateway.proxyUrl}/guarded`, { headers: { origin: ORIGIN, apikey: 'alice-key' } })
  t.equal(allowed.status, 200)
  t.equal(allowed.headers['access-control-allow-origin'], ORIGIN)
  t.equal(allowed.headers['x-transformed'], 'yes', 'a proxied answer gets every header filter')

  const failed = await send(`${gateway.proxyUrl}/down`, { headers: { origin: ORIGIN } })
  t.equal(failed.status, 502)
  t.match(failed.headers['kong-request-id'], /^[0-9a-f-]{36}#\d+$/, 'correlation-id echoed its id on the 502')
  t.equal(failed.headers['access-control-allow-origin'], ORIGIN, 'cors too')
  t.match(failed.headers['content-type'], /^application\/json/, 'still Kong\'s JSON error')
})
