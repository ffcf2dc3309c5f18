// Header fields named like the members every JavaScript object inherits (constructor, toString,
// hasOwnProperty) are fields like any other: the upstream gets each one the client sent, a
// plugin that adds a field only when it is absent still adds it, and the response's fields of those names
// come back. The gateway builds its header objects without Object.prototype (src/proxy/header-fields.ts);
// an object that inherited from it would see a `constructor` in every request.

import t from 'tap'
import { send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

// (a `__proto__` field never gets this far: node:http's own header object drops it)
const NAMES = ['constructor', 'tostring', 'hasownproperty', 'valueof']

t.test('fields named like Object.prototype members pass both ways, and count as absent when not sent', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    services: [{
      name: 'echo',
      url: upstream.url,
      routes: [
        { name: 'plain', paths: ['/plain'] },
        {
          name: 'added',
          paths: ['/added'],
          // add: only when the request has no such field (Kong's request-transformer); response-transformer
          // makes the route's response go through the header-object path
          plugins: [
            { name: 'request-transformer', config: { add: { headers: ['constructor:added', 'tostring:added'] } } },
            { name: 'response-transformer', config: { add: { headers: ['x-added:1'] } } }
          ]
        }
      ]
    }]
  })
  t.teardown(() => gateway.stop())

  const sent = Object.fromEntries(NAMES.map((name) => [name, `value-of-${name}`]))
  const direct = (await send(`${upstream.url}/plain`, { headers: sent })).json<{ headers: Record<string, string> }>().headers
  const proxied = (await send(`${gateway.proxyUrl}/plain`, { headers: sent })).json<{ headers: Record<string, string> }>().headers
  for (const name of NAMES) t.equal(proxied[name], direct[name], `${name}: the upstream gets what the client sent (${String(direct[name])})`)
  t.equal(proxied.constructor, 'value-of-constructor', 'a field named constructor reached the upstream')

  const added = (await send(`${gateway.proxyUrl}/added`)).json<{ headers: Record<string, string> }>().headers
  t.equal(added.constructor, 'added', 'a constructor field the client did not send is absent, so add sets it')
  t.equal(added.tostring, 'added', 'tostring too')
  const kept = (await send(`${gateway.proxyUrl}/added`, { headers: { constructor: 'mine' } })).json<{ headers: Record<string, string> }>().headers
  t.equal(kept.constructor, 'mine', 'one the client sent is kept')

  // the upstream's answer with such fields, on the flat-list path and on the header-object path
  for (const path of ['/plain', '/added']) {
    const reply = await send(`${gateway.proxyUrl}${path}/headers?h=Constructor:c1&h=ToString:t1`)
    t.equal(reply.status, 200)
    t.equal(reply.headers.constructor, 'c1', `${path}: a response field named constructor comes back`)
    t.equal(reply.headers.tostring, 't1', `${path}: and tostring`)
  }
})
