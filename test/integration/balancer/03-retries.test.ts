// Retries and the ends of the balancer through the real gateway (kong/runloop/balancer/init.lua execute,
// round_robin.lua getPeer; Kong's nginx retries a failed connection with the balancer's next peer up to
// service.retries times): a target whose port refuses connections costs nothing while another target is
// left and retries are allowed; with retries 0 its share of requests fails with Kong's 502; every target
// down is a 502 after retries + 1 attempts; an upstream with no target to give (none, or all of weight 0)
// answers Kong's 503 "failure to get a peer from the ring-balancer".

import t from 'tap'
import { sendMany } from '../../helpers/balancer-client.ts'
import { send, startGateway } from '../../helpers/gateway.ts'
import { startTargetServers } from '../../helpers/target-servers.ts'

const BAD_GATEWAY = 'An invalid response was received from the upstream server'
const NO_PEER = 'failure to get a peer from the ring-balancer'

t.test('retries and no peers', async (t) => {
  const servers = await startTargetServers(['a', 'b', 'dead', 'dead2'])
  t.teardown(() => servers.close())
  const [a, b, dead, dead2] = servers.servers
  // closed now: their ports refuse connections (ECONNREFUSED), as a target that is down
  await dead.close()
  await dead2.close()
  const service = (name: string, upstream: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ name, host: upstream, ...extra, routes: [{ name, paths: [`/${name}`] }] })
  const gateway = await startGateway({
    upstreams: [
      { name: 'partial.upstream', targets: [{ target: a.target }, { target: b.target }, { target: dead.target }] },
      { name: 'down.upstream', targets: [{ target: dead.target }, { target: dead2.target }] },
      { name: 'empty.upstream' },
      { name: 'zero.upstream', targets: [{ target: a.target, weight: 0 }, { target: b.target, weight: 0 }] }
    ],
    services: [
      service('retries-default', 'partial.upstream'),
      service('retries-0', 'partial.upstream', { retries: 0 }),
      service('down', 'down.upstream'),
      service('down-retries-2', 'down.upstream', { retries: 2 }),
      service('empty', 'empty.upstream'),
      service('zero', 'zero.upstream')
    ]
  })
  t.teardown(() => gateway.stop())

  t.test('a dead target: retries (5 by default) move on to the live ones', async (t) => {
    servers.reset()
    const answers = await sendMany(`${gateway.proxyUrl}/retries-default`, 300)
    t.strictSame(Object.keys(answers).sort(), ['a', 'b'], `every request answered by a live target: ${JSON.stringify(answers)}`)
    t.equal(answers.a + answers.b, 300)
    // the dead target's third went on to the next peer: neither live one is starved
    t.ok(answers.a >= 100 && answers.b >= 100, 'each live target served at least its own third')
  })

  t.test('retries 0: the dead target\'s share fails with Kong\'s 502', async (t) => {
    const answers = await sendMany(`${gateway.proxyUrl}/retries-0`, 300)
    // one worker, whole turns of the wheel: exactly one request in three picked the dead target
    const failed = Object.entries(answers).filter(([key]) => key.startsWith('502 '))
    t.strictSame({ a: answers.a, b: answers.b, failed: failed.length }, { a: 100, b: 100, failed: 100 })
    // Kong's body, with the request id Kong 3.x adds to its own errors
    for (const [key] of failed) t.match(JSON.parse(key.slice(4)), { message: BAD_GATEWAY, request_id: /^[0-9a-f]{32}$/ })
  })

  t.test('every target down: 502 after retries + 1 attempts', async (t) => {
    for (const [name, attempts] of [['down', 6], ['down-retries-2', 3]] as const) {
      const reply = await send(`${gateway.proxyUrl}/${name}`)
      t.equal(reply.status, 502, name)
      t.strictSame(Object.keys(reply.json()), ['message', 'request_id'])
      t.equal(reply.json().message, BAD_GATEWAY)
      const id = reply.json().request_id
      const line = await gateway.waitForLog((l) => l.event === 'upstream_failed' && l.request_id === id)
      t.equal(line.attempts, attempts, `${name}: ${attempts} attempts`)
    }
  })

  t.test('no target to give: Kong\'s 503', async (t) => {
    for (const path of ['/empty', '/zero']) {
      servers.reset()
      const reply = await send(gateway.proxyUrl + path)
      t.equal(reply.status, 503, path)
      t.strictSame(Object.keys(reply.json()), ['message', 'request_id'])
      t.equal(reply.json().message, NO_PEER)
      t.match(reply.headers['content-type'], /^application\/json/)
      t.equal(a.served + b.served, 0, 'no target was asked')
    }
  })
})
