// POST /config while two keep-alive clients keep requesting through two workers: no request fails or is
// dropped across the swap, and once POST answered 201 the new route serves on every worker (told apart
// by the per-worker prefix of X-Kong-Request-Id).

import t from 'tap'
import { Agent } from 'node:http'
import { startUpstream } from '../../helpers/upstream.ts'
import { call, gatewayFor } from './admin-helpers.ts'

/** X-Kong-Request-Id is a random per-worker prefix (16 hex digits) and a counter */
function workerOf (requestId: unknown): string {
  return String(requestId).slice(0, 16)
}

t.test('POST /config under load', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const config = (extra: Array<Record<string, unknown>>) => ({
    _format_version: '3.0',
    services: [{ name: 'api', url: upstream.url, routes: [{ name: 'steady', paths: ['/steady'] }, ...extra] }],
  })
  const gateway = await gatewayFor(t, config([]), { settings: { worker_processes: 2 } })

  // shared with the client loops, which run until the test says stop
  const load = { running: true, completed: 0 }
  const failures: string[] = []
  const client = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      while (load.running) {
        try {
          const reply = await call(gateway.proxyUrl, 'GET', '/steady', { agent })
          if (reply.status !== 200) failures.push(`status ${reply.status}`)
          load.completed++
          progress?.()
        } catch (err) {
          failures.push((err as Error).message)
        }
      }
    } finally {
      agent.destroy()
    }
  }
  const clients = [client(), client()]
  t.teardown(async () => {
    load.running = false
    await Promise.all(clients)
  })

  let progress: (() => void) | null = null
  const waitFor = async (count: number): Promise<void> => {
    while (load.completed < count) await new Promise<void>((resolve) => { progress = resolve })
  }
  await waitFor(50)
  const routes = Array.from({ length: 200 }, (_, i) => ({ name: `added-${i}`, paths: [`/added/${i}`] }))
  for (let round = 0; round < 3; round++) {
    const before = load.completed
    const reply = await call(gateway.adminUrl, 'POST', '/config', { body: config(routes.slice(0, 100 * round + 50)) })
    t.equal(reply.status, 201, `reload ${round}`)
    await waitFor(before + 50)

    const served = new Map<string, number>()
    for (let i = 0; i < 200 && served.size < 2; i++) {
      const fresh = await call(gateway.proxyUrl, 'GET', `/added/${100 * round + 49}`)
      served.set(workerOf(fresh.headers['x-kong-request-id']), fresh.status)
    }
    t.equal(served.size, 2, 'new connections reached both workers')
    t.same([...served.values()], [200, 200], 'the new route serves on every worker')
  }
  load.running = false
  await Promise.all(clients)
  t.same(failures, [], `no failed request among ${load.completed}`)
  t.ok(load.completed >= 200, 'the load loop ran throughout')
})
