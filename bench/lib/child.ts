// The suite's side of a bench process: start it (pinned with taskset when the plan says so) with an IPC
// channel, wait for its `ready`, call it, move it to other CPUs, stop it. A child that dies fails every
// pending call with the tail of its output, so a crash is never a silent hang.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { pinned, prefixed, repin } from './cpu-plan.ts'
import type { CallMessage, ReadyMessage, ReplyMessage } from './ipc-messages.ts'

const OUTPUT_TAIL = 8192
const READY_TIMEOUT_MS = 30_000

export interface ChildOptions {
  readonly cpus: string | null
  readonly args?: readonly string[]
  /** node options before the script, e.g. --cpu-prof */
  readonly execArgv?: readonly string[]
  readonly env?: NodeJS.ProcessEnv
  /** a command the process runs under, e.g. valgrind (bench/lib/callgrind.ts); none by default */
  readonly prefix?: readonly string[]
  /** how long it may take to be ready (30 s; a process under valgrind needs longer) */
  readonly readyTimeoutMs?: number
}

interface Pending {
  readonly resolve: (value: unknown) => void
  readonly reject: (err: Error) => void
}

export class BenchChild {
  readonly name: string
  readonly child: ChildProcess
  info: Record<string, unknown> = {}
  cpus: string | null
  #output = ''
  #nextId = 1
  readonly #pending = new Map<number, Pending>()
  readonly #exited: Promise<void>

  private constructor (name: string, script: URL, options: ChildOptions) {
    this.name = name
    this.cpus = options.cpus
    const [command, args] = prefixed(options.prefix ?? [],
      pinned(options.cpus, process.execPath, [...(options.execArgv ?? []), fileURLToPath(script), ...(options.args ?? [])]))
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...options.env } })
    const keep = (chunk: Buffer): void => { this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_TAIL) }
    this.child.stdout!.on('data', keep)
    this.child.stderr!.on('data', keep)
    this.child.on('message', (message: ReplyMessage | ReadyMessage) => this.#onMessage(message))
    // a send to a child that just died emits 'error'; the exit handler below fails the pending calls
    this.child.on('error', () => {})
    this.#exited = once(this.child, 'exit').then(([code, signal]) => {
      const err = new Error(`${this.name} exited (${signal ?? code}); output:\n${this.#output}`)
      for (const pending of this.#pending.values()) pending.reject(err)
      this.#pending.clear()
    })
  }

  static async start (name: string, script: URL, options: ChildOptions): Promise<BenchChild> {
    const child = new BenchChild(name, script, options)
    const readyMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS
    const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready within ${readyMs} ms; output:\n${child.#output}`)), readyMs)
      child.child.on('message', (m: ReadyMessage) => { if (m.type === 'ready') { clearTimeout(timer); resolve(m.info) } })
      child.#exited.then(() => { clearTimeout(timer); reject(new Error(`${name} exited before it was ready; output:\n${child.#output}`)) }, reject)
    })
    child.info = await ready
    return child
  }

  get pid (): number {
    return this.child.pid!
  }

  /** Calls `op` in the child; rejects with the child's error (its stack) or when the child exits. */
  call<T> (op: string, payload: unknown = null): Promise<T> {
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`${this.name} is not running; output:\n${this.#output}`))
        return
      }
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.child.send({ id, op, payload } satisfies CallMessage)
    })
  }

  /** Moves the running child (every thread) to other CPUs; a no-op when pinning is off. */
  pin (cpus: string | null): void {
    if (cpus === null || cpus === this.cpus) return
    repin(this.pid, cpus)
    this.cpus = cpus
  }

  async stop (): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    // closing the channel asks the child to exit by itself (serveParent); a signal is the fallback
    this.child.disconnect()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await this.#exited
    clearTimeout(timer)
  }

  #onMessage (message: ReplyMessage | ReadyMessage): void {
    if (message.type !== 'reply') return
    const pending = this.#pending.get(message.id)
    if (pending === undefined) return
    this.#pending.delete(message.id)
    if (message.ok) pending.resolve(message.result)
    else pending.reject(new Error(`${this.name}: ${message.error}`))
  }
}
