// correlation-id through the real gateway (CLI, worker thread, sockets) and a real upstream, after Kong's
// spec/03-plugins/11-correlation-id/01-access_spec.lua: the upstream gets an id from each generator, an
// id the client sent is kept (an empty one is not), echo_downstream sends it back, a custom header name.

import t from 'tap'
import { Agent } from 'node:http'
import { send } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const UUID_COUNTER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}#(\d+)$/
const TRACKER = /^[0-9a-f.:]+-\d+-\d+-(\d+)-(\d+)-\d+\.\d{3}$/

function correlated (path: string, config: Record<string, unknown>): Record<string, unknown> {
  return { name: path.slice(1), paths: [path], plugins: [{ name: 'correlation-id', config }] }
}

t.test('correlation-id', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      correlated('/counter', {}),
      correlated('/uuid', { generator: 'uuid' }),
      correlated('/tracker', { generator: 'tracker' }),
      correlated('/echo', { echo_downstream: true, header_name: 'X-Correlation-ID' }),
    ]
  })

  /** the id the upstream received, and the reply */
  const call = async (path: string, header = 'kong-request-id', headers: Record<string, string> = {}, agent: Agent | false = false) => {
    const reply = await send(`${gateway.proxyUrl}${path}`, { headers, agent })
    t.equal(reply.status, 200, `${path} proxied`)
    const received = upstream.requests.at(-1)!
    return { reply, id: received.headers[header] }
  }

  t.test('uuid#counter: the worker uuid and an increasing counter', async (t) => {
    const one = await call('/counter')
    const two = await call('/counter')
    const a = UUID_COUNTER.exec(String(one.id))
    const b = UUID_COUNTER.exec(String(two.id))
    t.ok(a !== null && b !== null, `${one.id} and ${two.id} in Kong's <uuid>#<n> format`)
    t.equal(Number(b![1]), Number(a![1]) + 1, 'one worker: the counter goes up by one')
    t.equal(one.reply.headers['kong-request-id'], undefined, 'not echoed by default')
  })

  t.test('uuid: a new uuid per request', async (t) => {
    const one = await call('/uuid')
    const two = await call('/uuid')
    t.match(one.id, UUID)
    t.match(two.id, UUID)
    t.not(one.id, two.id)
  })

  t.test('tracker: one connection serial, the request count going up', async (t) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    t.teardown(() => agent.destroy())
    const one = TRACKER.exec(String((await call('/tracker', undefined, {}, agent)).id))
    const two = TRACKER.exec(String((await call('/tracker', undefined, {}, agent)).id))
    t.ok(one !== null && two !== null, "Kong's tracker shape")
    t.equal(one![1], two![1], 'the same connection')
    t.equal(Number(two![2]), Number(one![2]) + 1, 'connection_requests')
  })

  t.test('an id the client sent is kept; an empty one is not', async (t) => {
    t.equal((await call('/counter', undefined, { 'Kong-Request-ID': 'foobar' })).id, 'foobar')
    const empty = await call('/counter', undefined, { 'Kong-Request-ID': '' })
    t.match(empty.id, UUID_COUNTER, 'replaced')
    const spaces = await call('/counter', undefined, { 'Kong-Request-ID': ' ' })
    t.match(spaces.id, UUID_COUNTER, 'whitespace only is empty too')
  })

  t.test('echo_downstream and a custom header name', async (t) => {
    const fresh = await call('/echo', 'x-correlation-id')
    t.match(fresh.id, UUID_COUNTER)
    t.equal(fresh.reply.headers['x-correlation-id'], fresh.id, 'the id the upstream got goes back to the client')
    t.equal(fresh.reply.headers['kong-request-id'], undefined, 'only under the configured name')
    const own = await call('/echo', 'x-correlation-id', { 'X-Correlation-ID': 'my very personal id' })
    t.equal(own.id, 'my very personal id')
    t.equal(own.reply.headers['x-correlation-id'], 'my very personal id', 'a kept id is echoed as is')
  })
})
