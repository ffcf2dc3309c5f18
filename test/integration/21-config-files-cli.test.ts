// The CLI with YAML and several files (issue 18): `check` takes .yaml/.yml, repeated --config and folders
// with its exit codes (0 valid, 1 invalid with file:line: path, 2 bad usage); `convert --from .. --to ..`
// writes JSON that checks with the same hash, with and without --defaults, and exits 1 on an invalid config.

import t from 'tap'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { BIN, runCli } from '../helpers/gateway.ts'

const HASH = /configuration is valid \(hash ([0-9a-f]{32})\)/

function hashOf (stdout: string): string {
  const match = HASH.exec(stdout)
  if (match === null) throw new Error(`no hash in ${stdout}`)
  return match[1]
}

t.test('the CLI with YAML and several files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-cli-yaml-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const services = join(dir, 'services.yaml')
  const plugins = join(dir, 'plugins.yml')
  const bad = join(dir, 'bad.yaml')
  await writeFile(services, '_format_version: "3.0"\nservices:\n  - name: echo\n    url: http://127.0.0.1:9\n    routes:\n      - name: r\n        paths: [/r]\n')
  await writeFile(plugins, '_format_version: "3.0"\nplugins:\n  - name: key-auth\n    service: echo\n    config: {hide_credentials: yes}\n')
  await writeFile(bad, '_format_version: "3.0"\nservices:\n  - name: echo\n    url: http://127.0.0.1:9\n    retries: many\n')

  t.test('check: YAML files merged, or their folder, exit 0 with the same hash', async (t) => {
    await writeFile(join(dir, 'notes.txt'), 'ignored')
    const [files, folder, reversed] = await Promise.all([
      runCli([BIN, 'check', '--config', services, '-c', plugins]),
      runCli([BIN, 'check', '--config', dir]),
      runCli([BIN, 'check', '-c', plugins, '-c', services]),
    ])
    t.equal(files.code, 0, files.stderr)
    t.match(files.stdout, `${services}, ${plugins}: configuration is valid`)
    t.equal(folder.code, 1, 'bad.yaml is in the folder too')
    t.match(folder.stderr, `${bad}:5:14: services[0].retries: expected an integer`)
    t.equal(hashOf(reversed.stdout), hashOf(files.stdout), 'file order does not change the config')
  })

  t.test('check: an invalid YAML file exits 1 with file:line:column and path', async (t) => {
    const syntax = join(dir, 'syntax.yml')
    await writeFile(syntax, 'services: [\n')
    const [result, broken] = await Promise.all([runCli([BIN, 'check', '-c', bad]), runCli([BIN, 'check', '-c', syntax])])
    t.equal(result.code, 1)
    t.match(result.stderr, `${bad}:5:14: services[0].retries: `)
    t.equal(broken.code, 1)
    t.match(broken.stderr, new RegExp(`${syntax}: \\(root\\): invalid YAML at line \\d+ column \\d+`))
  })

  t.test('convert: JSON that checks with the same hash, with and without --defaults; secrets kept', async (t) => {
    const original = hashOf((await runCli([BIN, 'check', '-c', services, '-c', plugins])).stdout)
    for (const flags of [[], ['--defaults']]) {
      const out = join(dir, `out${flags.length}.json`)
      const converted = await runCli([BIN, 'convert', '--from', services, '--from', plugins, '--to', out, ...flags])
      t.equal(converted.code, 0, converted.stderr)
      t.equal((await stat(out)).mode & 0o777, 0o600, 'written for its owner only: it may hold secrets')
      const document = JSON.parse(await readFile(out, 'utf8')) as { plugins: Array<{ config: { hide_credentials: boolean } }> }
      t.equal(document.plugins[0].config.hide_credentials, true, 'yes read as decK reads it')
      const again = await runCli([BIN, 'check', '-c', out])
      t.equal(hashOf(again.stdout), original, `${flags.join('') || 'as written'}: the same hash`)
    }
    const stdout = await runCli([BIN, 'convert', '--from', services, '--to', '-'])
    t.equal(stdout.code, 0)
    t.equal((JSON.parse(stdout.stdout) as { services: unknown[] }).services.length, 1)
  })

  t.test('convert: an invalid config exits 1 and writes nothing; missing --to is usage (2)', async (t) => {
    const out = join(dir, 'never.json')
    const [result, usage] = await Promise.all([runCli([BIN, 'convert', '--from', bad, '--to', out]), runCli([BIN, 'convert', '--from', bad])])
    t.equal(result.code, 1)
    t.match(result.stderr, 'services[0].retries')
    await t.rejects(stat(out), { code: 'ENOENT' })
    t.equal(usage.code, 2)
  })
})
