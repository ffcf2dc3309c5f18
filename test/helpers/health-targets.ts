// Real upstream servers for the health-check and DNS tests, one per target: each answers with its own name
// and a status the test sets (or hangs, or is taken off its port and put back), and counts the requests it
// got, apart from the active probes (requests to PROBE_PATH), which it records with their headers. Plus the
// few calls those tests make through the gateway: a request that reports which target answered, the Admin
// health of an upstream, and a poll for a condition that timers (probes, DNS refreshes) make true.

import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { send } from './gateway.ts'

/** where the tests point healthchecks.active.http_path */
export const PROBE_PATH = '/probe'

export interface Probe {
  readonly at: number
  readonly headers: IncomingHttpHeaders
}

export interface HealthTarget {
  readonly name: string
  readonly host: string
  readonly port: number
  /** host:port, as a target entity writes it */
  readonly target: string
  /** proxied requests received (probes not counted) */
  hits: number
  readonly probes: Probe[]
  /** the status proxied requests get */
  status: number
  /** the status probes get */
  probeStatus: number
  /** proxied requests get no answer at all */
  hang: boolean
  /** closes the listener and every connection: connections to the port are refused */
  down (): Promise<void>
  /** listens on the same port again */
  up (): Promise<void>
  close (): Promise<void>
}

export async function startHealthTarget (name: string, host = '127.0.0.1', port = 0): Promise<HealthTarget> {
  let server: Server | null = null
  const listen = async (on: number): Promise<number> => {
    const next = createServer((req, res) => {
      if (req.url === PROBE_PATH) {
        state.probes.push({ at: Date.now(), headers: req.headers })
        res.writeHead(state.probeStatus, { 'content-length': '0' }).end()
        return
      }
      state.hits++
      if (state.hang) return
      const body = JSON.stringify({ target: name })
      res.writeHead(state.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body)
    })
    next.listen(on, host)
    await once(next, 'listening')
    server = next
    return (next.address() as { port: number }).port
  }
  const stop = async (): Promise<void> => {
    const current = server
    if (current === null) return
    server = null
    current.closeAllConnections()
    await new Promise((resolve) => current.close(resolve))
  }
  const bound = await listen(port)
  const state: HealthTarget = {
    name,
    host,
    port: bound,
    target: `${host}:${bound}`,
    hits: 0,
    probes: [],
    status: 200,
    probeStatus: 200,
    hang: false,
    down: stop,
    up: async () => { await listen(bound) },
    close: stop
  }
  return state
}

/** One request through the gateway on a fresh connection: its status and the name of the target that answered ('' if none). */
export async function hit (proxyUrl: string, path = '/'): Promise<{ status: number, target: string, body: string }> {
  const reply = await send(proxyUrl + path)
  let target = ''
  if (reply.headers['content-type'] === 'application/json') target = (reply.json<{ target?: string }>().target) ?? ''
  return { status: reply.status, target, body: reply.text }
}

/** `count` requests one after another; the number each target answered, by name (and '' for the gateway's own answers). */
export async function tally (proxyUrl: string, count: number, path = '/'): Promise<Record<string, number>> {
  const seen: Record<string, number> = {}
  for (let i = 0; i < count; i++) {
    const { target } = await hit(proxyUrl, path)
    seen[target] = (seen[target] ?? 0) + 1
  }
  return seen
}

export interface TargetHealthRow {
  readonly id: string
  readonly target: string
  readonly health: string
  readonly data: {
    readonly host: string
    readonly port: number
    readonly dns: string
    readonly nodeWeight: number
    readonly weight: { readonly total: number, readonly available: number, readonly unavailable: number }
    readonly addresses: ReadonlyArray<{ readonly ip: string, readonly port: number, readonly weight: number, readonly health: string }>
  }
}

/** GET /upstreams/{upstream}/health: the rows by target (host:port). */
export async function healthOf (adminUrl: string, upstream: string): Promise<Record<string, TargetHealthRow>> {
  const reply = await send(`${adminUrl}/upstreams/${upstream}/health`)
  if (reply.status !== 200) throw new Error(`GET /upstreams/${upstream}/health: ${reply.status} ${reply.text}`)
  const rows: Record<string, TargetHealthRow> = {}
  for (const row of reply.json<{ data: TargetHealthRow[] }>().data) rows[row.target] = row
  return rows
}

/** Polls `check` every 20 ms until it holds (true) or `ms` pass (false). */
export async function until (check: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}
