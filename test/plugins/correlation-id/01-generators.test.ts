// The correlation-id generators and phases as pure parts, after Kong's kong/plugins/correlation-id/
// handler.lua (the `generators` table, access, header_filter) and the patterns of its
// spec/03-plugins/11-correlation-id/01-access_spec.lua (UUID_PATTERN, UUID_COUNTER_PATTERN, TRACKER_PATTERN).

import t from 'tap'
import fc from 'fast-check'
import type { Socket } from 'node:net'
import { tracker, uuid, uuidCounter } from '../../../src/plugins/correlation-id/generators.ts'
import { CorrelationId } from '../../../src/plugins/correlation-id/handler.ts'
import { correlationIdSchema } from '../../../src/plugins/correlation-id/schema.ts'
import { validate } from '../../../src/config/schema/engine.ts'
import type { Plugin } from '../../../src/config/types.ts'
import type { ProxyContext } from '../../../src/plugins/types.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const UUID_COUNTER = /^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})#(\d+)$/
const TRACKER = /^(.*)-(\d+)-(\d+)-(\d+)-(\d+)-(\d{10}\.\d{3})$/

t.test('uuid: a fresh v4 UUID each time', async (t) => {
  const a = uuid()
  const b = uuid()
  t.match(a, UUID)
  t.match(b, UUID)
  t.not(a, b)
})

t.test('uuid#counter: one worker uuid, a counter going up by one', async (t) => {
  const first = UUID_COUNTER.exec(uuidCounter())
  const second = UUID_COUNTER.exec(uuidCounter())
  t.ok(first !== null && second !== null, "Kong's <uuid>#<n> format")
  t.equal(first![1], second![1], 'the same uuid for the whole worker')
  t.equal(Number(second![2]), Number(first![2]) + 1, 'the counter part increments')
})

t.test("tracker: Kong's six fields from the socket", async (t) => {
  const socket = { localAddress: '127.0.0.1', localPort: 8000 } as unknown as Socket
  const other = { localAddress: '::1', localPort: 8443 } as unknown as Socket
  const one = TRACKER.exec(tracker(socket))
  const two = TRACKER.exec(tracker(socket))
  const three = TRACKER.exec(tracker(other))
  t.ok(one !== null && two !== null && three !== null)
  t.equal(one![1], '127.0.0.1', 'server_addr')
  t.equal(one![2], '8000', 'server_port')
  t.equal(one![3], String(process.pid), 'pid')
  t.equal(one![4], two![4], 'the same connection serial on one connection')
  t.not(one![4], three![4], 'another connection, another serial')
  t.equal([one![5], two![5], three![5]].join(), '1,2,1', 'connection_requests counts per connection')
  t.ok(Math.abs(Number(one![6]) - Date.now() / 1000) < 5, 'seconds with milliseconds')
  t.match(tracker(null), /^--\d+---\d+\.\d{3}$/, 'no socket left: the socket fields are empty')
})

function plugin (config: Record<string, unknown>): Plugin {
  const { value, issues } = validate(correlationIdSchema.configSchema, config, 'config')
  if (issues.length > 0) throw new Error(JSON.stringify(issues))
  return { id: 'p1', name: 'correlation-id', config: value } as unknown as Plugin
}

function context (headers: Record<string, string>): ProxyContext {
  const socket = { localAddress: '127.0.0.1', localPort: 8000 }
  return { req: { headers, socket }, upstreamHeaders: { ...headers } } as unknown as ProxyContext
}

t.test('schema: Kong defaults and the generator values', async (t) => {
  t.strictSame(plugin({}).config, { header_name: 'Kong-Request-ID', generator: 'uuid#counter', echo_downstream: false })
  const bad = validate(correlationIdSchema.configSchema, { generator: 'snowflake' }, 'config')
  t.match(bad.issues, [{ path: 'config.generator', message: /expected one of: uuid, uuid#counter, tracker/ }])
  const unknown = validate(correlationIdSchema.configSchema, { header: 'x' }, 'config')
  t.match(unknown.issues, [{ path: 'config.header', message: 'unknown field' }])
})

t.test('access: generates when absent or empty, keeps what the client sent', async (t) => {
  const instance = new CorrelationId(plugin({ header_name: 'X-Correlation-ID', generator: 'uuid' }), 100001)
  t.equal(instance.headerFilter, null, 'no header_filter without echo_downstream')
  let ctx = context({})
  instance.access(ctx)
  t.match(ctx.upstreamHeaders['x-correlation-id'], UUID, 'generated, under the lower-cased name')
  ctx = context({ 'x-correlation-id': '' })
  instance.access(ctx)
  t.match(ctx.upstreamHeaders['x-correlation-id'], UUID, 'an empty value is replaced')
  ctx = context({ 'x-correlation-id': 'foobar' })
  instance.access(ctx)
  t.equal(ctx.upstreamHeaders['x-correlation-id'], 'foobar', 'kept')
})

t.test('access keeps any non-empty client value verbatim (property)', async (t) => {
  const instance = new CorrelationId(plugin({}), 100001)
  t.doesNotThrow(() => fc.assert(fc.property(fc.string({ minLength: 1 }), (value) => {
    const ctx = context({ 'kong-request-id': value })
    instance.access(ctx)
    return ctx.upstreamHeaders['kong-request-id'] === value
  })))
})

t.test('header_filter with echo_downstream: the id access decided, else the request\'s, else a new one', async (t) => {
  const instance = new CorrelationId(plugin({ echo_downstream: true, generator: 'tracker' }), 100001)
  let ctx = context({})
  instance.access(ctx)
  const headers: Record<string, string | string[]> = { 'content-type': 'text/plain' }
  instance.headerFilter!(ctx, 200, headers)
  t.equal(headers['kong-request-id'], ctx.upstreamHeaders['kong-request-id'], 'the generated id goes back')
  t.match(headers['kong-request-id'], TRACKER)

  ctx = context({ 'kong-request-id': 'mine' })
  delete ctx.upstreamHeaders['kong-request-id']
  instance.headerFilter!(ctx, 418, headers)
  t.equal(headers['kong-request-id'], 'mine', 'access did not run: the incoming header')

  ctx = context({})
  instance.headerFilter!(ctx, 418, headers)
  t.match(headers['kong-request-id'], TRACKER, 'nothing at all: a fresh id')
})
