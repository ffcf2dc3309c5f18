// SIGHUP with a file that also changes settings bound at start (listeners, keep-alive, pool sizes):
// the entities are applied, those settings keep their running values, and the log says which of them
// need a restart rather than pretending they took effect.

import t from 'tap'
import { send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

t.test('restart-bound settings changed in the file: entities reload, the settings are named', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const config = (path: string): Record<string, unknown> => ({
    services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'r', paths: [path] }] }]
  })
  const gateway = await startGateway(config('/before'))
  t.teardown(() => gateway.stop())

  await gateway.writeConfig({ ...config('/after'), keepalive_timeout: 5, upstream_keepalive_pool_size: 0 })
  const outcome = await gateway.reload()
  t.equal(outcome.event, 'reloaded', 'the reload itself succeeds')
  const warning = await gateway.waitForLog((l) => l.event === 'reload_settings_need_restart')
  t.same([...(warning.settings as string[])].sort(), ['keepalive_timeout', 'upstream_keepalive_pool_size'])

  t.equal((await send(`${gateway.proxyUrl}/after`)).status, 200, 'the new route is live')
  t.equal((await send(`${gateway.proxyUrl}/before`)).status, 404, 'the old route is gone')
  const info = (await send(`${gateway.adminUrl}/`)).json() as { configuration: Record<string, unknown> }
  t.equal(info.configuration.keepalive_timeout, 60, 'the running value is reported, not the unapplied one')
  t.equal(info.configuration.upstream_keepalive_pool_size, 512)
})
