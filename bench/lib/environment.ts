// Starts every process the selected scenarios need and nothing more: load generator, upstream, floors
// (plain, bare, TLS, HTTP/2, and the three with Kong's headers), IdP, a redis-server for the Redis scenarios, and up to three gateways (1 worker;
// --workers workers; 1 worker with the verified-token cache off) plus `cluster-cold`'s pair of 1-worker
// gateways sharing that Redis, each pinned per the CPU plan. One set of processes serves all runs, so the runs of different scenarios
// can interleave.

import { request } from 'undici'
import { startLocalRedis, type LocalRedis } from '../../src/demo/redis-server.ts'
import { makeBenchCertificate, type BenchCertificate } from './bench-certificate.ts'
import { BenchChild } from './child.ts'
import type { CpuPlan } from './cpu-plan.ts'
import { BenchGateway } from './gateway.ts'
import { BENCH_CLIENT_SECRET, bearerPluginConfig, brokerPluginConfig, clusterCachePluginConfig, hotPluginConfig, introspectionPluginConfig } from './oidc-setup.ts'
import type { BenchOptions } from './options.ts'
import { benchConsumers, benchPlugins, checkPluginScenarios } from './plugin-setup.ts'
import type { Scenario } from './scenarios.ts'

const PROC = (name: string): URL => new URL(`../procs/${name}.ts`, import.meta.url)
/** credential sets registered in the load generator */
export const CREDENTIALS = { hot: 'hot', many: 'many', cold: 'cold', clusterCold: 'cluster-cold', jwt: 'jwt', opaque: 'opaque' } as const

export interface Environment {
  readonly plan: CpuPlan
  readonly load: BenchChild
  readonly upstream: BenchChild
  readonly floor: BenchChild | null
  readonly floorBare: BenchChild | null
  /** the floor behind node:https (`floor-tls`, `floor-tls-handshake`) */
  readonly floorTls: BenchChild | null
  /** the floor behind node:http2's secure server (`floor-h2`) */
  readonly floorH2: BenchChild | null
  /** the three floors again, writing Kong's headers (bench/procs/floor.ts --kong) */
  readonly floorKong: BenchChild | null
  readonly floorTlsKong: BenchChild | null
  readonly floorH2Kong: BenchChild | null
  readonly idp: BenchChild | null
  /** 1 worker: proxy and the oidc scenarios */
  readonly gateway: BenchGateway | null
  /** --workers workers: the `workers` scenarios */
  readonly gatewayWorkers: BenchGateway | null
  /** 1 worker, oidc_verified_token_cache_size 0: `oidc-bearer-verify-each` */
  readonly gatewayVerifyEach: BenchGateway | null
  /** two 1-worker gateways sharing `redis` (cluster_cache_strategy redis): `cluster-cold` */
  readonly gatewayPair: readonly [BenchGateway, BenchGateway] | null
  /** the Redis of the cluster cache scenarios */
  readonly redis: LocalRedis | null
  readonly manyCount: number
  readonly coldCount: number
  readonly clusterColdCount: number
  close (): Promise<void>
}

type Log = (line: string) => void

