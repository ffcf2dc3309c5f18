// decK's environment substitution: ${{ env "DECK_NAME" }} in string values.
/* eslint-disable no-template-curly-in-string -- decK placeholders are literal ${{ ... }} text, not templates */

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { SOURCE, doc, issuesOf, sortIssues } from './issues.ts'

const env = { DECK_HOST: 'billing.internal', DECK_PORT: '8443', DECK_TAG: 'prod', DECK_TRUE: 'true', DECK_EMPTY: '' }

t.test('substitutes a variable, with flexible whitespace', async (t) => {
  const config = loadConfigObject(doc({
    services: [
      { name: 'a', host: '${{ env "DECK_HOST" }}' },
      { name: 'b', host: '${{env "DECK_HOST"}}' },
      { name: 'c', host: '${{   env   "DECK_HOST"   }}' },
    ],
  }), SOURCE, env)
  t.strictSame(config.entities.services.map((s) => s.host), ['billing.internal', 'billing.internal', 'billing.internal'])
})

t.test('several placeholders in one string, and text around them', async (t) => {
  const config = loadConfigObject(doc({
    services: [{ name: 's', url: 'https://${{ env "DECK_HOST" }}:${{ env "DECK_PORT" }}/${{ env "DECK_TAG" }}/api' }],
  }), SOURCE, env)
  const [service] = config.entities.services
  t.strictSame([service.host, service.port, service.path], ['billing.internal', 8443, '/prod/api'])
})

t.test('in nested values: arrays, plugin configs, settings', async (t) => {
  const config = loadConfigObject(doc({
    proxy_listen: '127.0.0.1:${{ env "DECK_PORT" }}',
    services: [{
      name: 's',
      host: 'h',
      tags: ['${{ env "DECK_TAG" }}'],
      routes: [{ paths: ['/${{ env "DECK_TAG" }}'], plugins: [{ name: 'request-termination', config: { message: 'down in ${{ env "DECK_TAG" }}' } }] }],
    }],
  }), SOURCE, env)
  t.equal(config.settings.proxy_listen[0].port, 8443)
  t.strictSame(config.entities.services[0].tags, ['prod'])
  t.strictSame(config.entities.routes[0].paths, ['/prod'])
  t.equal(config.entities.plugins[0].config.message, 'down in prod')
})

t.test('an empty variable is a value, not a missing one', async (t) => {
  const config = loadConfigObject(doc({ services: [{ name: 's', host: 'h', tags: ['a${{ env "DECK_EMPTY" }}'] }] }), SOURCE, env)
  t.strictSame(config.entities.services[0].tags, ['a'])
})

t.test('converters turn a whole-value placeholder into a typed value', async (t) => {
  const config = loadConfigObject(doc({
    services: [{ name: 's', host: 'h', port: '${{ env "DECK_PORT" | toInt }}', enabled: '${{ env "DECK_TRUE" | toBool }}' }],
  }), SOURCE, env)
  t.equal(config.entities.services[0].port, 8443)
  t.equal(config.entities.services[0].enabled, true)
  t.strictSame(issuesOf(doc({ services: [{ name: 's', host: 'h', port: '${{ env "DECK_HOST" | toInt }}', retries: '${{ env "DECK_PORT" | toNumber }}' }] }), env), sortIssues([
    { path: 'services[0].port', message: "environment variable 'DECK_HOST' cannot be converted by toInt" },
    { path: 'services[0].retries', message: "unknown function 'toNumber' (expected toBool, toInt or toFloat)" },
  ]))
})

t.test('a missing variable is an error naming it and the path', async (t) => {
  t.strictSame(issuesOf(doc({
    services: [{ name: 's', host: '${{ env "DECK_NOPE" }}', routes: [{ paths: ['/${{ env "DECK_ALSO_NOPE" }}'] }] }],
  }), env), sortIssues([
    { path: 'services[0].host', message: "environment variable 'DECK_NOPE' is not set" },
    { path: 'services[0].routes[0].paths[0]', message: "environment variable 'DECK_ALSO_NOPE' is not set" },
  ]), 'and the unsubstituted value is not reported again as an invalid host or path')
})

t.test('only DECK_ variables may be read', async (t) => {
  t.strictSame(issuesOf(doc({ services: [{ name: 's', host: '${{ env "HOME" }}' }] }), { HOME: '/root' }), [
    { path: 'services[0].host', message: "environment variable 'HOME' cannot be used: names must start with DECK_" },
  ])
})

t.test('a placeholder that is not an env call is an error', async (t) => {
  t.strictSame(issuesOf(doc({ services: [{ name: 's', host: '${{ .Values.host }}' }] }), env), [
    { path: 'services[0].host', message: 'invalid placeholder \'${{ .Values.host }}\': expected ${{ env "DECK_NAME" }}' },
  ])
})

t.test('a variable value never reaches a message', async (t) => {
  const issues = issuesOf(doc({ services: [{ name: 's', host: 'h', port: '${{ env "DECK_SECRET" | toInt }}' }] }), { DECK_SECRET: 'hunter2' })
  t.equal(issues.length, 1)
  t.notMatch(issues[0].message, /hunter2/)
})

t.test('process.env is the default', async (t) => {
  process.env.DECK_TOLLGATE_TEST_HOST = 'from-process.local'
  t.teardown(() => { delete process.env.DECK_TOLLGATE_TEST_HOST })
  const config = loadConfigObject(doc({ services: [{ name: 's', host: '${{ env "DECK_TOLLGATE_TEST_HOST" }}' }] }), SOURCE)
  t.equal(config.entities.services[0].host, 'from-process.local')
})
