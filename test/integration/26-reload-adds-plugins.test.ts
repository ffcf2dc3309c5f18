// A worker imports the handler modules of the plugins its config uses (src/plugins/handlers.ts): a
// gateway started without any plugin, reloaded with a config that uses some, imports them while it
// prepares the reload, and serves with them after.
// A reload naming a plugin Tollgate does not ship is still refused, and the old config keeps serving.

import t from 'tap'
import { echoConfig, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

t.test('a reload that adds plugins no config used before', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway(echoConfig(upstream.url), { settings: { worker_processes: 2 } })
  t.teardown(() => gateway.stop())
  t.equal((await send(`${gateway.proxyUrl}/x`)).status, 200, 'no plugin: proxied')

  const withPlugins = {
    consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'alice-key' }] }],
    services: [{
      name: 'echo',
      url: upstream.url,
      routes: [{ name: 'all', paths: ['/'] }],
      plugins: [
        { name: 'key-auth', config: {} },
        { name: 'response-transformer', config: { add: { headers: ['x-reloaded:yes'] } } }
      ]
    }]
  }
  await gateway.writeConfig(withPlugins)
  t.match(await gateway.reload(), { event: 'reloaded' }, 'the reload is applied')
  for (let i = 0; i < 6; i++) {
    const denied = await send(`${gateway.proxyUrl}/x`)
    t.equal(denied.status, 401, 'key-auth runs on every worker')
    t.match(denied.json(), { message: 'No API key found in request' })
    const allowed = await send(`${gateway.proxyUrl}/x`, { headers: { apikey: 'alice-key' } })
    t.equal(allowed.status, 200)
    t.equal(allowed.headers['x-reloaded'], 'yes', 'and response-transformer')
  }

  await gateway.writeConfig({ ...withPlugins, plugins: [{ name: 'no-such-plugin', config: {} }] })
  t.not((await gateway.reload()).event, 'reloaded', 'a plugin Tollgate does not ship is refused')
  t.equal((await send(`${gateway.proxyUrl}/x`, { headers: { apikey: 'alice-key' } })).status, 200, 'the last good config serves')
})
