// Config swaps (POST /config) under a balanced upstream, through the real gateway with two workers: requests
// sent all through a series of reloads that keep the upstream all succeed, a target removed by a reload
// gets no more traffic once it is done, and the targets that stay keep their pooled connections (the
// issue's "a config swap keeps ... connection pools of targets that still exist"; Kong keeps its
// balancers and keepalive pools across a router rebuild: kong/runloop/handler.lua, balancer/upstreams.lua).

import t from 'tap'
import { Agent } from 'node:http'
import { call } from '../admin/admin-helpers.ts'
import { sendMany } from '../../helpers/balancer-client.ts'
import { send, startGateway } from '../../helpers/gateway.ts'
import { startTargetServers, type TargetServers } from '../../helpers/target-servers.ts'

function config (servers: TargetServers, names: readonly string[], extraRoute: string | null = null): Record<string, unknown> {
  const routes = [{ name: 'lb', paths: ['/'] }]
  if (extraRoute !== null) routes.push({ name: extraRoute, paths: [`/${extraRoute}`] })
  return {
    _format_version: '3.0',
    upstreams: [{
      name: 'swap.upstream',
      targets: servers.servers.filter((s) => names.includes(s.name)).map((s) => ({ target: s.target }))
    }],
    services: [{ name: 'lb', host: 'swap.upstream', routes }]
  }
}

t.test('reloads under a balanced upstream', async (t) => {
  const servers = await startTargetServers(['a', 'b', 'c'])
  t.teardown(() => servers.close())
  const gateway = await startGateway(config(servers, ['a', 'b', 'c']), { settings: { worker_processes: 2 } })
  t.teardown(() => gateway.stop())
  const post = async (body: Record<string, unknown>): Promise<number> => (await call(gateway.adminUrl, 'POST', '/config', { body })).status

  t.test('requests during ten reloads that keep the upstream all succeed', async (t) => {
    const progress = { reloading: true }
    const reloads = (async () => {
      const statuses: number[] = []
      for (let i = 0; i < 10; i++) statuses.push(await post(config(servers, ['a', 'b', 'c'], `extra-${i}`)))
      progress.reloading = false
      return statuses
    })()
    const answers: Record<string, number> = {}
    let duringReloads = 0
    const agent = new Agent({ keepAlive: true, maxSockets: 4 })
    t.teardown(() => agent.destroy())
    // four clients sending one request after another until the reloads are done
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (progress.reloading) {
        const reply = await send(gateway.proxyUrl, { agent })
        const key = reply.status === 200 ? reply.text : `${reply.status} ${reply.text}`
        answers[key] = (answers[key] ?? 0) + 1
        if (progress.reloading) duringReloads++
      }
    }))
    t.strictSame(await reloads, Array(10).fill(201), 'ten configs loaded')
    t.strictSame(Object.keys(answers).sort(), ['a', 'b', 'c'], `only target answers, no error: ${JSON.stringify(answers)}`)
    t.ok(duringReloads >= 10, `${duringReloads} requests answered while reloading`)
  })

  t.test('the targets that stay keep their pooled connections', async (t) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    t.teardown(() => agent.destroy())
    // one request at a time: every pool has an idle connection to its target after these
    for (let i = 0; i < 12; i++) await send(gateway.proxyUrl, { agent })
    const before = servers.servers.map((s) => s.connections)
    t.equal(await post(config(servers, ['a', 'b', 'c'], 'again')), 201)
    servers.reset()
    for (let i = 0; i < 12; i++) await send(gateway.proxyUrl, { agent })
    t.strictSame(servers.servers.map((s) => s.served > 0), [true, true, true], 'each target served after the reload')
    t.strictSame(servers.servers.map((s) => s.connections), before, 'over the connections it had before')
  })

  t.test('a target removed by a reload gets no more traffic', async (t) => {
    t.equal(await post(config(servers, ['a', 'b'])), 201)
    servers.reset()
    const answers = await sendMany(gateway.proxyUrl, 300, { concurrency: 4 })
    t.strictSame(Object.keys(answers).sort(), ['a', 'b'], JSON.stringify(answers))
    t.equal(servers.servers[2].served, 0, 'c served nothing')
  })
})
