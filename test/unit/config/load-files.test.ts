// Loading what `--config` names (loadConfigFiles): YAML files, several files merged as decK merges state
// files (entities concatenated, references across files, duplicates and conflicts naming both files), a
// folder's files in name order, errors naming the right file with the YAML line, YAML 1.1 scalars in
// string fields as decK converts them, the size bound checked before reading (a sparse 100 MB file), and
// the round trip YAML -> convert -> JSON -> load with the same hash (with and without defaults).

import t from 'tap'
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, type ConfigIssue } from '../../../src/core/errors.ts'
import { convertConfigFiles, loadConfigFile, loadConfigFiles } from '../../../src/config/load.ts'

const REPO = new URL('../../../', import.meta.url).pathname
const ENV = { DECK_UPSTREAM_URL: 'http://127.0.0.1:9', DECK_ISSUER: 'https://idp.example/', DECK_CLIENT_ID: 'c', DECK_CLIENT_SECRET: 's', DECK_TOKEN_SALT: 'salt' }

async function issuesOf (promise: Promise<unknown>): Promise<readonly ConfigIssue[]> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ConfigError) return err.issues
    throw err
  }
  throw new Error('the config loaded, but errors were expected')
}

t.test('loadConfigFiles', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-files-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name)
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, text)
    return path
  }

  t.test('the repo ships config.yaml equivalent to config.json (the same hash)', async (t) => {
    const json = await loadConfigFile(join(REPO, 'config.json'), ENV)
    const yaml = await loadConfigFile(join(REPO, 'config.yaml'), ENV)
    t.equal(yaml.hash, json.hash)
    t.equal(yaml.source, join(REPO, 'config.yaml'))
  })

  t.test('YAML 1.1 booleans: a boolean field takes yes/on, a string field gets "true" as decK writes it', async (t) => {
    const path = await file('bools.yaml', [
      '_format_version: "3.0"',
      'services:',
      '  - name: yes',
      '    url: http://127.0.0.1:9',
      '    tags: [on, off, 0777]',
      '    routes:',
      '      - name: r',
      '        paths: [/r]',
      '        strip_path: no',
      '        preserve_host: on',
      'plugins:',
      '  - name: key-auth',
      '    config:',
      '      hide_credentials: yes',
    ].join('\n'))
    const config = await loadConfigFile(path, {})
    const service = config.entities.services[0]
    t.equal(service.name, 'true', 'name: yes is the string "true" (sigs.k8s.io/yaml into a string field)')
    t.same(service.tags, ['true', 'false', '511'])
    t.equal(config.entities.routes[0].strip_path, false)
    t.equal(config.entities.routes[0].preserve_host, true)
    t.equal((config.entities.plugins[0].config as Record<string, unknown>).hide_credentials, true)
  })

  t.test('a YAML boolean in a plugin config string field is an error (an untyped map in decK, as Kong sees it)', async (t) => {
    const path = await file('plugin-bool.yaml', '_format_version: "3.0"\nplugins:\n  - name: key-auth\n    config:\n      key_names: [on]\n')
    const issues = await issuesOf(loadConfigFile(path, {}))
    t.match(issues, [{ source: path, path: 'plugins[0].config.key_names[0]', message: 'expected a string', line: 5, column: 19 }])
  })

  t.test('validation errors in YAML name the file, the path and the line', async (t) => {
    const path = await file('bad.yaml', '_format_version: "3.0"\nservices:\n  - name: s\n    url: http://127.0.0.1:9\n    routes:\n      - name: r\n        paths: [nope]\n')
    const err = await loadConfigFile(path, {}).catch((e: unknown) => e)
    t.ok(err instanceof ConfigError)
    t.match((err as ConfigError).issues, [{ source: path, path: 'services[0].routes[0].paths[0]', line: 7, column: 17 }])
    t.match((err as ConfigError).message, `${path}:7:17: services[0].routes[0].paths[0]: should start with`)
  })

  t.test('syntax errors name the file and the line', async (t) => {
    const path = await file('syntax.yml', 'services:\n  - name: [a\n')
    t.match(await issuesOf(loadConfigFile(path, {})), [{ source: path, path: '', message: /^invalid YAML at line \d+ column \d+: / }])
    const json = await file('syntax.json', '{\n "a": }')
    t.match(await issuesOf(loadConfigFile(json, {})), [{ source: json, message: 'invalid JSON at line 2 column 7: unexpected character "}": expected a value' }])
  })

  t.test('several files: entities concatenated, references across files resolved', async (t) => {
    const a = await file('multi/a.yaml', '_format_version: "3.0"\nservices:\n  - name: svc-a\n    url: http://127.0.0.1:9\n    routes: [{name: ra, paths: [/a]}]\n')
    const b = await file('multi/b.json', JSON.stringify({ _format_version: '3.0', routes: [{ name: 'rb', paths: ['/b'], service: 'svc-a' }], plugins: [{ name: 'key-auth', service: 'svc-a' }] }))
    const c = await file('multi/c.yml', 'services:\n  - name: svc-c\n    url: http://127.0.0.1:9\n')
    const config = await loadConfigFiles([a, b, c], {})
    t.same(config.entities.services.map((s) => s.name), ['svc-a', 'svc-c'])
    t.same(config.entities.routes.map((r) => r.name).sort(), ['ra', 'rb'])
    const svcA = config.entities.services[0].id
    t.equal(config.entities.routes.find((r) => r.name === 'rb')!.service?.id, svcA, 'a route in b.json on the service of a.yaml')
    t.equal(config.entities.plugins[0].service?.id, svcA)
    t.equal(config.source, `${a}, ${b}, ${c}`)
    const folder = await loadConfigFiles([join(dir, 'multi')], {})
    t.equal(folder.hash, config.hash, 'the folder: its files in name order')
  })

  t.test('several files: a name declared in two files is an error naming both', async (t) => {
    const a = await file('dup/a.yaml', '_format_version: "3.0"\nservices:\n  - name: same\n    url: http://127.0.0.1:9\n')
    const b = await file('dup/b.yaml', '_format_version: "3.0"\nservices:\n  - name: other\n    url: http://127.0.0.1:9\n  - name: same\n    url: http://127.0.0.1:9\n')
    const issues = await issuesOf(loadConfigFiles([a, b], {}))
    t.equal(issues.length, 1)
    t.match(issues[0], { source: b, path: 'services[1].name', line: 5 })
    t.match(issues[0].message, `already declared at ${a}: services[0]`)
  })

  t.test('several files: a setting or _format_version given differently is an error naming both', async (t) => {
    const a = await file('conflict/a.yaml', '_format_version: "3.0"\nworker_processes: 2\n')
    const b = await file('conflict/b.yaml', '_format_version: "3.0"\nworker_processes: 3\n_plugin_configs:\n  x: {}\n')
    const c = await file('conflict/c.yaml', '_format_version: "1.1"\n_plugin_configs:\n  x: {a: 1}\n')
    const issues = await issuesOf(loadConfigFiles([a, b, c], {}))
    t.match(issues, [
      { source: b, path: 'worker_processes', message: `set to a different value in ${a}: several files must agree` },
      { source: c, path: '_format_version', message: `set to a different value in ${a}: several files must agree` },
      { source: c, path: '_plugin_configs.x', message: `a different _plugin_config of this name is in ${b}: several files must agree` },
    ])
    const same = await file('conflict/d.yaml', '_format_version: "3.0"\nworker_processes: 2\n')
    t.equal((await loadConfigFiles([a, same], {})).settings.worker_processes, 2, 'the same value in both is fine')
  })

  t.test('errors in the second file name it, with its own paths and lines', async (t) => {
    const a = await file('second/a.yaml', '_format_version: "3.0"\nservices:\n  - name: a\n    url: http://127.0.0.1:9\n')
    const b = await file('second/b.yaml', '_format_version: "3.0"\nservices:\n  - name: b\n    url: http://127.0.0.1:9\n    bogus: 1\nroutes:\n  - name: r\n    paths: [/r]\n    service: nope\n')
    const issues = await issuesOf(loadConfigFiles([a, b], {}))
    t.match(issues, [
      { source: b, path: 'services[0].bogus', message: 'unknown field', line: 5 },
      { source: b, path: 'routes[0].service', line: 9 },
    ])
  })

  t.test('a folder: subfolders included, other files ignored; an empty folder is an error', async (t) => {
    await file('tree/10-b.yaml', 'services:\n  - name: b\n    url: http://127.0.0.1:9\n')
    await file('tree/00/a.json', JSON.stringify({ _format_version: '3.0', services: [{ name: 'a', url: 'http://127.0.0.1:9' }] }))
    await file('tree/README.md', '# not a config')
    const config = await loadConfigFiles([join(dir, 'tree')], {})
    t.same(config.entities.services.map((s) => s.name), ['a', 'b'])
    await mkdir(join(dir, 'empty'))
    t.match(await issuesOf(loadConfigFiles([join(dir, 'empty')], {})), [{ message: /holds no \.json, \.yaml or \.yml/ }])
    t.match(await issuesOf(loadConfigFiles([join(dir, 'missing.yaml')], {})), [{ message: 'cannot read the file (ENOENT)' }])
  })

  t.test('a 100 MB file is refused by its size, before it is read', async (t) => {
    for (const name of ['huge.json', 'huge.yaml']) {
      const path = join(dir, name)
      await writeFile(path, '')
      // sparse: the test writes nothing; reading it would take 100 MB
      await truncate(path, 100 * 1024 * 1024)
      const before = process.memoryUsage().rss
      const started = performance.now()
      t.match(await issuesOf(loadConfigFile(path, {})), [{ source: path, message: /^the file is 104857600 bytes, more than the \d+ a (JSON|YAML) config may have$/ }])
      t.ok(performance.now() - started < 1000, `${name} refused within a second`)
      t.ok(process.memoryUsage().rss - before < 50 * 1024 * 1024, `${name}: memory bounded`)
    }
  })

  t.test('round trip: YAML -> convert -> JSON -> load gives the same hash, with or without defaults', async (t) => {
    const yaml = await file('round/kong.yml', [
      '_format_version: "3.0"',
      '_plugin_configs:',
      '  shared: {hide_credentials: yes}',
      '_info:',
      '  select_tags: [team-a]',
      '  defaults:',
      '    service: {retries: 2}',
      'services:',
      '  - <<: &base {url: "http://127.0.0.1:9", connect_timeout: 5000}',
      '    name: s1',
      '    routes: [{name: r1, paths: [/one], strip_path: off}]',
      '    plugins: [{name: key-auth, _config: shared}]',
      '  - <<: *base',
      '    name: s2',
      'consumers:',
      '  - username: alice',
      '    keyauth_credentials: [{key: secret-key}]',
    ].join('\n'))
    const first = await loadConfigFile(yaml, {})
    t.same(first.entities.services.map((s) => [s.name, s.connect_timeout, s.retries, s.tags]), [['s1', 5000, 2, ['team-a']], ['s2', 5000, 2, ['team-a']]])
    for (const defaults of [false, true]) {
      const converted = await convertConfigFiles([yaml], defaults, {})
      const json = await file(`round/out-${defaults}.json`, JSON.stringify(converted))
      const again = await loadConfigFile(json, {})
      t.equal(again.hash, first.hash, `defaults ${defaults}: same hash`)
      t.ok(JSON.stringify(converted).includes('secret-key'), 'secrets kept as written')
    }
    t.equal((await convertConfigFiles([yaml], true, {})).services !== undefined, true)
  })
})
