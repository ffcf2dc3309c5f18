// bench/cpu.ts (`npm run bench:cpu`): its report reads the rounds right, and a short real run against a
// floor and the gateway measures every round of both and writes them; a bad option is one line and exit 2.
// No timing is asserted beyond "some CPU was spent".

import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { report } from '../../bench/cpu.ts'
import { threadsCpuNanoseconds } from '../../bench/lib/cpu-time.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

async function runTool (args: readonly string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, ['bench/cpu.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}

t.test('threadsCpuNanoseconds counts the CPU this process runs', async (t) => {
  const before = threadsCpuNanoseconds(process.pid)
  t.ok(before !== null && before > 0, `read: ${before}`)
  const until = Date.now() + 50
  let spin = 0
  while (Date.now() < until) spin++
  const after = threadsCpuNanoseconds(process.pid)!
  t.ok(after - before! >= 20e6, `50 ms of spinning (${spin} turns) counted ${(after - before!) / 1e6} ms`)
  t.equal(threadsCpuNanoseconds(2 ** 22 + 12345), null, 'a process that does not exist')
})

t.test('the report gives the lowest, first quartile and median, and the ratios both ways', async (t) => {
  const text = report([
    { name: 'floor-tls', rounds: [60, 90, 64, 62] },
    { name: 'tls', rounds: [80, 100, 70, 75] }
  ], { rounds: 4, requests: 1000, warmup: 0 })
  t.match(text, '4 alternating rounds of 1000 requests')
  t.match(text, '| floor-tls | 60.0 | 62.0 | 63.0 |')
  t.match(text, '| tls | 70.0 | 75.0 | 77.5 |')
  // lowest rounds: 60 / 70; per round: 0.75, 0.9, 0.914, 0.827 -> median (0.827 + 0.9) / 2
  t.match(text, '| tls / floor-tls | 0.857 | 0.863 |')
  t.notMatch(text, 'floor-tls-kong', 'only pairs it measured both sides of')
})

t.test('a short run measures a floor and the gateway round by round', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-bench-cpu-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const out = join(dir, 'cpu.json')
  const run = await runTool(['--only', 'floor,proxy', '--rounds', '2', '--requests', '200', '--warmup', '200', '--out', out])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /\| proxy \/ floor \| \d\.\d{3} \| \d\.\d{3} \|/)
  const json = JSON.parse(await readFile(out, 'utf8')) as { options: { only: string[] }, measured: Array<{ name: string, rounds: number[] }> }
  t.same(json.options.only, ['floor', 'proxy'])
  t.same(json.measured.map((m) => m.name), ['floor', 'proxy'])
  for (const m of json.measured) {
    t.equal(m.rounds.length, 2, `${m.name}: two rounds`)
    t.ok(m.rounds.every((us) => us > 0 && Number.isFinite(us)), `${m.name}: CPU µs per request ${m.rounds.join(', ')}`)
  }
})

t.test('a bad option is one line and exit 2', async (t) => {
  const unknown = await runTool(['--only', 'oidc-hot'])
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /^bench:cpu: --only: oidc-hot is not a scenario counted here/)
  const rounds = await runTool(['--rounds', '0'])
  t.equal(rounds.code, 2)
  t.match(rounds.stderr, /^bench:cpu: --rounds must be an integer of at least 1, not 0/)
})