export async function startEnvironment (options: BenchOptions, scenarios: readonly Scenario[], plan: CpuPlan, log: Log): Promise<Environment> {
  const started: Array<{ stop: () => Promise<void> }> = []
  const close = async (): Promise<void> => {
    for (const one of started.reverse()) await one.stop().catch(() => {})
  }
  try {
    const targets = new Set(scenarios.map((s) => s.target))
    const oidc = scenarios.some((s) => s.oidc)
    const bearer = scenarios.some((s) => s.credentials === 'jwt' || s.credentials === 'opaque')
    const manyCount = scenarios.some((s) => s.credentials === 'many') ? options.manyCredentials : 0
    const coldCount = scenarios.some((s) => s.credentials === 'cold') ? options.coldCredentials : 0
    const clusterColdCount = scenarios.some((s) => s.credentials === 'cluster-cold') ? options.clusterColdCredentials : 0
    const load = track(started, await BenchChild.start('load generator', PROC('load-generator'), { cpus: plan.load }))
    const upstream = track(started, await BenchChild.start('upstream', PROC('upstream'), { cpus: plan.support }))
    const upstreamUrl = upstream.info.url as string
    const floor = targets.has('floor')
      ? track(started, await BenchChild.start('floor', PROC('floor'), { cpus: plan.subject(1), args: floorArgs('floor', upstreamUrl, null), execArgv: profileArgs(options, 'floor') }))
      : null
    const floorBare = targets.has('floor-bare')
      ? track(started, await BenchChild.start('floor-bare', PROC('floor-bare'), { cpus: plan.subject(1), args: [upstreamUrl], execArgv: profileArgs(options, 'floor-bare') }))
      : null
    const gatewayTls = scenarios.some((s) => s.target === 'gateway' && s.listener !== undefined)
    const certificate = needsCertificate(scenarios) ? await makeBenchCertificate() : null
    if (certificate !== null) track(started, { stop: certificate.remove })
    const floorOf = async (name: FloorTarget): Promise<BenchChild | null> =>
      targets.has(name)
        ? track(started, await BenchChild.start(name, PROC('floor'), { cpus: plan.subject(1), args: floorArgs(name, upstreamUrl, certificate), execArgv: profileArgs(options, name) }))
        : null
    const floorTls = await floorOf('floor-tls')
    const floorH2 = await floorOf('floor-h2')
    const floorKong = await floorOf('floor-kong')
    const floorTlsKong = await floorOf('floor-tls-kong')
    const floorH2Kong = await floorOf('floor-h2-kong')
    let redis: LocalRedis | null = null
    if (scenarios.some((s) => s.redis === true)) {
      redis = await startLocalRedis()
      track(started, redis)
      log(`started redis-server on port ${redis.port}`)
    }
    let idp: BenchChild | null = null
    if (oidc) {
      log(`starting the IdP (${manyCount} + ${clusterColdCount} + ${coldCount} extra clients)`)
      idp = track(started, await BenchChild.start('IdP', PROC('idp'), {
        cpus: plan.support,
        args: [JSON.stringify({ extraSecretClients: manyCount + clusterColdCount, extraJwtClients: coldCount, bearer })]
      }))
      await registerCredentials(load, idp, manyCount)
    }
    const routes = (names: readonly string[]): RouteSpec[] => names.map((name) => ({ name, plugins: pluginsFor(name, idp, redis) }))
    const namesOf = (target: Scenario['target']): string[] => scenarios.filter((s) => s.target === target).map((s) => s.name)
    const gatewayNames = namesOf('gateway')
    const workerNames = namesOf('gateway-workers').map((name) => name.slice('workers:'.length))
    const verifyEachNames = namesOf('gateway-verify-each')
    const pairNames = namesOf('gateway-pair')
    const slots = 4 * (manyCount + coldCount + clusterColdCount + 64)
    let gateway: BenchGateway | null = null
    if (gatewayNames.length > 0) {
      log(`starting the gateway (1 worker, CPUs ${plan.subject(1) ?? 'any'})`)
      gateway = track(started, await BenchGateway.start({
        name: 'gateway', cpus: plan.subject(1), cpuProfDir: profileDir(options, 'gateway'), config: { ...gatewayConfig(1, upstreamUrl, routes(gatewayNames), slots, upstream.info.targets as string[]), ...(gatewayTls ? tlsSettings(certificate!) : {}) }
      }))
      await checkPluginScenarios(gateway.proxyUrl, gateway.adminUrl, gatewayNames)
      // the broker clients authenticate with the gateway's keys, which the IdP fetches from its Admin API
      if (idp !== null && gatewayNames.includes('oidc-cold')) await idp.call('jwksUri', `${gateway.adminUrl}/openid-connect/jwks`)
    }
    let gatewayWorkers: BenchGateway | null = null
    if (workerNames.length > 0) {
      log(`starting the gateway (${options.workers} workers, CPUs ${plan.subject(options.workers) ?? 'any'})`)
      gatewayWorkers = track(started, await BenchGateway.start({
        name: `gateway ×${options.workers}`, cpus: plan.subject(options.workers), cpuProfDir: profileDir(options, 'gateway-workers'), config: gatewayConfig(options.workers, upstreamUrl, routes(workerNames), 1024)
      }))
    }
    // idle while the other gateway is measured (runs never overlap), so it shares the subject's core
    let gatewayVerifyEach: BenchGateway | null = null
    if (verifyEachNames.length > 0) {
      log(`starting the gateway (1 worker, verified-token cache off, CPUs ${plan.subject(1) ?? 'any'})`)
      gatewayVerifyEach = track(started, await BenchGateway.start({
        name: 'gateway verify-each',
        cpus: plan.subject(1),
        cpuProfDir: profileDir(options, 'gateway-verify-each'),
        config: { ...gatewayConfig(1, upstreamUrl, routes(verifyEachNames), 1024), oidc_verified_token_cache_size: 0 }
      }))
    }
    // both nodes load together, so they get the subject's cores (all CPUs where it has one core)
    let gatewayPair: [BenchGateway, BenchGateway] | null = null
    if (pairNames.length > 0) {
      log(`starting two gateways sharing Redis (1 worker each, CPUs ${plan.subject(2) ?? 'any'})`)
      const node = async (n: number): Promise<BenchGateway> => track(started, await BenchGateway.start({
        name: `gateway node ${n}`, cpus: plan.subject(2), cpuProfDir: profileDir(options, `gateway-node-${n}`), config: gatewayConfig(1, upstreamUrl, routes(pairNames), slots)
      }))
      gatewayPair = [await node(1), await node(2)]
    }
    const served: Array<[BenchGateway | null, readonly string[]]> = [[gateway, gatewayNames], [gatewayWorkers, workerNames],
      [gatewayVerifyEach, verifyEachNames], ...(gatewayPair ?? []).map((g): [BenchGateway, readonly string[]] => [g, pairNames])]
    for (const [g, names] of served) {
      if (g !== null && idp !== null) for (const issuer of issuersOf(names, idp)) await waitForIssuer(g, issuer)
    }
    return { plan, load, upstream, floor, floorBare, floorTls, floorH2, floorKong, floorTlsKong, floorH2Kong, idp, gateway, gatewayWorkers, gatewayVerifyEach, gatewayPair, redis, manyCount, coldCount, clusterColdCount, close }
  } catch (err) {
    await close()
    throw err
  }
}

