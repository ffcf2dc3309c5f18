// SIGHUP reload: while two keep-alive clients loop, the config is swapped (twice) with zero failed
// requests, a request in flight across the swap completes, and the new route is live on every worker.
// An invalid file keeps the running config and logs reload_rejected with every JSON path.

import t from 'tap'
import { Agent } from 'node:http'
import { send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

/** requests each client makes after the last reload before the load loop stops */
const AFTER_RELOAD = 25

t.test('SIGHUP under load: zero failed requests, new route live on every worker', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const config = (paths: string[]): Record<string, unknown> => ({
    services: [{ name: 'echo', url: upstream.url, routes: paths.map((p) => ({ name: p.slice(1), paths: [p] })) }]
  })
  const gateway = await startGateway(config(['/a']), { settings: { worker_processes: 2 } })
  t.teardown(() => gateway.stop())

  const failures: string[] = []
  let reloadsDone = false
  // ends the loops however the test ends
  const loop = { abandoned: false }
  t.teardown(() => { loop.abandoned = true })
  const client = async (id: number): Promise<number> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    let sent = 0
    let afterReload = 0
    try {
      while (afterReload < AFTER_RELOAD && !loop.abandoned) {
        const reloaded = reloadsDone
        try {
          const reply = await send(`${gateway.proxyUrl}/a/${id}/${sent}`, { agent })
          if (reply.status !== 200) failures.push(`client ${id} request ${sent}: ${reply.status} ${reply.text}`)
        } catch (err) {
          failures.push(`client ${id} request ${sent}: ${(err as Error).message}`)
        }
        sent++
        if (reloaded) afterReload++
      }
    } finally {
      agent.destroy()
    }
    return sent
  }
  const clients = [client(1), client(2)]
  // a request that is in flight while the config is swapped under it
  const slow = send(`${gateway.proxyUrl}/a/slow?ms=800`)
  await upstream.waitForRequest((r) => r.url.startsWith('/slow'))

  await gateway.writeConfig(config(['/a', '/b']))
  t.equal((await gateway.reload()).event, 'reloaded')
  await gateway.writeConfig(config(['/a', '/b', '/c']))
  t.equal((await gateway.reload()).event, 'reloaded')
  reloadsDone = true
  const counts = await Promise.all(clients)

  t.same(failures, [], 'no request failed')
  t.ok(counts.every((n) => n > AFTER_RELOAD), `requests per client: ${counts.join(', ')}`)
  t.equal((await slow).status, 200, 'the request in flight across both swaps completed')

  const workers = new Map<string, number>()
  for (let i = 0; i < 200 && workers.size < 2; i++) {
    const reply = await send(`${gateway.proxyUrl}/c/${i}`)
    t.equal(reply.status, 200, 'the new route answers')
    const prefix = (reply.headers['x-kong-request-id'] as string).slice(0, 16)
    workers.set(prefix, (workers.get(prefix) ?? 0) + 1)
  }
  t.equal(workers.size, 2, 'both workers serve the new route')
})

t.test('an invalid file keeps the running config and says why', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const good = { services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'a', paths: ['/a'] }] }] }
  const gateway = await startGateway(good)
  t.teardown(() => gateway.stop())
  const hashBefore = (await send(`${gateway.adminUrl}/status`)).json().configuration_hash

  await gateway.writeConfig({
    services: [{
      name: 'echo',
      url: upstream.url,
      routes: [{ name: 'a', paths: ['/a'] }, { name: 'b', paths: ['no-slash'] }, { name: 'c', paths: ['/c'], bogus: true }]
    }]
  })
  const rejected = await gateway.reload()
  t.equal(rejected.event, 'reload_rejected')
  t.equal(rejected.source, gateway.configFile)
  const paths = (rejected.issues as Array<{ path: string, message: string }>).map((i) => i.path)
  t.same(paths.sort(), ['services[0].routes[1].paths[0]', 'services[0].routes[2].bogus'], 'every problem, by JSON path')
  t.equal((await send(`${gateway.proxyUrl}/a`)).status, 200, 'the old config still serves')
  t.equal((await send(`${gateway.proxyUrl}/c`)).status, 404, 'nothing of the rejected config is live')
  t.equal((await send(`${gateway.adminUrl}/status`)).json().configuration_hash, hashBefore, 'the hash is unchanged')

  await gateway.writeText('{ "services": [ ')
  const broken = await gateway.reload()
  t.equal(broken.event, 'reload_rejected')
  t.match((broken.issues as Array<{ message: string }>)[0].message, /invalid JSON/)
  t.equal((await send(`${gateway.proxyUrl}/a`)).status, 200)

  await gateway.writeConfig(good)
  t.equal((await gateway.reload()).event, 'reloaded', 'a fixed file loads again')
  const metrics = (await send(`${gateway.adminUrl}/metrics`)).text
  t.match(metrics, /^tollgate_config_reloads_total\{outcome="rejected"\} 2$/m, 'both refused files are counted')
  t.match(metrics, /^tollgate_config_reloads_total\{outcome="success"\} 1$/m)
})
