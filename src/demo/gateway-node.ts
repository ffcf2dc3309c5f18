// One gateway node of `npm run demo -- --nodes 2`: the real CLI (`bin/tollgate.js start --config FILE`)
// in a process of its own, as a second machine would run it, with its own config file, prefix and
// ports (127.0.0.1:0, read back from its JSON log lines). Its log is kept, not printed: the walk-through
// is the demo's output, and a node that fails to start shows its log in the error.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))
const START_TIMEOUT_MS = 60_000
const OUTPUT_TAIL = 8192

export interface NodeStart {
  readonly name: string
  /** the config document; written to `<prefix>/config.json` with prefix and listeners set */
  readonly document: Record<string, unknown>
  readonly prefix: string
  /** the decK placeholders' values (the config's `${{ env "..." }}`) */
  readonly env: Readonly<Record<string, string>>
}

export class GatewayNode {
  readonly name: string
  readonly child: ChildProcess
  proxy = ''
  admin = ''
  #output = ''
  readonly #exited: Promise<unknown>

  private constructor (name: string, child: ChildProcess) {
    this.name = name
    this.child = child
    this.#exited = once(child, 'exit')
    const keep = (chunk: Buffer): void => { this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_TAIL) }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
  }

  static async start (start: NodeStart): Promise<GatewayNode> {
    const file = join(start.prefix, 'config.json')
    const document = { ...start.document, prefix: start.prefix, proxy_listen: '127.0.0.1:0', admin_listen: '127.0.0.1:0', log_level: 'notice' }
    await writeFile(file, JSON.stringify(document, null, 2), { mode: 0o600 })
    const child = spawn(process.execPath, [BIN, 'start', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...start.env } })
    const node = new GatewayNode(start.name, child)
    await node.#addresses()
    return node
  }

  // The supervisor logs `listening` (proxy addresses) and `admin_listening` as JSON lines once bound.
  async #addresses (): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS
    while (this.proxy === '' || this.admin === '') {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw this.#failed('it exited')
      if (Date.now() > deadline) throw this.#failed(`no addresses within ${START_TIMEOUT_MS} ms`)
      for (const line of this.#output.split('\n')) this.#read(line)
      if (this.proxy === '' || this.admin === '') await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  #read (text: string): void {
    if (!text.startsWith('{')) return
    let line: { event?: string, proxy?: string[], admin?: string[] }
    try {
      line = JSON.parse(text)
    } catch {
      return
    }
    if (line.event === 'listening' && line.proxy !== undefined) this.proxy = `http://${line.proxy[0]}`
    if (line.event === 'admin_listening' && line.admin !== undefined) this.admin = `http://${line.admin[0]}`
  }

  #failed (why: string): Error {
    this.child.kill('SIGKILL')
    return new Error(`gateway ${this.name} did not start (${why}); its log:\n${this.#output}`)
  }

  async stop (): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    await this.#exited
    clearTimeout(timer)
  }
}