function track<T extends { stop: () => Promise<void> }> (list: Array<{ stop: () => Promise<void> }>, one: T): T {
  list.push(one)
  return one
}

function profileDir (options: BenchOptions, name: string): string | null {
  return options.cpuProf ? `${options.outDir}/profiles/${name}` : null
}

/** The floors are profiled alongside the gateway, so the profiles show what the gateway does more. */
function profileArgs (options: BenchOptions, name: string): string[] {
  const dir = profileDir(options, name)
  return dir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`]
}

/**
 * The credentials live in the load generator, which builds each Authorization header once. The IdP's
 * numbered secret clients are oidc-many's first `manyCount`, cluster-cold's after them.
 */
async function registerCredentials (load: BenchChild, idp: BenchChild, manyCount: number): Promise<void> {
  const pairs = (ids: readonly string[]): Array<[string, string]> => ids.map((id) => [id, BENCH_CLIENT_SECRET])
  const hot = (idp.info.secretClient as { client_id: string }).client_id
  const secretClients = idp.info.secretClients as string[]
  await load.call('credentials', { name: CREDENTIALS.hot, pairs: pairs([hot]) })
  await load.call('credentials', { name: CREDENTIALS.many, pairs: pairs(secretClients.slice(0, manyCount)) })
  await load.call('credentials', { name: CREDENTIALS.clusterCold, pairs: pairs(secretClients.slice(manyCount)) })
  await load.call('credentials', { name: CREDENTIALS.cold, pairs: pairs(idp.info.jwtClients as string[]) })
  for (const [name, token] of [[CREDENTIALS.jwt, idp.info.jwtToken], [CREDENTIALS.opaque, idp.info.opaqueToken]] as const) {
    if (typeof token === 'string') await load.call('headers', { name, values: [`Bearer ${token}`] })
  }
}

/** the targets served by bench/procs/floor.ts (`floor-bare` has a process of its own) */
export type FloorTarget = 'floor' | 'floor-tls' | 'floor-h2' | 'floor-kong' | 'floor-tls-kong' | 'floor-h2-kong'

/** a floor behind node:https or node:http2, with the run's certificate */
function floorOverTls (target: string): boolean {
  return target === 'floor-tls' || target === 'floor-tls-kong' || target === 'floor-h2' || target === 'floor-h2-kong'
}

/** Whether any of the scenarios needs the run's certificate: a gateway TLS listener, or a floor over TLS. */
export function needsCertificate (scenarios: readonly Scenario[]): boolean {
  return scenarios.some((s) => (s.target === 'gateway' && s.listener !== undefined) || floorOverTls(s.target))
}

/**
 * bench/procs/floor.ts's arguments for a target: behind node:https or node:http2 with the run's
 * certificate, writing Kong's headers for the -kong ones, and with `microseconds` (as the suite's gateways
 * write them) the two microsecond headers too.
 */
export function floorArgs (target: FloorTarget, upstreamUrl: string, certificate: BenchCertificate | null,
  microseconds = true): string[] {
  const h2 = target === 'floor-h2' || target === 'floor-h2-kong'
  const tls = floorOverTls(target)
  if (tls && certificate === null) throw new Error(`${target} needs the run's certificate`)
  return [
    upstreamUrl,
    ...(tls ? ['--tls', certificate!.certFile, certificate!.keyFile] : []),
    ...(h2 ? ['--h2'] : []),
    ...(target.endsWith('-kong') ? ['--kong', ...(microseconds ? ['--microseconds'] : [])] : [])
  ]
}

