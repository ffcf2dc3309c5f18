// Starts the real gateway through its CLI in a child process (real worker threads, real sockets) with a
// config written to a temp file, and waits for its "listening" log lines. Everything listens on port 0.
// Also the two ways tests talk to it: `send` (one HTTP exchange, a fresh connection unless an agent is
// given) and `rawExchange` (bytes over a socket, for malformed and slow clients).

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request, type Agent, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface LogLine {
  readonly level: string
  readonly event: string
  readonly [field: string]: unknown
}

export interface WaitOptions {
  /** only lines at this index of `logs` or later count (see RunningGateway.mark) */
  readonly after?: number
  readonly timeoutMs?: number
}

export interface RunningGateway {
  readonly proxyUrl: string
  readonly proxyPort: number
  readonly adminUrl: string
  readonly configFile: string
  readonly child: ChildProcess
  readonly pid: number
  /** every JSON log line so far (stdout and stderr) */
  readonly logs: LogLine[]
  /** resolves with the exit code once the process exited */
  readonly exited: Promise<number | null>
  /** raw output, for asserting that no secret was ever printed */
  output (): string
  /** the number of log lines so far: pass it as `after` to wait only for later lines */
  mark (): number
  /** resolves with the first log line (already seen or future) matching the predicate */
  waitForLog (match: (line: LogLine) => boolean, options?: WaitOptions): Promise<LogLine>
  writeConfig (config: Record<string, unknown>): Promise<void>
  /** writes the config file verbatim (for invalid JSON) */
  writeText (text: string): Promise<void>
  /** sends SIGHUP and waits for the outcome ("reloaded" or "reload_rejected"/"reload_failed") */
  reload (): Promise<LogLine>
  /** sends a signal (SIGTERM by default) unless the process already exited, and resolves with the exit code */
  stop (signal?: NodeJS.Signals): Promise<number | null>
}

export interface GatewayOptions {
  readonly env?: NodeJS.ProcessEnv
  /** extra top-level settings merged into the config (and into every config written later) */
  readonly settings?: Record<string, unknown>
  /** the config file's name (config.json): a .yaml name makes the gateway read it as YAML (JSON text is YAML) */
  readonly configName?: string
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

const OUTCOMES = new Set(['reloaded', 'reload_rejected', 'reload_failed'])
/** generous: the machine is shared, and a start with two workers can take seconds under load */
const DEFAULT_WAIT_MS = 30_000

export async function startGateway (config: Record<string, unknown>, options: GatewayOptions = {}): Promise<RunningGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-test-'))
  const configFile = join(dir, options.configName ?? 'config.json')
  const settings = { prefix: join(dir, 'prefix'), ...options.settings }
  const full = testConfig(config, settings)
  await writeFile(configFile, JSON.stringify(full, null, 2))
  const child = spawn(process.execPath, [BIN, 'start', '--config', configFile], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const logs: LogLine[] = []
  const watchers = new Set<{ match: (l: LogLine) => boolean, after: number, resolve: (l: LogLine) => void }>()
  let raw = ''
  let consumed = 0
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
      for (const w of watchers) if (logs.length > w.after && w.match(line)) { watchers.delete(w); w.resolve(line) }
    }
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  // 'close', not 'exit': it comes once stdout and stderr are drained, so `logs` then holds every line
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))

  const waitForLog = (match: (l: LogLine) => boolean, options: WaitOptions = {}): Promise<LogLine> => {
    const after = options.after ?? 0
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS
    const seen = logs.slice(after).find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(watcher)
        reject(new Error(`no matching log line within ${timeoutMs} ms; output:\n${raw}`))
      }, timeoutMs)
      const watcher = { match, after, resolve: (l: LogLine) => { clearTimeout(timer); resolve(l) } }
      watchers.add(watcher)
      exited.then((code) => {
        if (watchers.delete(watcher)) { clearTimeout(timer); reject(new Error(`gateway exited (${code}) first; output:\n${raw}`)) }
      }).catch(() => {})
    })
  }

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    const code = await exited
    await rm(dir, { recursive: true, force: true })
    return code
  }

  let listening: LogLine
  let admin: LogLine | null
  try {
    listening = await waitForLog((l) => l.event === 'listening')
    admin = full.admin_listen === 'off' ? null : await waitForLog((l) => l.event === 'admin_listening')
  } catch (err) {
    await stop('SIGKILL')
    throw err
  }
  const proxy = (listening.proxy as string[])[0]
  const adminAddress = admin === null ? null : (admin.admin as string[])[0]
  return {
    proxyUrl: `http://${proxy}`,
    proxyPort: Number(proxy.slice(proxy.lastIndexOf(':') + 1)),
    adminUrl: adminAddress === null ? '' : `http://${adminAddress}`,
    configFile,
    child,
    pid: child.pid!,
    logs,
    exited,
    output: () => raw,
    mark: () => logs.length,
    waitForLog,
    async writeConfig (next) {
      await writeFile(configFile, JSON.stringify(testConfig(next, settings), null, 2))
    },
    async writeText (text) {
      await writeFile(configFile, text)
    },
    async reload () {
      const after = logs.length
      child.kill('SIGHUP')
      return await waitForLog((l) => OUTCOMES.has(l.event), { after })
    },
    stop
  }
}

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `command args` (node by default: the test's own Node 24) to completion, from the repo root. */
export async function runCli (args: readonly string[], options: { command?: string, env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const child = spawn(options.command ?? process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (c) => resolve(c))
  })
  return { code, stdout, stderr }
}

export interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly rawHeaders: string[]
  readonly body: Buffer
  readonly text: string
  json<T = Record<string, unknown>> (): T
}

export interface SendOptions {
  readonly method?: string
  readonly headers?: Record<string, string | string[]>
  readonly body?: string | Buffer | Readable
  /** false (default): a fresh connection closed after the exchange; or a keep-alive Agent */
  readonly agent?: Agent | false
}

/** One HTTP exchange over node:http; the body is read whole (use node:http directly to stream). */
export function send (url: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body
    const headers = { ...options.headers }
    // node:http sends a DELETE/OPTIONS body without any framing unless told its length
    if ((typeof body === 'string' || Buffer.isBuffer(body)) && headers['content-length'] === undefined) {
      headers['content-length'] = String(Buffer.byteLength(body))
    }
    const req = request(url, { method: options.method ?? 'GET', headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const text = body.toString()
        resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body, text, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    if (body === undefined) req.end()
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body)
    else body.pipe(req)
  })
}

export interface RawResult {
  /** everything the server sent */
  readonly data: string
  /** true when the server closed the connection (before `waitMs` ran out) */
  readonly closedByServer: boolean
  /** ms from connecting until the connection closed */
  readonly elapsedMs: number
  readonly error: string | null
}

/**
 * Writes `chunks` to a new connection (later ones `gapMs` apart) and collects the answer until the server
 * closes the connection or `waitMs` passes, whichever comes first.
 */
export function rawExchange (url: string, chunks: readonly (string | Buffer)[], waitMs = 5000, gapMs = 0): Promise<RawResult> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname)
    let data = ''
    let error: string | null = null
    let timedOut = false
    let connectedAt = Date.now()
    const timers: NodeJS.Timeout[] = []
    socket.on('data', (chunk: Buffer) => { data += chunk.toString('latin1') })
    socket.on('error', (err: NodeJS.ErrnoException) => { error = err.code ?? err.message })
    socket.on('close', () => {
      for (const timer of timers) clearTimeout(timer)
      resolve({ data, closedByServer: !timedOut, elapsedMs: Date.now() - connectedAt, error })
    })
    socket.once('connect', () => {
      connectedAt = Date.now()
      chunks.forEach((chunk, i) => {
        if (i === 0) socket.write(chunk)
        else timers.push(setTimeout(() => { if (!socket.destroyed) socket.write(chunk) }, i * gapMs))
      })
    })
    timers.push(setTimeout(() => { timedOut = true; socket.destroy() }, waitMs))
  })
}

/** The status code and the JSON body of a raw HTTP/1.1 response text (null when there is none). */
export function parseRawResponse (data: string): { status: number, headers: string, body: string } | null {
  const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(data)
  if (match === null) return null
  return { status: Number(match[1]), headers: match[2].toLowerCase(), body: match[3] }
}

/** The entities most core tests need: one service to `upstreamUrl` with a catch-all route. */
export function echoConfig (upstreamUrl: string): { services: Array<Record<string, unknown>> } {
  return { services: [{ name: 'echo', url: upstreamUrl, routes: [{ name: 'all', paths: ['/'] }] }] }
}
