// Tollgate as the suite runs it: the real CLI (`bin/tollgate.js start --config FILE`) in its own process,
// pinned with taskset when the plan says so, with the event-loop delay probe preloaded
// (bench/probe/event-loop-delay.ts) and optionally --cpu-prof. Its JSON log lines give the addresses;
// error-level lines are counted, since a gateway that logs errors under load did not pass.
// The 'listening' line lists the bound proxy addresses in proxy_listen's order, so each URL's scheme
// and kind (plain, `ssl`, `ssl http2`) come from the config's entry at the same place.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ThreadDelay } from '../probe/event-loop-delay.ts'
import { pinned, prefixed } from './cpu-plan.ts'

const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))
const PROBE = new URL('../probe/event-loop-delay.ts', import.meta.url).href
const START_TIMEOUT_MS = 60_000
const OUTPUT_TAIL = 16_384

export interface GatewayStart {
  readonly name: string
  /** the whole config.json; `prefix` is set to a temp folder */
  readonly config: Record<string, unknown>
  readonly cpus: string | null
  /** folder for --cpu-prof output; null: no profiling */
  readonly cpuProfDir: string | null
  /** more node options, e.g. --expose-gc so the probe can read the heap after a collection (bench/hostile.ts) */
  readonly execArgv?: readonly string[]
  /** a command the gateway runs under, e.g. valgrind (bench/lib/callgrind.ts); none by default */
  readonly prefix?: readonly string[]
  /** how long it may take to log its addresses (60 s; a gateway under valgrind needs longer) */
  readonly startTimeoutMs?: number
  /** preload the event-loop delay probe (true); its 1 ms timers would weigh on an instruction count */
  readonly probe?: boolean
}

interface LogLine {
  readonly level: string
  readonly event: string
  readonly [field: string]: unknown
}

export class BenchGateway {
  readonly name: string
  readonly cpus: string | null
  readonly workers: number
  readonly child: ChildProcess
  /** the first plain HTTP proxy listener */
  proxyUrl = ''
  /** the first `ssl` listener without http2 (HTTP/1.1 over TLS); null: none configured */
  tlsUrl: string | null = null
  /** the first `ssl http2` listener (ALPN h2 and http/1.1); null: none configured */
  h2Url: string | null = null
  adminUrl = ''
  /** upstream calls aborted because the client went away: autocannon closes its sockets at a run's end */
  clientAborts = 0
  /** error/crit log lines seen since start or the last takeErrors() */
  #errors: string[] = []
  #output = ''
  #nextProbeId = 1
  readonly #listeners = new Set<(line: LogLine) => void>()
  readonly #proxyKinds: readonly ListenerKind[]
  readonly #dir: string
  readonly #exited: Promise<unknown>

  private constructor (start: GatewayStart, dir: string, configFile: string) {
    this.name = start.name
    this.cpus = start.cpus
    this.workers = Number(start.config.worker_processes)
    this.#proxyKinds = listenerKinds(start.config.proxy_listen)
    this.#dir = dir
    const nodeArgs = [...(start.execArgv ?? []), ...(start.cpuProfDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${start.cpuProfDir}`])]
    const [command, args] = prefixed(start.prefix ?? [],
      pinned(start.cpus, process.execPath, [...nodeArgs, ...(start.probe === false ? [] : ['--import', PROBE]), BIN, 'start', '--config', configFile]))
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    this.#exited = once(this.child, 'exit')
    let partial = ''
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString()
      this.#output = (this.#output + text).slice(-OUTPUT_TAIL)
      partial += text
      let newline
      while ((newline = partial.indexOf('\n')) >= 0) {
        this.#onLine(partial.slice(0, newline))
        partial = partial.slice(newline + 1)
      }
    }
    this.child.stdout!.on('data', onData)
    this.child.stderr!.on('data', onData)
  }

  static async start (start: GatewayStart): Promise<BenchGateway> {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-bench-'))
    const configFile = join(dir, 'config.json')
    await writeFile(configFile, JSON.stringify({ ...start.config, prefix: join(dir, 'prefix') }))
    const gateway = new BenchGateway(start, dir, configFile)
    await gateway.#waitForAddresses(start.startTimeoutMs ?? START_TIMEOUT_MS)
    return gateway
  }

  #onLine (text: string): void {
    let line: LogLine
    try {
      line = JSON.parse(text)
    } catch {
      return
    }
    if (isClientAbort(line)) this.clientAborts++
    else if (line.level === 'error' || line.level === 'crit' || line.level === 'alert' || line.level === 'emerg') {
      this.#errors.push(text.slice(0, 2000))
    }
    for (const listener of this.#listeners) listener(line)
  }

  async #waitForAddresses (timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer)
        this.#listeners.delete(listener)
        reject(new Error(`gateway ${this.name} did not start: ${why}; output:\n${this.#output}`))
      }
      const timer = setTimeout(() => fail(`no addresses within ${timeoutMs} ms`), timeoutMs)
      const listener = (line: LogLine): void => {
        if (line.event === 'listening') this.#takeProxyAddresses(line.proxy as string[])
        if (line.event === 'admin_listening') this.adminUrl = `http://${(line.admin as string[])[0]}`
        if (line.event === 'config_invalid' || line.event === 'start_failed') fail(line.event)
        if (this.proxyUrl !== '' && this.adminUrl !== '') {
          clearTimeout(timer)
          this.#listeners.delete(listener)
          resolve()
        }
      }
      this.#listeners.add(listener)
      this.#exited.then(() => fail('it exited'), () => {})
    })
  }

