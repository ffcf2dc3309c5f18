// A throwaway redis-server for `npm run demo -- --nodes 2` and the bench's Redis scenarios: the
// redis-server on the PATH, on a free loopback port, in a temp folder, no persistence; stopped with
// SIGKILL (nothing to save) and its folder removed. Without redis-server, `redisServerMissing()` says in
// one line how to install it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

const READY_TIMEOUT_MS = 10_000

/** null when redis-server is on the PATH; otherwise the one line that says how to install it. */
export function redisServerMissing (): string | null {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) return null
  return 'redis-server is not on the PATH: install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis)'
}

export interface LocalRedis {
  readonly host: string
  readonly port: number
  /** a client for looking at what the server holds (lazy: connects on first use) */
  client (): Redis
  stop (): Promise<void>
}

/** A TCP port free on 127.0.0.1 just now (the server started on it may still lose a race for it). */
export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

async function answers (port: number): Promise<boolean> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
  probe.on('error', () => {})
  try {
    await probe.connect()
    return (await probe.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}

/** Starts redis-server and resolves once it answers PING. */
export async function startLocalRedis (): Promise<LocalRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-redis-'))
  const port = await freePort()
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  const exited = once(child, 'exit')
  let viewer: Redis | null = null
  const stop = async (): Promise<void> => {
    viewer?.disconnect()
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`redis-server on port ${port} did not answer within ${READY_TIMEOUT_MS} ms (exit ${child.exitCode})`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    host: '127.0.0.1',
    port,
    client: () => (viewer ??= new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 })),
    stop
  }
}
