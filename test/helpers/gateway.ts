// Starts the real gateway through its CLI in a child process (real worker threads, real sockets) with a
// config written to a temp file, and waits for its "listening" log lines. Everything listens on port 0.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))

export interface LogLine {
  readonly level: string
  readonly event: string
  readonly [field: string]: unknown
}

export interface RunningGateway {
  readonly proxyUrl: string
  readonly adminUrl: string
  readonly configFile: string
  readonly child: ChildProcess
  /** every JSON log line so far (stdout and stderr) */
  readonly logs: LogLine[]
  /** raw output, for asserting that no secret was ever printed */
  output (): string
  /** resolves with the first log line (already seen or future) matching the predicate */
  waitForLog (match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>
  writeConfig (config: unknown): Promise<void>
  /** sends SIGHUP and waits for the outcome ("reloaded" or "reload_rejected"/"reload_failed") */
  reload (): Promise<LogLine>
  /** sends a signal and resolves with the exit code */
  stop (signal?: NodeJS.Signals): Promise<number | null>
}

export interface GatewayOptions {
  readonly env?: NodeJS.ProcessEnv
  /** extra top-level settings merged into the config */
  readonly settings?: Record<string, unknown>
}

/** Fills in the settings a test gateway needs (ports 0, 1 worker unless given, quiet log level). */
export function testConfig (config: Record<string, unknown>, settings?: Record<string, unknown>): Record<string, unknown> {
  return {
    _format_version: '3.0',
    proxy_listen: '127.0.0.1:0',
    admin_listen: '127.0.0.1:0',
    worker_processes: 1,
    log_level: 'notice',
    ...settings,
    ...config
  }
}

export async function startGateway (config: Record<string, unknown>, options: GatewayOptions = {}): Promise<RunningGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-test-'))
  const configFile = join(dir, 'config.json')
  const full = testConfig(config, { prefix: join(dir, 'prefix'), ...options.settings })
  await writeFile(configFile, JSON.stringify(full, null, 2))
  const child = spawn(process.execPath, [BIN, 'start', '--config', configFile], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const logs: LogLine[] = []
  let raw = ''
  let consumed = 0
  const watchers = new Set<{ match: (l: LogLine) => boolean, resolve: (l: LogLine) => void }>()
  const onData = (chunk: Buffer): void => {
    raw += chunk.toString()
    let newline
    while ((newline = raw.indexOf('\n', consumed)) >= 0) {
      const text = raw.slice(consumed, newline)
      consumed = newline + 1
      let line: LogLine
      try {
        line = JSON.parse(text)
      } catch {
        continue
      }
      logs.push(line)
      for (const w of watchers) if (w.match(line)) { watchers.delete(w); w.resolve(line) }
    }
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const waitForLog = (match: (l: LogLine) => boolean, timeoutMs = 15000): Promise<LogLine> => {
    const seen = logs.find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(watcher)
        reject(new Error(`no matching log line within ${timeoutMs} ms; output:\n${raw}`))
      }, timeoutMs)
      const watcher = { match, resolve: (l: LogLine) => { clearTimeout(timer); resolve(l) } }
      watchers.add(watcher)
      exited.then((code) => {
        if (watchers.delete(watcher)) { clearTimeout(timer); reject(new Error(`gateway exited (${code}) first; output:\n${raw}`)) }
      }).catch(() => {})
    })
  }

  const listening = await waitForLog((l) => l.event === 'listening')
  const admin = await waitForLog((l) => l.event === 'admin_listening').catch(() => null)
  const proxy = (listening.proxy as string[])[0]
  const adminAddress = admin === null ? null : (admin.admin as string[])[0]
  return {
    proxyUrl: `http://${proxy}`,
    adminUrl: adminAddress === null ? '' : `http://${adminAddress}`,
    configFile,
    child,
    logs,
    output: () => raw,
    waitForLog,
    async writeConfig (next) {
      await writeFile(configFile, JSON.stringify(testConfig(next as Record<string, unknown>, { prefix: join(dir, 'prefix'), ...options.settings }), null, 2))
    },
    async reload () {
      const outcome = (l: LogLine): boolean => l.event === 'reloaded' || l.event === 'reload_rejected' || l.event === 'reload_failed'
      const before = logs.filter(outcome).length
      child.kill('SIGHUP')
      return await waitForLog((l) => outcome(l) && logs.filter(outcome).indexOf(l) === before)
    },
    async stop (signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const code = await exited
      await rm(dir, { recursive: true, force: true })
      return code
    }
  }
}
