// A proxy worker thread: one server per proxy_listen address (plain, TLS or TLS with HTTP/2:
// proxy-server.ts), all workers bound to the same port with reusePort so the kernel spreads connections.
// It owns its Runtime and swaps it on commit, certificates included.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Server, Socket } from 'node:net'
import type { Server as TlsServer } from 'node:tls'
import { parentPort, workerData } from 'node:worker_threads'
import { once } from 'node:events'
import { compileRuntime, closeRuntime, type Runtime } from '../config/compile-runtime.ts'
import type { ListenAddress, LoadedConfig } from '../config/types.ts'
import { createLogger } from '../core/log.ts'
import { flushModuleCompileCache } from '../core/compile-cache.ts'
import { KONG_MESSAGES, kongErrorBody } from '../core/kong-responses.ts'
import { PluginModules, pluginNamesIn } from '../plugins/handlers.ts'
import type { PluginServices } from '../plugins/types.ts'
import { handleRequest } from '../proxy/request-handler.ts'
import { UpstreamPools } from '../proxy/upstream-pools.ts'
import { WorkerState } from '../proxy/worker-state.ts'
import { RedisClients } from '../redis/clients.ts'
import { RedisStats } from '../redis/stats.ts'
import type { FromWorker, ToWorker, WorkerData } from './messages.ts'
import { STAT_CONNECTIONS_ACCEPTED, STAT_CONNECTIONS_ACTIVE, STAT_CONNECTIONS_HANDLED, workerStats } from './worker-stats.ts'
import { setupPluginServices } from '../plugins/worker-thread-services.ts'
import { WorkerMetrics } from '../metrics/worker-metrics.ts'
import { WorkerBalancers } from '../balancer/worker-balancers.ts'
import type { PeerSnapshot } from '../balancer/peer-snapshot.ts'
import { createProxyServer, setDefaultCertificate, type ProxyHandlers } from './proxy-server.ts'
import { listenOptions } from './listen-options.ts'
import type { ServerCertificates } from '../tls/types.ts'

const data = workerData as WorkerData
const port = parentPort!
const settings0 = data.config.settings
const logger = createLogger(settings0.log_level).child({ worker: data.index })
const pools = new UpstreamPools(settings0)
const plugins = new PluginModules()
await plugins.load(pluginNamesIn(data.config))
const redis = new RedisClients(new RedisStats(data.redisStats), logger)
const pluginServices: PluginServices = await setupPluginServices(settings0, data.pluginData, port, logger, undefined, redis)
const balancers = new WorkerBalancers(data.balancing)
const deps = { pools, plugins: plugins.modules, services: pluginServices, metrics: new WorkerMetrics(data.metrics, data.index), balancers, serverTls: data.serverTls }
const state = new WorkerState(compileRuntime(data.config, deps), workerStats(data.statsBuffer, data.index), logger)
const pending = new Map<number, Runtime>()
const servers: Server[] = []
/** the TLS ones among `servers`: their default certificate follows the Runtime */
const tlsServers: TlsServer[] = []

function post (message: FromWorker): void {
  port.postMessage(message)
}

function onRequest (req: IncomingMessage, res: ServerResponse): void {
  handleRequest(state, req, res)
}

function onConnection (socket: Socket): void {
  const stats = state.stats
  stats[STAT_CONNECTIONS_ACCEPTED]++
  stats[STAT_CONNECTIONS_HANDLED]++
  stats[STAT_CONNECTIONS_ACTIVE]++
  socket.once('close', onSocketClose)
}

function onSocketClose (): void {
  state.stats[STAT_CONNECTIONS_ACTIVE]--
}

const BAD_REQUEST = Buffer.from(kongErrorBody(KONG_MESSAGES[400], null))
const HEADERS_TOO_LARGE = Buffer.from(kongErrorBody(KONG_MESSAGES[494], null))