export interface RouteSpec {
  readonly name: string
  readonly plugins: ReadonlyArray<Record<string, unknown>>
}

/** The plugins on a scenario's route: issue 14's plugin scenarios, or the oidc ones, or none. */
function pluginsFor (name: string, idp: BenchChild | null, redis: LocalRedis | null): ReadonlyArray<Record<string, unknown>> {
  const plugins = benchPlugins(name)
  if (plugins !== null) return plugins
  const oidc = oidcPluginFor(name, idp, redis)
  return oidc === null ? [] : [oidc]
}

function oidcPluginFor (name: string, idp: BenchChild | null, redis: LocalRedis | null): Record<string, unknown> | null {
  if (idp === null) return null
  const issuer = idp.info.url as string
  if (name === 'oidc-hot' || name === 'oidc-many') return hotPluginConfig(issuer, `bench-${name}`)
  if (name === 'oidc-hot-redis' || name === 'cluster-cold') {
    if (redis === null) throw new Error(`${name} needs the suite's redis-server`)
    return clusterCachePluginConfig(issuer, `bench-${name}`, redis.port)
  }
  if (name === 'oidc-cold') return brokerPluginConfig(issuer, 'bench-oidc-cold', idp.info.jwtClients as string[])
  if (name === 'oidc-bearer' || name === 'oidc-bearer-verify-each') return bearerPluginConfig(idp.info.jwtUrl as string)
  if (name === 'oidc-introspect') {
    const client = idp.info.introspectClient as { client_id: string, client_secret: string }
    return introspectionPluginConfig(issuer, client.client_id, client.client_secret)
  }
  return null
}