  #takeProxyAddresses (addresses: readonly string[]): void {
    addresses.forEach((address, i) => {
      const kind = this.#proxyKinds[i] ?? 'plain'
      if (kind === 'plain' && this.proxyUrl === '') this.proxyUrl = `http://${address}`
      if (kind === 'tls') this.tlsUrl ??= `https://${address}`
      if (kind === 'h2') this.h2Url ??= `https://${address}`
    })
  }

  get pid (): number {
    return this.child.pid!
  }

  /** The error-level log lines since the last call (or the start). */
  takeErrors (): string[] {
    const errors = this.#errors
    this.#errors = []
    return errors
  }

  output (): string {
    return this.#output
  }

  resetEventLoopDelay (): Promise<void> {
    return this.#probe({ probe: 'reset' }).then(() => {})
  }

  /**
   * Event-loop delay of every thread since the last reset (proxy workers, main, signing threads), and each
   * thread's used heap; `collect`: each thread runs a full GC first when the gateway has --expose-gc.
   */
  async readEventLoopDelay (collect = false): Promise<ThreadDelay[]> {
    const reply = await this.#probe({ probe: 'read', threads: this.workers, gc: collect })
    return reply.threads as ThreadDelay[]
  }

  #probe (message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.#nextProbeId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway ${this.name}: no answer from the event-loop probe`)), 15_000)
      const onMessage = (reply: Record<string, unknown>): void => {
        if (reply.id !== id) return
        clearTimeout(timer)
        this.child.off('message', onMessage)
        resolve(reply)
      }
      this.child.on('message', onMessage)
      this.child.send({ ...message, id })
    })
  }

  async stop (): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM')
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000)
      await this.#exited
      clearTimeout(timer)
    }
    await rm(this.#dir, { recursive: true, force: true })
  }
}

type ListenerKind = 'plain' | 'tls' | 'h2'

/** Each proxy_listen entry's kind, in order (kong.conf's syntax: a comma-separated string or an array). */
function listenerKinds (proxyListen: unknown): ListenerKind[] {
  const entries = typeof proxyListen === 'string' ? proxyListen.split(',') : Array.isArray(proxyListen) ? proxyListen.map(String) : []
  return entries.map((entry) => {
    const flags = entry.trim().split(/\s+/).slice(1)
    return !flags.includes('ssl') ? 'plain' : flags.includes('http2') ? 'h2' : 'tls'
  })
}

// The gateway logs an upstream exchange it abandons because the client left as `upstream_failed` with
// undici's UND_ERR_ABORTED; at the end of every run autocannon closes connections with requests in flight.
function isClientAbort (line: LogLine): boolean {
  return line.event === 'upstream_failed' && (line.error as { code?: unknown } | undefined)?.code === 'UND_ERR_ABORTED'
}
