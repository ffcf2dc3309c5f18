// A proxy worker thread that dies is replaced: worker_exit, worker_restart and worker_ready are logged,
// the other worker serves throughout, and the replacement serves the config of the last reload.
// The gateway runs in this process (not through the CLI) so the test can terminate one worker thread.
//
// Requests go over fresh connections so the kernel spreads them over both workers. A connection the
// kernel had already queued on the killed worker's socket is reset when the thread dies: such requests
// may fail (ECONNRESET, "socket hang up") between the kill and the replacement being ready, and only then;
// every other request must succeed.

import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { send } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { Gateway } from '../../src/gateway.ts'
import { loadConfigObject } from '../../src/config/load.ts'
import { createLogger } from '../../src/core/log.ts'

interface Line { readonly event: string, readonly [field: string]: unknown }
interface Outcome { readonly phase: 'before' | 'gap' | 'after', readonly status: number | null, readonly error: string | null, readonly prefix: string | null }

const CONNECTION_ERRORS = /ECONNRESET|ECONNREFUSED|socket hang up/
const AFTER_READY = 40

t.test('a killed worker is replaced and traffic keeps flowing', async (t) => {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const prefixDir = await mkdtemp(join(tmpdir(), 'tollgate-replace-'))
  t.teardown(() => rm(prefixDir, { recursive: true, force: true }))

  const lines: Line[] = []
  const waiters = new Set<{ match: (l: Line) => boolean, resolve: (l: Line) => void }>()
  const sink = {
    write (text: string): void {
      const line = JSON.parse(text) as Line
      lines.push(line)
      for (const w of waiters) if (w.match(line)) { waiters.delete(w); w.resolve(line) }
    }
  }
  const waitFor = (match: (l: Line) => boolean): Promise<Line> => {
    const seen = lines.find(match)
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.add({ match, resolve }))
  }
  const config = (paths: string[]): ReturnType<typeof loadConfigObject> => loadConfigObject({
    _format_version: '3.0',
    proxy_listen: '127.0.0.1:0',
    admin_listen: 'off',
    worker_processes: 2,
    prefix: prefixDir,
    services: [{ name: 'echo', url: upstream.url, routes: paths.map((p) => ({ name: p.slice(1), paths: [p] })) }]
  }, '<worker-replaced test>')

  const gateway = new Gateway(config(['/a']), null, createLogger('notice', sink, sink))
  t.teardown(() => gateway.stop())
  await gateway.start()
  const proxy = `http://127.0.0.1:${gateway.supervisor.listen[0].port}`
  t.same(await gateway.supervisor.reload(config(['/a', '/b'])), { ok: true, message: null }, 'reloaded before the kill')

  const request = async (path: string, phase: Outcome['phase']): Promise<Outcome> => {
    try {
      const reply = await send(`${proxy}${path}`)
      return { phase, status: reply.status, error: null, prefix: (reply.headers['x-kong-request-id'] as string).slice(0, 16) }
    } catch (err) {
      return { phase, status: null, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message, prefix: null }
    }
  }

  // both workers seen before the kill, so the replacement shows as a prefix never seen before
  const before = new Set<string>()
  for (let i = 0; i < 200 && before.size < 2; i++) {
    const outcome = await request('/a', 'before')
    t.equal(outcome.status, 200)
    if (outcome.prefix !== null) before.add(outcome.prefix)
  }
  t.equal(before.size, 2, 'both workers answered before the kill')

  const victim = gateway.supervisor.worker(0)
  t.ok(victim !== null, 'worker 0 is running')
  let phase: Outcome['phase'] = 'gap'
  const killed = victim!.terminate()
  const ready = waitFor((l) => l.event === 'worker_ready' && l.worker === 0).then((line) => { phase = 'after'; return line })

  const outcomes: Outcome[] = []
  let afterReady = 0
  // bounded so that a replacement that never comes fails the test instead of looping until tap's timeout
  while (afterReady < AFTER_READY && outcomes.length < 50_000) {
    const outcome = await request(`/a/${outcomes.length}`, phase)
    outcomes.push(outcome)
    if (outcome.phase === 'after') afterReady++
  }
  await killed

  t.match(await waitFor((l) => l.event === 'worker_exit'), { worker: 0 }, 'worker_exit logged')
  t.match(await waitFor((l) => l.event === 'worker_restart'), { worker: 0 }, 'worker_restart logged')
  const readyLine = await ready
  t.not(readyLine.thread_id, victim!.threadId, 'a new thread')
  t.equal(gateway.supervisor.worker(0)?.threadId, readyLine.thread_id)

  const failed = outcomes.filter((o) => o.status !== 200)
  t.same(failed.filter((o) => o.phase === 'after'), [], 'no failure once the replacement was ready')
  t.same(failed.filter((o) => o.error === null || !CONNECTION_ERRORS.test(o.error)), [], 'earlier failures are only connections reset by the dying thread')
  const gapServed = outcomes.filter((o) => o.phase === 'gap' && o.status === 200).length
  t.ok(gapServed > 0, `the surviving worker served ${gapServed} request(s) while worker 0 was down`)

  let fresh: string | null = null
  for (let i = 0; i < 200 && fresh === null; i++) {
    const outcome = await request('/b', 'after')
    t.equal(outcome.status, 200, 'the route of the last reload answers')
    if (outcome.prefix !== null && !before.has(outcome.prefix)) fresh = outcome.prefix
  }
  t.ok(fresh !== null, 'the replacement worker served the route added by the reload')
})
