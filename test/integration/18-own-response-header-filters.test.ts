// A response the gateway makes itself (a plugin's 401, a 502 for an upstream that is down) goes through
// the header_filter phase of the plugins the access phase reached, as Kong runs header_filter after
// kong.response.exit (kong/runloop/plugins_iterator.lua collects each plugin as access reaches it): cors
// (PRIORITY 2000) answers a 401 from key-auth (1250) with its headers, correlation-id echoes its id on a
// 502, and response-transformer (800), which key-auth's exit came before, adds nothing to that 401.
// The body_filter phase runs on those answers too (Kong sends kong.response.exit's body through it):
// response-transformer's JSON rules rewrite a 502 and request-termination's body once access reached it.

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

t.test('the body filters of the plugins reached rewrite the gateway\'s own JSON answers', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'alice-key' }] }],
    services: [
      {
        name: 'down-transformed',
        // nothing listens there: the gateway answers 502 itself, after every access phase ran
        url: 'http://127.0.0.1:9',
        routes: [{ name: 'down-transformed', paths: ['/down-transformed'] }],
        plugins: [{ name: 'response-transformer', config: { add: { json: ['gateway:tollgate'] } } }]
      },
      {
        name: 'terminated',
        url: upstream.url,
        routes: [{ name: 'terminated', paths: ['/terminated'] }],
        plugins: [
          // request-termination (PRIORITY 2) answers after response-transformer (800) was reached
          { name: 'request-termination', config: { status_code: 403, message: 'closed' } },
          { name: 'response-transformer', config: { rename: { json: ['message:reason'] } } }
        ]
      },
      {
        name: 'guarded',
        url: upstream.url,
        routes: [{ name: 'guarded', paths: ['/guarded'] }],
        plugins: [
          { name: 'key-auth' },
          { name: 'response-transformer', config: { add: { json: ['gateway:tollgate'] } } }
        ]
      }
    ]
  })
  t.teardown(() => gateway.stop())

  const failed = await send(`${gateway.proxyUrl}/down-transformed`)
  t.equal(failed.status, 502)
  const failedBody = JSON.parse(failed.body.toString())
  t.equal(failedBody.gateway, 'tollgate', 'the JSON rule added its field to the 502')
  t.equal(failedBody.message, 'An invalid response was received from the upstream server', 'Kong\'s message kept')
  t.equal(Number(failed.headers['content-length']), Buffer.byteLength(failed.body), 'Content-Length is the rewritten body\'s')

  const terminated = await send(`${gateway.proxyUrl}/terminated`)
  t.equal(terminated.status, 403)
  t.same(JSON.parse(terminated.body.toString()), { reason: 'closed' }, 'request-termination\'s body renamed by the JSON rule')

  const head = await send(`${gateway.proxyUrl}/terminated`, { method: 'HEAD' })
  t.equal(head.status, 403)
  t.equal(head.body.length, 0, 'a HEAD answer has no body to filter')

  const refused = await send(`${gateway.proxyUrl}/guarded`)
  t.equal(refused.status, 401)
  const refusedBody = JSON.parse(refused.body.toString())
  t.equal(refusedBody.message, 'No API key found in request')
  t.notOk('gateway' in refusedBody, 'key-auth (1250) answered before response-transformer (800) was reached')
})
