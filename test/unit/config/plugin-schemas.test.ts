// The plugin schema registry and Kong's request-termination schema.

import t from 'tap'
import { pluginSchemas } from '../../../src/plugins/schemas.ts'
import { validate } from '../../../src/config/schema/engine.ts'

const info = pluginSchemas.get('request-termination')

t.test('request-termination is registered with Kong priority', async (t) => {
  if (info === undefined) throw new Error('request-termination is not registered')
  t.equal(info.name, 'request-termination')
  t.equal(info.PRIORITY, 2)
  t.equal(info.noConsumer, false)
  for (const [name, schema] of pluginSchemas) t.equal(schema.name, name, `${name} is keyed by its own name`)
})

t.test('request-termination config rules', async (t) => {
  if (info === undefined) throw new Error('request-termination is not registered')
  const check = (config: unknown) => validate(info.configSchema, config, 'config')
  t.strictSame(check({ status_code: 200, body: '<h1>down</h1>', content_type: 'text/html' }).issues, [])
  t.strictSame(check({ echo: true, trigger: 'X-Debug' }).issues, [])
  t.strictSame(check({ trigger: 'x-maintenance', message: 'later' }).issues, [], 'trigger works without echo (Kong 3.x)')
  t.strictSame(check({ status_code: 99 }).issues, [{ path: 'config.status_code', message: 'value should be between 100 and 599' }])
  t.strictSame(check({ message: 'a', content_type: 'text/plain', body: 'b' }).issues,
    [{ path: 'config', message: 'message cannot be used with content_type or body' }])
  t.strictSame(check({ content_type: 'text/plain' }).issues, [{ path: 'config', message: 'content_type requires a body' }])
  t.strictSame(check({ echo: true, body: 'b' }).issues, [{ path: 'config', message: 'echo cannot be used with content_type and body' }])
  t.strictSame(check({ status_code: null }).issues, [{ path: 'config.status_code', message: 'required field missing' }])
  t.strictSame(check({ message: '' }).issues, [{ path: 'config.message', message: 'length must be at least 1' }])
})