// Malformed HTTP never reaches the request listener: answer 400 (494 for oversized headers, as Kong's
// nginx) and close, as nginx does, instead of Node's bare default.
function onClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (err as { bytesParsed?: number }).bytesParsed === undefined) {
    socket.destroy()
    return
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
  const body = tooLarge ? HEADERS_TOO_LARGE : BAD_REQUEST
  socket.end(`HTTP/1.1 ${tooLarge ? '494 Request Header Or Cookie Too Large' : '400 Bad Request'}\r\n` +
    `content-type: application/json; charset=utf-8\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.toString()}`)
}

function currentCertificates (): ServerCertificates | null {
  return state.runtime.certificates
}

const handlers: ProxyHandlers = { onRequest, onConnection, onClientError, certificates: currentCertificates }

async function listenAll (addresses: readonly ListenAddress[]): Promise<string[]> {
  const bound: string[] = []
  for (const address of addresses) {
    const server = createProxyServer(address, state.settings, handlers)
    server.listen(listenOptions(address))
    await once(server, 'listening')
    servers.push(server)
    if (address.ssl) tlsServers.push(server as TlsServer)
    bound.push(`${address.host}:${address.port}`)
  }
  return bound
}

/** generations whose plugin modules are being imported: an abort meanwhile removes its own */
const loading = new Set<number>()

function prepare (generation: number, config: LoadedConfig, peers: PeerSnapshot): void {
  try {
    balancers.update(peers)
  } catch (err) {
    post({ type: 'prepare-failed', generation, message: (err as Error).message })
    return
  }
  const names = pluginNamesIn(config)
  if (plugins.has(names)) return compilePrepared(generation, config)
  // a plugin no config of this worker used before: its module first
  loading.add(generation)
  plugins.load(names).then(() => {
    if (loading.delete(generation)) compilePrepared(generation, config)
  }, (err: unknown) => {
    if (loading.delete(generation)) post({ type: 'prepare-failed', generation, message: (err as Error).message })
  })
}

function compilePrepared (generation: number, config: LoadedConfig): void {
  try {
    pending.set(generation, compileRuntime(config, deps))
    post({ type: 'prepared', generation })
  } catch (err) {
    post({ type: 'prepare-failed', generation, message: (err as Error).message })
  }
}

function commit (generation: number): void {
  const next = pending.get(generation)
  if (next === undefined) return
  pending.delete(generation)
  const previous = state.runtime
  state.runtime = next
  state.settings = next.config.settings
  const certificates = next.certificates
  if (certificates !== null) for (const server of tlsServers) setDefaultCertificate(server, certificates)
  pools.retainOnly(next.poolKeys)
  closeRuntime(previous, balancers)
  post({ type: 'committed', generation })
}

function abort (generation: number): void {
  // still importing modules: nothing compiled yet, and nothing will be
  loading.delete(generation)
  const runtime = pending.get(generation)
  if (runtime === undefined) return
  pending.delete(generation)
  closeRuntime(runtime, balancers)
}

function drain (): void {
  state.draining = true
  for (const server of servers) {
    // an http2 listener's close() also sends GOAWAY to its sessions and closes idle HTTP/1.1 connections
    server.close()
    ;(server as { closeIdleConnections?: () => void }).closeIdleConnections?.()
  }
  // from here this worker accepts no connection: once every worker said so, the port refuses them
  logger.log('notice', 'draining', { in_flight: state.inFlight })
  const done = (): void => {
    state.readDeadlines.close()
    state.connections.close()
    Promise.allSettled([pools.closeAll(), redis.close()]).finally(() => post({ type: 'drained' }))
  }
  if (state.inFlight === 0) done()
  else state.onIdle = done
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'prepare': return prepare(message.generation, message.config, message.peers)
    case 'commit': return commit(message.generation)
    case 'abort': return abort(message.generation)
    case 'drain': return drain()
    case 'plugin': return pluginServices.onMessage?.(message.plugin, message.payload)
    case 'peers': return balancers.update(message.peers)
  }
})

const addresses = await listenAll(data.listen)
// before saying so: the main thread logs 'listening' once every worker has, and a stop may follow at once
flushModuleCompileCache()
post({ type: 'listening', addresses })
