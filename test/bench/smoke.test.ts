// The bench suite's CI smoke check: `npm run bench -- --quick` runs every scenario briefly (the oidc
// ones are skipped only when the openid-connect plugin is not in this build) and must exit 0 with no
// failed scenario, a results file that says so, and a self-contained HTML report. No timing is asserted.

import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchResults } from '../../bench/lib/results-types.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const RUN = 'bench/run.ts'

t.test('the bench script is what npm run bench runs', async (t) => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts.bench, `node ${RUN}`)
  t.equal(pkg.scripts['bench:compare'], 'node bench/compare.ts')
})

t.test('--quick runs every scenario without an error', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'tollgate-bench-smoke-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const child = spawn(process.execPath, [RUN, '--quick', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  // the suite must end by itself; a hang is killed so the test fails instead of holding CI
  const guard = setTimeout(() => child.kill('SIGTERM'), 100_000)
  t.teardown(() => clearTimeout(guard))
  const [code] = await once(child, 'exit')
  t.equal(code, 0, `exit code 0 (stderr:\n${stderr.slice(-4000)})`)

  const files = (await readdir(out)).sort()
  const json = files.find((f) => f.endsWith('-quick.json'))
  const html = files.find((f) => f.endsWith('-quick.html'))
  t.ok(json, 'a results file')
  t.ok(html, 'an HTML report')
  if (json === undefined || html === undefined) return

  const results = JSON.parse(await readFile(join(out, json), 'utf8')) as BenchResults
  const names = new Set(results.scenarios.map((s) => s.name))
  t.same([...names].sort(), [
    'balanced', 'cors', 'direct', 'floor', 'floor-bare', 'floor-h2', 'floor-tls', 'floor-tls-handshake', 'h2', 'key-auth', 'oidc-bearer',
    'oidc-bearer-verify-each', 'oidc-cold', 'oidc-hot', 'oidc-introspect', 'oidc-many', 'proxy', 'rate-limiting', 'request-transformer', 'stack',
    'tls', 'tls-handshake', 'workers:oidc-hot', 'workers:proxy'
  ])
  for (const s of results.scenarios) {
    if (s.status === 'skipped') {
      t.ok(!results.oidc.available && s.name.includes('oidc'), `${s.name} (${s.mode}) skipped only for a missing plugin`)
      t.match(s.reason, /openid-connect plugin not available/)
      continue
    }
    t.equal(s.status, 'ok', `${s.name} (${s.mode}): ${s.reason ?? ''}`)
    t.ok((s.median?.rps ?? 0) > 0, `${s.name} (${s.mode}) served requests`)
    t.ok(s.histograms?.client_us, `${s.name} (${s.mode}) recorded client latencies`)
  }
  for (const s of results.scenarios.filter((x) => x.status === 'ok' && x.workers !== null)) {
    t.ok(s.histograms?.proxy_us, `${s.name} (${s.mode}): the gateway's microsecond latency header was recorded`)
    t.ok(s.runs.every((r) => (r.eventLoopDelay ?? []).some((d) => d.kind === 'proxy')), `${s.name} (${s.mode}): worker event-loop delay read`)
  }
  // a cached bearer or introspected token never goes back to the IdP once warm (only the first request does)
  for (const s of results.scenarios.filter((x) => x.status === 'ok' && ['oidc-bearer', 'oidc-introspect'].includes(x.name))) {
    t.equal(s.median?.idpCallsPerS, 0, `${s.name} (${s.mode}): no IdP call while measured`)
  }
  t.equal(results.targets.length, 15)
  // every TLS scenario negotiated what its floor did (bench/lib/tls-check.ts), and h2 went over HTTP/2
  t.match(stderr, /TLS negotiated: .*; h2 TLSv1\.3 \S+ ALPN h2/)
  t.match(stdout, /## Saturation/)
  t.match(stdout, /## Targets/)

  const page = await readFile(join(out, html), 'utf8')
  t.match(page, /<svg /)
  t.notMatch(page, /(src|href)=["']?(https?:)?\/\//, 'nothing loaded from elsewhere')
})
