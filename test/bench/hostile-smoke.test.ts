// The hostile-client scenario's smoke check: `npm run bench:hostile -- --quick` runs every attack against
// a fresh gateway and measures it. Whatever the gateway does with an attack (answer, close, reset) is a
// result, so no number is asserted: only that each attack ran, was read (peak RSS, worker loop delay and
// heap, normal traffic on both routes) and that the gateway survived it.

import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ATTACK_NAMES } from '../../bench/lib/hostile/options.ts'
import type { HostileResults } from '../../bench/lib/hostile/results.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SCRIPT = 'bench/hostile.ts'

t.test('the script is what npm run bench:hostile runs', async (t) => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts['bench:hostile'], `node ${SCRIPT}`)
})

t.test('--quick runs and measures every attack', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'tollgate-bench-hostile-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const child = spawn(process.execPath, [SCRIPT, '--quick', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  // every attack stops by itself; a hang is killed so the test fails instead of holding CI
  const guard = setTimeout(() => child.kill('SIGTERM'), 110_000)
  t.teardown(() => clearTimeout(guard))
  const [code] = await once(child, 'exit')
  t.equal(code, 0, `exit code 0 (stderr:\n${stderr.slice(-4000)})`)

  const json = (await readdir(out)).find((f) => f.endsWith('-hostile-quick.json'))
  t.ok(json, 'a results file')
  if (json === undefined) return
  const results = JSON.parse(await readFile(join(out, json), 'utf8')) as HostileResults
  t.same(results.attacks.map((a) => a.name), [...ATTACK_NAMES])
  for (const a of results.attacks) {
    t.equal(a.status, 'ok', `${a.name}: ${a.failure ?? ''}`)
    t.ok(a.gatewayAlive, `${a.name}: the gateway survived`)
    t.ok((a.outcome?.requests ?? 0) > 0, `${a.name}: the attack sent requests`)
    t.type(a.memory?.peakIncreaseMiB, 'number', `${a.name}: peak RSS read`)
    t.ok(a.workers.length > 0 && a.workers.every((w) => w.heapAfterMiB !== null), `${a.name}: worker loop delay and heap read`)
    t.same(a.traffic.map((x) => x.path), ['/proxy', '/oidc'])
    t.ok(a.traffic.every((x) => x.requests > 0), `${a.name}: normal traffic answered on both routes`)
  }
  t.match(stdout, /## Hostile clients \(quick\)/)
})
