// `npm run demo -- --once` must walk Kong's how-to end to end and exit 0 only when every step answered as
// expected. Runs the real demo (dev IdP, echo upstream, gateway with worker threads) on free ports.

import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** Runs the real demo with --once on free ports; resolves with its exit code and everything it printed. */
async function runDemo (extra: string[] = []): Promise<{ code: number | null, output: string }> {
  const child = spawn(process.execPath, ['src/demo/run.ts', '--once', ...extra, '--proxy-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, output }
}

t.test('the demo walks the how-to and exits 0', async (t) => {
  const { code, output } = await runDemo()
  t.equal(code, 0, output)
  t.match(output, /1\. GET http:\/\/127\.0\.0\.1:\d+\/openid-connect\/issuers\n {3}200: issuer http:\/\/127\.0\.0\.1:\d+/)
  t.match(output, /token endpoint http:\/\/127\.0\.0\.1:\d+\/token/)
  t.match(output, /2\. GET .*\/example-route\/anything[^\n]*\n {3}200: the upstream received Authorization: Bearer \S+\.\.\.\S+ \(\d+ chars\)/)
  t.match(output, /X-Kong-Proxy-Latency: first request \d+ ms \(token from the IdP\), second \d+ ms \(token from the cache\)/)
  t.match(output, /the IdP saw 1 token request\(s\) in all/)
  t.match(output, /All steps gave the expected answers\./)
  t.notMatch(output, /demo-[A-Za-z0-9_-]{16}/, 'the generated client secret is never printed in --once mode')
})

t.test('a step that does not answer as expected fails the demo loudly', async (t) => {
  const { mkdtemp, readFile, writeFile, rm } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-demo-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // the repo's config with the route moved away: step 2 must get a 404 and say so
  const config = JSON.parse(await readFile(join(root, 'config.json'), 'utf8'))
  config.services[0].routes[0].paths = ['/elsewhere']
  const file = join(dir, 'config.json')
  await writeFile(file, JSON.stringify(config))
  const { code, output } = await runDemo(['--config', file])
  t.equal(code, 1, output)
  t.match(output, /Demo failed: step "2\. proxied request": expected 200, got 404 \{"message":"no Route matched with those values"/)
  t.notMatch(output, /All steps gave the expected answers/)
})
