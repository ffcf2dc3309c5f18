// `npm run demo -- --nodes 2 --once`: two gateway nodes (processes of their own) share one credential's
// token through a real redis-server; the demo must exit 0 only when node 2 was served from Redis (the IdP
// asked once in all) and Redis holds one sealed entry without the token. Skipped by the Redis rule
// (test/helpers/redis-server.ts) where redis-server is missing; the usage checks run everywhere.

import t from 'tap'
import { spawn } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { redisOrSkip } from '../helpers/redis-server.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

async function runDemo (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null, output: string }> {
  const child = spawn(process.execPath, ['src/demo/run.ts', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, output }
}

t.test('two nodes share the token through Redis: the IdP is asked once', async (t) => {
  if (!redisOrSkip(t)) return
  const { code, output } = await runDemo(['--nodes', '2', '--once'])
  t.equal(code, 0, output)
  t.match(output, /redis-server {14}127\.0\.0\.1:\d+/)
  t.match(output, /tollgate node 1 {11}proxy http:\/\/127\.0\.0\.1:\d+ {3}admin http:\/\/127\.0\.0\.1:\d+/)
  t.match(output, /tollgate node 2 {11}proxy http:\/\/127\.0\.0\.1:\d+ {3}admin http:\/\/127\.0\.0\.1:\d+/)
  t.match(output, /2\. node 1: GET [^\n]*\n {3}200: the upstream received Authorization: Bearer \S+\.\.\.\S+ \(\d+ chars\)\n {3}the IdP's token requests: 1 \(/)
  t.match(output, /3\. node 2: GET [^\n]*\n {3}200: [^\n]*\n {3}the same token node 1 fetched, served from Redis: the IdP's token requests are still 1\n/)
  t.match(output, /key {3}tollgate:oidc:v1:\{[A-Za-z0-9_-]{32}\}\n/)
  t.match(output, /value \d+ bytes, expires in \d+ s \(with the token\): 01[0-9a-f]{30}\.\.\./)
  t.match(output, /no token in it, nor the client id or secret/)
  t.match(output, /All steps gave the expected answers\./)
  t.notMatch(output, /demo-[A-Za-z0-9_-]{16}/, 'the generated client secret is never printed in --once mode')
})

t.test('without redis-server on the PATH it says how to install it and exits 1', async (t) => {
  // only node's own folder on the PATH: spawn('redis-server') finds nothing
  const { code, output } = await runDemo(['--nodes', '2', '--once'], { ...process.env, PATH: dirname(process.execPath) })
  t.equal(code, 1, output)
  t.match(output, /^Demo --nodes 2 needs Redis: redis-server is not on the PATH: install it \(Debian\/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis\)\n$/)
})

t.test('--nodes takes 2 only, and picks its own ports', async (t) => {
  const three = await runDemo(['--nodes', '3', '--once'])
  t.equal(three.code, 2, three.output)
  t.match(three.output, /--nodes takes 2 .*got '3'/)
  const listen = await runDemo(['--nodes', '2', '--once', '--proxy-listen', '127.0.0.1:0'])
  t.equal(listen.code, 2, listen.output)
  t.match(listen.output, /--proxy-listen and --admin-listen do not apply/)
})
