// rate-limiting's schema, case for case after Kong's spec/03-plugins/23-rate-limiting/01-schema_spec.lua
// and kong/plugins/rate-limiting/schema.lua: defaults, period order, at least one period, the limit_by
// conditionals, the redis record and the deprecated redis_* fields, and Tollgate's refusals of
// policy redis and cluster (naming config.policy).

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { doc, issuesOf, SOURCE } from '../../unit/config/issues.ts'

const plugin = (config: Record<string, unknown>) => doc({ plugins: [{ name: 'rate-limiting', config }] })
const load = (config: Record<string, unknown>) => loadConfigObject(plugin(config), SOURCE, {}).entities.plugins[0].config
const issues = (config: Record<string, unknown>) => issuesOf(plugin(config)).map((i) => [i.path, i.message])

t.test('proper configs validate, with Kong\'s defaults', async (t) => {
  t.strictSame(load({ second: 10 }), {
    second: 10,
    minute: null,
    hour: null,
    day: null,
    month: null,
    year: null,
    limit_by: 'consumer',
    header_name: null,
    path: null,
    policy: 'local',
    fault_tolerant: true,
    hide_client_headers: false,
    error_code: 429,
    error_message: 'API rate limit exceeded',
    sync_rate: -1
  }, 'the redis record is validated and left out')
  t.equal(load({ second: 10, hour: 20 }).hour, 20, '(bis)')
  t.equal(load({ second: 10, limit_by: 'header', header_name: 'X-App-Key' }).header_name, 'X-App-Key', '(header)')
  t.equal(load({ second: 10, limit_by: 'path', path: '/request' }).path, '/request', '(path)')
  t.equal(load({ minute: 1.5 }).minute, 1.5, 'a limit is a number, not only an integer')
})

t.test('limits: a smaller unit cannot have a bigger limit', async (t) => {
  t.strictSame(issues({ second: 20, hour: 10 }), [['plugins[0].config', 'The limit for hour(10.0) cannot be lower than the limit for second(20.0)']])
  t.strictSame(issues({ second: 20, month: 60, year: 50 }), [['plugins[0].config', 'The limit for year(50.0) cannot be lower than the limit for month(60.0)']])
})

t.test('at least one period; limits are > 0', async (t) => {
  t.strictSame(issues({}), [['plugins[0].config', "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'"]])
  t.equal(issues({ second: 0 }).length, 1, 'zero is refused')
  t.equal(issues({ second: 0 })[0][0], 'plugins[0].config.second')
})

t.test('limit_by header needs header_name, limit_by path needs path', async (t) => {
  t.strictSame(issues({ second: 10, limit_by: 'header' }), [['plugins[0].config.header_name', 'required field missing']])
  t.strictSame(issues({ second: 10, limit_by: 'path' }), [['plugins[0].config.path', 'required field missing']])
  t.equal(issues({ second: 10, limit_by: 'cookie' })[0][0], 'plugins[0].config.limit_by')
  t.match(issues({ second: 10, limit_by: 'header', header_name: 'bad name' })[0], ['plugins[0].config.header_name', /bad header name/])
  t.match(issues({ second: 10, limit_by: 'path', path: 'no-slash' })[0], ['plugins[0].config.path', /should start with: \//])
  t.match(issues({ second: 10, limit_by: 'path', path: '/a//b' })[0], ['plugins[0].config.path', /empty segments/])
})

t.test('policy: local only, redis and cluster each refused with the reason', async (t) => {
  const redis = issues({ second: 10, policy: 'redis', redis: { host: 'localhost' } })
  t.equal(redis.length, 1)
  t.equal(redis[0][0], 'plugins[0].config.policy')
  t.match(redis[0][1], /not supported by Tollgate yet \(comes with the Redis cluster issue\)/)
  const cluster = issues({ second: 10, policy: 'cluster' })
  t.equal(cluster[0][0], 'plugins[0].config.policy')
  t.match(cluster[0][1], /needs a database/)
  t.equal(issues({ second: 10, policy: 'memory' })[0][0], 'plugins[0].config.policy')
})

t.test('sync_rate: -1 only, as Kong requires without policy redis', async (t) => {
  t.strictSame(issues({ second: 10, sync_rate: 10 }), [['plugins[0].config', 'sync_rate can only be used with the redis policy']])
  t.equal(load({ second: 10, sync_rate: -1 }).sync_rate, -1)
})

t.test('the redis record and the deprecated redis_* fields are accepted (Kong dumps them)', async (t) => {
  t.doesNotThrow(() => load({
    second: 10,
    redis: { host: 'localhost', port: 6379, timeout: 2000, username: null, password: null, database: 0, ssl: false, ssl_verify: false, server_name: null }
  }), 'new structure, as Kong dumps it')
  t.doesNotThrow(() => load({ second: 10, redis_host: 'localhost', redis_port: 6379, redis_timeout: 1100, redis_database: 2, redis_password: 'pw' }), 'legacy structure')
  t.equal(issues({ second: 10, redis: { port: 'x' } })[0][0], 'plugins[0].config.redis.port')
})
