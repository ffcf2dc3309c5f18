// The gateway keeps Node's module compile cache (src/core/compile-cache.ts): the code its threads
// compiled is on disk by the time it says it is listening, however it is stopped after, so the next start
// does not strip and compile the same files again; NODE_DISABLE_COMPILE_CACHE=1 turns it off.

import t from 'tap'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { echoConfig, send, startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'

/** the cache files under `dir` (Node keeps one folder per Node version and V8 flags) */
async function cacheFiles (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

t.test('the compiled code is written before listening, even for a gateway stopped with SIGKILL', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-compile-cache-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  const first = await startGateway(echoConfig(upstream.url), { env: { NODE_COMPILE_CACHE: dir }, settings: { worker_processes: 2 } })
  const written = await cacheFiles(dir)
  t.equal((await send(`${first.proxyUrl}/x`)).status, 200, 'the gateway serves')
  await first.stop('SIGKILL')
  // the main thread's modules and the workers' (the proxy, its plugins): a few hundred
  t.ok(written.length >= 100, `${written.length} cache files on disk at 'listening'`)

  const second = await startGateway(echoConfig(upstream.url), { env: { NODE_COMPILE_CACHE: dir } })
  t.teardown(() => second.stop())
  t.equal((await send(`${second.proxyUrl}/x`)).status, 200, 'a start from the cache serves')
  const after = await cacheFiles(dir)
  t.ok(after.length >= written.length, 'the cache is kept, not rebuilt')
})

t.test('NODE_DISABLE_COMPILE_CACHE=1: nothing written', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-compile-cache-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const gateway = await startGateway(echoConfig(upstream.url), { env: { NODE_COMPILE_CACHE: dir, NODE_DISABLE_COMPILE_CACHE: '1' } })
  t.teardown(() => gateway.stop())
  t.equal((await send(`${gateway.proxyUrl}/x`)).status, 200)
  t.same(await cacheFiles(dir), [], 'the directory stays empty')
})
