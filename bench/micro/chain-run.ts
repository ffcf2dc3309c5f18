// Micro benchmark: one request through the gateway's real request listener (src/proxy/request-handler.ts
// handleRequest) on a Runtime compiled from a 1,000-route config, for a route whose access chain answers
// itself (request-termination, 200). That is everything a worker does per request except the sockets and
// the upstream call: path split and normalisation, router lookup, request context, upstream header set,
// the access-phase chain, Kong's response headers and body, the finish bookkeeping. A baseline answers
// the same in-memory request/response objects directly, so the difference is the gateway's own cost.
// A third case runs the bench's `stack` plugins (key-auth, acl, rate-limiting, correlation-id) before the
// same request-termination, so `stacked - request-termination` is what those plugins' access and header
// filter phases cost a request. Prints ns per request (median of several timed rounds).
// Run: node bench/micro/chain-run.ts [requests per round, default 100000]

import { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { Writable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { compileRuntime } from '../../src/config/compile-runtime.ts'
import { loadConfigObject } from '../../src/config/load.ts'
import { createLogger } from '../../src/core/log.ts'
import { NO_REQUEST_METRICS } from '../../src/metrics/worker-metrics.ts'
import { loadPluginModules } from '../../src/plugins/handlers.ts'
import type { PluginServices } from '../../src/plugins/types.ts'
import { handleRequest } from '../../src/proxy/request-handler.ts'
import { UpstreamPools } from '../../src/proxy/upstream-pools.ts'
import { WorkerState } from '../../src/proxy/worker-state.ts'
import { STAT_FIELDS } from '../../src/workers/worker-stats.ts'
import { WorkerBalancers } from '../../src/balancer/worker-balancers.ts'
import { RateLimitingWorkerService } from '../../src/plugins/rate-limiting/worker-service.ts'
import { createCounterBuffer } from '../../src/plugins/rate-limiting/counters/layout.ts'

const REQUESTS = Number(process.argv[2] ?? 100_000)
const ROUNDS = 7
const BATCH = 1000

function config (): unknown {
  const routes: unknown[] = []
  for (let k = 0; k < 999; k++) routes.push({ name: `r${k}`, paths: [`/svc${k}/v1`] })
  const terminate = { name: 'request-termination', config: { status_code: 200, message: 'answered by the gateway' } }
  routes.push({ name: 'answered', paths: ['/answered'], plugins: [terminate] })
  routes.push({
    name: 'stacked',
    paths: ['/stacked'],
    plugins: [
      { name: 'key-auth', config: {} },
      { name: 'acl', config: { allow: ['bench-clients'] } },
      { name: 'rate-limiting', config: { second: 1_000_000_000, policy: 'local' } },
      { name: 'correlation-id', config: {} },
      terminate
    ]
  })
  return {
    _format_version: '3.0',
    consumers: [{ username: 'bench', keyauth_credentials: [{ key: 'bench-api-key' }], acls: [{ group: 'bench-clients' }] }],
    services: [{ name: 'svc', url: 'http://127.0.0.1:9', routes }]
  }
}

// A socket that accepts and forgets every byte: ServerResponse writes through it as through a TCP socket.
function sinkSocket (): Socket {
  const sink = new Writable({ write (_chunk, _encoding, done) { done() } })
  return Object.assign(sink, { setTimeout () { return sink }, setNoDelay () { return sink }, remoteAddress: '127.0.0.1', remotePort: 40000 }) as unknown as Socket
}

const socket = sinkSocket()
const HEADERS = { host: 'gateway.local', accept: '*/*', 'user-agent': 'bench' }

function exchange (url: string, extra: Record<string, string> = {}): [IncomingMessage, ServerResponse] {
  const req = new IncomingMessage(socket)
  req.method = 'GET'
  req.url = url
  req.headers = { ...HEADERS, ...extra }
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  req.complete = true
  return [req, new ServerResponse(req)]
}

const BODY = '{"message":"answered directly"}'
function answerDirectly (_req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 200
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.setHeader('content-length', BODY.length)
  res.end(BODY)
}

const loaded = loadConfigObject(config(), '<bench>')
const settings = loaded.settings
// rate-limiting counts in shared memory its worker service holds (the gateway's main thread makes the buffer)
const rateLimiting = new RateLimitingWorkerService({ counters: createCounterBuffer(1024) }, createLogger('crit'))
const services: PluginServices = { settings, byPlugin: new Map([['rate-limiting', rateLimiting]]), onMessage () {}, redis: null }
const runtime = compileRuntime(loaded, { pools: new UpstreamPools(settings), plugins: await loadPluginModules(), services, metrics: NO_REQUEST_METRICS, balancers: WorkerBalancers.detached() })
const state = new WorkerState(runtime, new Float64Array(STAT_FIELDS), createLogger('crit'))
const viaGateway = (req: IncomingMessage, res: ServerResponse): void => handleRequest(state, req, res)

async function nsPerRequest (handler: (req: IncomingMessage, res: ServerResponse) => void, url: string,
  extra: Record<string, string> = {}): Promise<number> {
  let elapsed = 0n
  for (let done = 0; done < REQUESTS; done += BATCH) {
    const pairs = Array.from({ length: BATCH }, () => exchange(url, extra))
    const start = process.hrtime.bigint()
    // one sink socket serves every response in turn, as a keep-alive connection does
    for (const [req, res] of pairs) {
      res.assignSocket(socket)
      handler(req, res)
      res.detachSocket(socket)
    }
    elapsed += process.hrtime.bigint() - start
    await nextTurn() // lets the responses' 'finish' callbacks run, as the event loop would between requests
  }
  return Number(elapsed) / REQUESTS
}

function median (values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]
}

const [checkReq, checkRes] = exchange('/answered')
checkRes.assignSocket(socket)
viaGateway(checkReq, checkRes)
checkRes.detachSocket(socket)
if (checkRes.statusCode !== 200 || checkRes.getHeader('x-kong-response-latency') === undefined) {
  throw new Error(`the gateway did not answer as expected (status ${checkRes.statusCode})`)
}

const [stackReq, stackRes] = exchange('/stacked', { apikey: 'bench-api-key' })
stackRes.assignSocket(socket)
viaGateway(stackReq, stackRes)
stackRes.detachSocket(socket)
if (stackRes.statusCode !== 200 || stackRes.getHeader('ratelimit-limit') === undefined) {
  throw new Error(`the stacked route did not pass its plugins (status ${stackRes.statusCode})`)
}

const CASES = [
  ['baseline: answered directly', answerDirectly, '/answered/items?page=2', {}],
  ['handleRequest → request-termination', viaGateway, '/answered/items?page=2', {}],
  ['handleRequest → stack plugins → request-termination', viaGateway, '/stacked/items?page=2', { apikey: 'bench-api-key' }]
] as const
const rows = []
for (const [name, handler, url, extra] of CASES) {
  await nsPerRequest(handler, url, extra) // warm-up
  const samples: number[] = []
  for (let r = 0; r < ROUNDS; r++) samples.push(await nsPerRequest(handler, url, extra))
  rows.push({ case: name, 'ns/request (median)': Math.round(median(samples)), min: Math.round(Math.min(...samples)) })
}
console.log(`one request through a 1,000-route Runtime, ${REQUESTS} requests × ${ROUNDS} rounds, node ${process.version}`)
console.table(rows)
console.log(`gateway's own cost: ${rows[1]['ns/request (median)'] - rows[0]['ns/request (median)']} ns/request over the baseline`)
console.log(`the stack plugins: ${rows[2]['ns/request (median)'] - rows[1]['ns/request (median)']} ns/request over request-termination alone`)
