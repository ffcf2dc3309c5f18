// Upstream targets for load-balancing tests: N real HTTP servers on 127.0.0.1, each on its own port and
// answering every request with its own name as the body, so a test counts who served what. A server
// can be slowed down (least-connections), closed (its port then refuses connections: a dead target) and
// started again on the same port (a revived one). Every request's Host header is kept for the
// set_host_header checks.

import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'

export interface TargetServer {
  readonly name: string
  readonly port: number
  /** `127.0.0.1:<port>`: what an upstream's target says */
  readonly target: string
  /** requests answered since the last reset */
  served: number
  /** connections accepted since the server started (keep-alive reuse shows as few) */
  connections: number
  /** headers of the last request answered */
  lastHeaders: IncomingHttpHeaders | null
  /** Set-Cookie values each answer carries */
  setCookies: string[]
  /** ms each answer waits (0: at once) */
  delayMs: number
  /** closes the server and every connection to it: its port refuses connections from now on */
  close (): Promise<void>
  /** listens again on the same port */
  revive (): Promise<void>
}

export interface TargetServers {
  readonly servers: readonly TargetServer[]
  /** requests served per server name since the last reset */
  counts (): Record<string, number>
  reset (): void
  close (): Promise<void>
}

/** Starts `names.length` servers, one per name (the body each answers with). */
export async function startTargetServers (names: readonly string[]): Promise<TargetServers> {
  const servers = await Promise.all(names.map(async (name) => await startOne(name)))
  return {
    servers,
    counts () {
      return Object.fromEntries(servers.map((s) => [s.name, s.served]))
    },
    reset () {
      for (const server of servers) server.served = 0
    },
    async close () {
      await Promise.all(servers.map(async (s) => await s.close()))
    }
  }
}

async function startOne (name: string): Promise<TargetServer> {
  let server: Server | null = null
  const state: TargetServer = {
    name,
    port: 0,
    target: '',
    served: 0,
    connections: 0,
    lastHeaders: null,
    setCookies: [],
    delayMs: 0,
    async close () {
      const closing = server
      server = null
      if (closing === null) return
      closing.closeAllConnections()
      await new Promise((resolve) => closing.close(resolve))
    },
    async revive () {
      if (server !== null) return
      server = await listen(state, state.port)
    }
  }
  server = await listen(state, 0)
  const port = (server.address() as { port: number }).port
  Object.assign(state, { port, target: `127.0.0.1:${port}` })
  return state
}

async function listen (state: TargetServer, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume()
    req.once('end', () => {
      state.served++
      state.lastHeaders = req.headers
      const answer = (): void => {
        const headers = ['content-type', 'text/plain', 'content-length', String(Buffer.byteLength(state.name))]
        for (const cookie of state.setCookies) headers.push('set-cookie', cookie)
        res.writeHead(200, headers)
        res.end(state.name)
      }
      if (state.delayMs === 0) answer()
      // unref'd: a finished test does not wait for an answer nobody reads any more
      else setTimeout(answer, state.delayMs).unref()
    })
  })
  server.on('connection', () => { state.connections++ })
  server.keepAliveTimeout = 30_000
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  return server
}
