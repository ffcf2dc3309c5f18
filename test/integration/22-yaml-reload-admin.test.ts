// YAML where a running gateway reads configs (issue 18): SIGHUP re-reads a YAML file (a new route live; a
// broken file rejected with its line, the old config serving), and POST /config takes YAML bodies as
// Kong's /config does (application/yaml, text/yaml, and application/x-yaml; YAML in {"config": "..."} and
// in a form field), with the same bounds (an alias bomb is a 400 at once). YAML types are refused (415)
// on other paths.

import t from 'tap'
import { startUpstream } from '../helpers/upstream.ts'
import { call, gatewayFor } from './admin/admin-helpers.ts'

t.test('YAML on SIGHUP and POST /config', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await gatewayFor(t, { services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'a', paths: ['/a'] }] }] }, { configName: 'kong.yaml' })
  const admin = async (method: string, path: string, body?: string | object, headers?: Record<string, string>) =>
    await call(gateway.adminUrl, method, path, { body, headers })
  const proxy = async (path: string) => (await call(gateway.proxyUrl, 'GET', path)).status
  const settings = '_format_version: "3.0"\nproxy_listen: 127.0.0.1:0\nadmin_listen: 127.0.0.1:0\nworker_processes: 1\nlog_level: notice\n'
  const yamlWith = (route: string): string =>
    `_format_version: "3.0"\nservices:\n  - name: echo\n    url: ${upstream.url}\n    routes:\n      - name: ${route}\n        paths: [/${route}]\n        strip_path: yes\n`

  t.test('SIGHUP: a YAML file reloads; a broken one is rejected with its line, the old config serving', async (t) => {
    await gateway.writeText(`${settings}${yamlWith('b').slice('_format_version: "3.0"\n'.length)}`)
    t.equal((await gateway.reload()).event, 'reloaded')
    t.equal(await proxy('/b'), 200)
    await gateway.writeText(`${settings}services:\n  - name: echo\n    url: ${upstream.url}\n    routes:\n      - name: c\n        paths: [c]\n`)
    const rejected = await gateway.reload()
    t.equal(rejected.event, 'reload_rejected')
    t.match(rejected.issues, [{ source: gateway.configFile, path: 'services[0].routes[0].paths[0]', line: 11, column: 17 }])
    t.equal(await proxy('/b'), 200, 'the old config still serves')
  })

  t.test('POST /config: YAML bodies under each YAML content type', async (t) => {
    for (const [type, route] of [['application/yaml', 'y1'], ['text/yaml; charset=utf-8', 'y2'], ['application/x-yaml', 'y3']]) {
      const reply = await admin('POST', '/config', yamlWith(route), { 'content-type': type })
      t.equal(reply.status, 201, `${type}: ${reply.text}`)
      t.equal(await proxy(`/${route}`), 200)
    }
  })

  t.test('POST /config: YAML in Kong\'s {"config": "..."} and in a form field', async (t) => {
    t.equal((await admin('POST', '/config', { config: yamlWith('wrapped') })).status, 201)
    t.equal(await proxy('/wrapped'), 200)
    const form = `config=${encodeURIComponent(yamlWith('form'))}`
    t.equal((await admin('POST', '/config', form, { 'content-type': 'application/x-www-form-urlencoded' })).status, 201)
    t.equal(await proxy('/form'), 200)
  })

  t.test('POST /config: broken YAML and an alias bomb are Kong\'s 400 code 14; YAML elsewhere is 415', async (t) => {
    const broken = await admin('POST', '/config', 'services: [\n  - a: 1\n', { 'content-type': 'application/yaml' })
    t.equal(broken.status, 400)
    t.match(broken.json(), { code: 14, name: 'invalid declarative configuration', fields: { error: /^failed parsing declarative configuration: invalid YAML at line \d+ column \d+: / } })
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`)
    const started = performance.now()
    const bomb = await admin('POST', '/config', levels.join('\n'), { 'content-type': 'text/yaml' })
    t.equal(bomb.status, 400)
    t.match(bomb.json(), { code: 14, fields: { error: /alias bomb/ } })
    t.ok(performance.now() - started < 5000, 'answered at once')
    t.equal((await admin('POST', '/services', 'name: x', { 'content-type': 'application/yaml' })).status, 415, 'Kong accepts YAML on /config only')
    t.equal((await admin('POST', '/config', yamlWith('plain'), { 'content-type': 'text/plain' })).status, 415)
    t.equal(await proxy('/form'), 200, 'the last good config still serves')
  })
})
