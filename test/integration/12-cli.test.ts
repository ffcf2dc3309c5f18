// The CLI: `tollgate check` (exit 0, or 1 with every error by file and JSON path), `npx tollgate` through
// the package bin on the pinned Node, and `tollgate start` refusing an invalid config (exit 1, config_invalid).

import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { tmpdir } from 'node:os'
import { BIN, REPO_ROOT, runCli, type CliResult } from '../helpers/gateway.ts'
import { VERSION } from '../../src/core/version.ts'

const VALID = {
  _format_version: '3.0',
  services: [{ name: 'echo', url: 'http://127.0.0.1:9', routes: [{ name: 'r', paths: ['/r'] }] }]
}
const INVALID = {
  _format_version: '3.0',
  worker_processes: 0,
  services: [{
    name: 'echo',
    url: 'http://127.0.0.1:9',
    routes: [{ name: 'a', paths: ['no-slash'] }, { name: 'b', paths: ['/b'], methods: ['get'], bogus: 1 }]
  }]
}
const INVALID_PATHS = ['worker_processes', 'services[0].routes[0].paths[0]', 'services[0].routes[1].methods[0]', 'services[0].routes[1].bogus']

t.test('the CLI', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-cli-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const valid = join(dir, 'valid.json')
  const invalid = join(dir, 'invalid.json')
  await writeFile(valid, JSON.stringify(VALID))
  await writeFile(invalid, JSON.stringify(INVALID))

  t.test('check: a valid file exits 0', async (t) => {
    const result = await runCli([BIN, 'check', '--config', valid])
    t.equal(result.code, 0)
    t.match(result.stdout, `${valid}: configuration is valid`)
  })

  t.test('check: an invalid file exits 1 and lists every error with file and path', async (t) => {
    const result = await runCli([BIN, 'check', '-c', invalid])
    t.equal(result.code, 1)
    const lines = result.stderr.trim().split('\n')
    t.match(lines[0], `invalid configuration (${INVALID_PATHS.length} errors)`)
    const errors = lines.slice(1)
    t.equal(errors.length, INVALID_PATHS.length)
    for (const path of INVALID_PATHS) {
      t.ok(errors.some((line) => line.startsWith(`${invalid}: ${path}: `)), `${path} reported with the file`)
    }
  })

  t.test('check: a missing file exits 1', async (t) => {
    const result = await runCli([BIN, 'check', '--config', join(dir, 'missing.json')])
    t.equal(result.code, 1)
    t.match(result.stderr, /cannot read the file \(ENOENT\)/)
  })

  t.test('usage: --version, --help, bad usage exits 2', async (t) => {
    const [version, help, unknown, none] = await Promise.all([[BIN, '--version'], [BIN, '--help'], [BIN, 'frobnicate'], [BIN]].map(async (args) => await runCli(args)))
    t.same(version, { code: 0, stdout: `tollgate ${VERSION}\n`, stderr: '' })
    t.equal(help.code, 0)
    t.match(help.stdout, /Usage: tollgate <command>/)
    t.equal(unknown.code, 2)
    t.match(unknown.stderr, /unknown command 'frobnicate'/)
    t.equal(none.code, 2, 'no command')
  })

  t.test('start: an invalid config exits 1 with a config_invalid line', async (t) => {
    const result = await runCli([BIN, 'start', '--config', invalid])
    t.equal(result.code, 1)
    const line = result.stderr.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.event === 'config_invalid')
    t.ok(line, 'a config_invalid JSON line on stderr')
    t.equal(line.level, 'crit')
    t.equal(line.source, invalid)
    t.same(line.issues.map((i: { path: string }) => i.path).sort(), [...INVALID_PATHS].sort())
    t.notMatch(result.stdout, /listening/, 'nothing was started')
  })

  t.test('npx tollgate runs the package bin on the pinned Node', async (t) => {
    // node_modules/.bin left out of PATH: npx must put it there itself, so the bin's `env node` finds the
    // Node 24 of the `node` package even where the system node is older. Reading .ts sources (check
    // loads the config modules) only works on a Node that strips types.
    const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.startsWith(join(REPO_ROOT, 'node_modules'))).join(delimiter)
    let env: NodeJS.ProcessEnv = { PATH: path, npm_config_update_notifier: 'false' }
    const npx = async (args: string[]): Promise<CliResult> => await runCli(args, { command: 'npx', env })
    const first = await npx(['tollgate', '--version']).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
      // no npx outside node_modules (a machine with no system Node): the one npm installed will do
      t.comment('no system npx: using the PATH as given')
      env = { npm_config_update_notifier: 'false' }
      return null
    })
    const [version, check] = await Promise.all([
      first ?? npx(['tollgate', '--version']),
      npx(['tollgate', 'check', '--config', valid])
    ])
    t.equal(version.code, 0, version.stderr)
    t.equal(version.stdout, `tollgate ${VERSION}\n`)
    t.equal(check.code, 0, check.stderr)
    t.match(check.stdout, 'configuration is valid')
  })
})