/** The issuers a gateway's routes name: the JWT IdP only serves the bearer routes. */
function issuersOf (routes: readonly string[], idp: BenchChild): string[] {
  const issuers = new Set<string>()
  for (const route of routes) {
    if (route === 'oidc-bearer' || route === 'oidc-bearer-verify-each') issuers.add(idp.info.jwtUrl as string)
    else if (route.startsWith('oidc-') || route === 'cluster-cold') issuers.add(idp.info.url as string)
  }
  return [...issuers]
}

/** kong.conf's default `headers`: Server/Via, the latency headers and X-Kong-Request-Id */
export const KONG_DEFAULT_HEADERS: readonly string[] = Object.freeze(['server_tokens', 'latency_tokens', 'x-kong-request-id'])

/**
 * Kong's default response headers plus Tollgate's microsecond latency headers, which the suite's recorder
 * reads for the gateway's own time (bench/procs/recorder.ts); a token cache large
 * enough that the oidc-many keys are never evicted by oidc-cold's stream of new ones; the key-auth
 * consumer when a route has key-auth.
 */
export function gatewayConfig (workers: number, upstreamUrl: string, routes: readonly RouteSpec[], cacheSlots: number,
  targets: readonly string[] = []): Record<string, unknown> {
  const balanced = routes.filter((r) => r.name === BALANCED)
  return {
    _format_version: '3.0',
    proxy_listen: '127.0.0.1:0',
    admin_listen: '127.0.0.1:0',
    worker_processes: workers,
    log_level: 'notice',
    headers: [...KONG_DEFAULT_HEADERS, 'microsecond_latency_tokens'],
    token_cache_slots: cacheSlots,
    token_cache_slot_size: 512,
    consumers: benchConsumers(routes.map((r) => r.plugins)),
    services: [{
      name: 'bench-upstream',
      url: upstreamUrl,
      routes: routes.filter((r) => r.name !== BALANCED).map((r) => ({ name: r.name, paths: [`/${r.name}`], plugins: r.plugins }))
    }, ...balanced.map((r) => ({
      // the service's host names the upstream: Kong balances it over the upstream's targets
      name: 'bench-balanced',
      host: BALANCED_UPSTREAM,
      routes: [{ name: r.name, paths: [`/${r.name}`], plugins: r.plugins }]
    }))],
    upstreams: balanced.length === 0 ? [] : [{ name: BALANCED_UPSTREAM, algorithm: 'round-robin', targets: targets.map((target) => ({ target })) }]
  }
}

/**
 * The TLS scenarios' listeners beside the plain one (BenchGateway tells them apart by their flags), with the
 * run's certificate as the default one; every other ssl_* setting is Kong's default (ssl_cipher_suite
 * intermediate: TLS 1.2 and 1.3; session tickets on).
 */
export function tlsSettings (certificate: BenchCertificate): Record<string, unknown> {
  return {
    proxy_listen: ['127.0.0.1:0', '127.0.0.1:0 ssl', '127.0.0.1:0 ssl http2'],
    ssl_cert: [certificate.certFile],
    ssl_cert_key: [certificate.keyFile]
  }
}

/** the `balanced` scenario's route, and the upstream its service names */
const BALANCED = 'balanced'
const BALANCED_UPSTREAM = 'bench-balanced.upstream'

/** The first request must not race the gateway's background discovery of the IdP. */
export async function waitForIssuer (gateway: BenchGateway, issuer: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const res = await request(`${gateway.adminUrl}/openid-connect/issuers`)
    const body = await res.body.json().catch(() => null) as { data?: Array<{ issuer?: string }> } | null
    // exact or a path under it: with two IdPs on one host, one issuer's URL may be a prefix of the other's
    const known = (i: { issuer?: string }): boolean => typeof i.issuer === 'string' && (i.issuer === issuer || i.issuer.startsWith(`${issuer}/`))
    if (res.statusCode === 200 && body?.data?.some(known) === true) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`gateway ${gateway.name} did not discover the IdP ${issuer} within 20 s; output:\n${gateway.output()}`)
}
