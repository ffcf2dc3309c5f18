// Stage: compile, in each proxy worker (workers/http-worker.ts), after load.ts ran on the main thread.
// The ONE place a loaded config becomes a worker's Runtime: the router, each route compiled (CompiledRoute:
// its upstream pool and plugin chain), header flags and strings the hot path would otherwise build per
// request. A reload builds a new Runtime and swaps one reference; the old one is closed once the swap is done.

import type { Dispatcher } from 'undici'
import { BlockList, isIP } from 'node:net'
import type { CaCertificate, Certificate, Consumer, Entities, LoadedConfig, Route, Service, Settings, Upstream } from './types.ts'
import { effectivePathHandling } from '../router/flavor.ts'
import { Router } from '../router/router.ts'
import { ChainResolver, type RouteChain } from '../plugins/chain.ts'
import type { ConfigView, PluginInstance, PluginModule, PluginServices } from '../plugins/types.ts'
import { createConsumerIndex } from './consumer-index.ts'
import { createConsumerGroupIndex } from './consumer-group-index.ts'
import { createCredentialIndex } from './credential-index.ts'
import { headerFlags, type HeaderFlags } from '../proxy/header-flags.ts'
import { UpstreamPools } from '../proxy/upstream-pools.ts'
import type { UpstreamTls } from '../proxy/upstream-tls.ts'
import type { RequestMetricsWriter } from '../metrics/worker-metrics.ts'
import type { UpstreamBalancer } from '../balancer/upstream-balancer.ts'
import type { WorkerBalancers } from '../balancer/worker-balancers.ts'
import { BalancedService } from '../proxy/balanced-service.ts'
import { FAMILY_PER_CONSUMER, configFamilies } from '../metrics/families.ts'
import { compileCertificates } from '../tls/certificate-store.ts'
import { servesTls, type ServerTlsDefaults } from '../tls/default-certificate.ts'
import type { ServerCertificates } from '../tls/types.ts'

export interface CompiledRoute {
  readonly route: Route
  /** null: the route has no (enabled) service → 503 "no Service found with those values" */
  readonly service: Service | null
  /** the service's one origin; null when there is no service or its host names an upstream */
  readonly pool: Dispatcher | null
  readonly poolKey: string | null
  /** the service's host names an upstream: the peer, its pool and Host are chosen per attempt */
  readonly balanced: BalancedService | null
  /** Host header sent upstream when preserve_host is off: host, plus :port when not the default */
  readonly upstreamHost: string
  readonly servicePath: string | null
  /** the route's path_handling as the router_flavor applies it (v0 under traditional_compatible) */
  readonly pathHandling: 'v0' | 'v1'
  readonly chain: RouteChain
  /** the route accepts only https: plain http gets https_redirect_status_code */
  readonly httpsOnly: boolean
  /** where this worker counts the route's requests (RequestMetricsWriter.slotOf); -1: not counted */
  readonly metricsSlot: number
  /**
   * consumer id -> the slot of this route and that consumer, for a prometheus plugin's per_consumer
   * (metrics/families.ts); null when no enabled prometheus plugin has per_consumer on
   */
  readonly consumerSlots: ReadonlyMap<string, number> | null
}

export interface Runtime {
  readonly config: LoadedConfig
  readonly router: Router<CompiledRoute>
  readonly flags: HeaderFlags
  /** clients whose X-Forwarded-* headers are passed on; null when trusted_ips is empty */
  readonly trustedIps: BlockList | null
  readonly poolKeys: ReadonlySet<string>
  readonly instances: readonly PluginInstance[]
  /** the upstreams' balancers of this compile (released when the Runtime closes) */
  readonly balancers: readonly UpstreamBalancer[]
  /** where the proxy reports each finished request (src/proxy/request-metrics.ts) */
  readonly metrics: RequestMetricsWriter
  /**
   * the families a request records unless its prometheus plugin's log phase says otherwise
   * (metrics/families.ts): all of them without any prometheus plugin in the config, none with one
   */
  readonly metricsFamilies: number
  /** what TLS listeners present (src/tls/certificate-store.ts); null when no proxy_listen entry has `ssl` */
  readonly certificates: ServerCertificates | null
}

export interface CompileDeps {
  readonly pools: UpstreamPools
  readonly plugins: ReadonlyMap<string, PluginModule>
  readonly services: PluginServices
  readonly metrics: RequestMetricsWriter
  readonly balancers: WorkerBalancers
  /** the default certificates and ticket keys made at start (workerData); absent or null: no TLS listener */
  readonly serverTls?: ServerTlsDefaults | null
}

export function compileRuntime (config: LoadedConfig, deps: CompileDeps): Runtime {
  const { services, routes, plugins } = config.entities
  const servicesById = new Map(services.map((s) => [s.id, s]))
  const view = createConfigView(config.entities)
  const instances = createInstances(config, deps, view)
  const poolKeys = new Set<string>()
  const entries = []
  const chains = new ChainResolver(plugins, instances, view.consumerGroups)
  const families = configFamilies(config)
  const perConsumer = (families.exported & FAMILY_PER_CONSUMER) !== 0 ? config.entities.consumers : null
  const upstreams = deps.balancers.build(config.entities.upstreams)
  const tls = tlsEntities(config.entities)
  for (const route of routes) {
    const service = route.service === null ? null : servicesById.get(route.service.id) ?? null
    // Kong leaves routes of a disabled service out of the router
    if (service !== null && !service.enabled) continue
    const target = compileRoute(route, service, deps, chains.resolve(route), config.settings, perConsumer, upstreams, tls)
    if (target.poolKey !== null) poolKeys.add(target.poolKey)
    if (target.balanced !== null) for (const key of target.balanced.poolKeys()) poolKeys.add(key)
    entries.push({ route, value: target })
  }
  return Object.freeze({
    config,
    router: new Router(entries, undefined, config.settings.router_flavor),
    flags: headerFlags(config.settings),
    trustedIps: trustedIps(config.settings.trusted_ips),
    poolKeys,
    instances: Object.freeze([...instances.values()]),
    balancers: Object.freeze([...upstreams.values()]),
    metrics: deps.metrics,
    metricsFamilies: families.requestDefault,
    certificates: deps.serverTls == null || !servesTls(config.settings) ? null : compileCertificates(config, deps.serverTls)
  })
}

/** What plugin instances may read of the config: consumers, credentials and groups, indexed once per compile. */
export function createConfigView (entities: Entities): ConfigView {
  const consumers = createConsumerIndex(entities.consumers)
  return Object.freeze({
    consumers,
    credentials: createCredentialIndex(entities, consumers),
    consumerGroups: createConsumerGroupIndex(entities),
  })
}

function createInstances (config: LoadedConfig, deps: CompileDeps, view: ConfigView): Map<string, PluginInstance> {
  const instances = new Map<string, PluginInstance>()
  try {
    for (const plugin of config.entities.plugins) {
      if (!plugin.enabled) continue
      const module = deps.plugins.get(plugin.name)
      if (module === undefined) throw new Error(`plugin '${plugin.name}' is not installed in this worker`)
      instances.set(plugin.id, module.create(plugin, deps.services, view))
    }
  } catch (err) {
    for (const instance of instances.values()) instance.close()
    throw err
  }
  return instances
}

/** The certificates and CA certificates by id, for the services' and upstreams' references (checked at load). */
interface TlsEntities {
  readonly certificates: ReadonlyMap<string, Certificate>
  readonly cas: ReadonlyMap<string, CaCertificate>
}

function tlsEntities (entities: Entities): TlsEntities {
  return {
    certificates: new Map(entities.certificates.map((c) => [c.id, c])),
    cas: new Map(entities.ca_certificates.map((c) => [c.id, c])),
  }
}

/**
 * A null tls_verify follows proxy_ssl_verify (Kong: services.lua "the global level config proxy_ssl_verify");
 * the service's client_certificate, else its upstream's (upstream_ssl.lua fallback_upstream_client_cert).
 */
function upstreamTls (service: Service, settings: Settings, tls: TlsEntities, upstream: Upstream | null): UpstreamTls | null {
  if (service.protocol !== 'https') return null
  const verify = service.tls_verify ?? settings.proxy_ssl_verify
  const client = service.client_certificate ?? upstream?.client_certificate ?? null
  const cas = service.ca_certificates
  return {
    verify,
    // a depth or CAs mean nothing without verification: leaving them out lets such services share a pool
    verifyDepth: verify ? service.tls_verify_depth : null,
    caCertificates: verify && cas !== null ? cas.map((id) => tls.cas.get(id)!) : null,
    clientCertificate: client === null ? null : tls.certificates.get(client.id)!,
  }
}

function compileRoute (route: Route, service: Service | null, deps: CompileDeps, chain: RouteChain,
  settings: Settings, perConsumer: readonly Consumer[] | null, upstreams: ReadonlyMap<string, UpstreamBalancer>, tls: TlsEntities): CompiledRoute {
  const httpsOnly = !route.protocols.includes('http')
  const pathHandling = effectivePathHandling(settings.router_flavor, route)
  if (service === null) {
    return Object.freeze({ route, service, pool: null, poolKey: null, balanced: null, upstreamHost: '', servicePath: null, pathHandling, chain, httpsOnly, metricsSlot: -1, consumerSlots: null })
  }
  const metricsSlot = deps.metrics.slotOf(route, service)
  const slots = perConsumer === null ? null : consumerSlots(route, service, perConsumer, deps.metrics)
  // Kong's balancer.execute: a service host that names an upstream is balanced over its targets, and the
  // service's port is ignored ("the pool provides it")
  const upstream = upstreams.get(service.host)
  if (upstream !== undefined) {
    const balanced = new BalancedService(upstream, route, service, upstreamTls(service, settings, tls, upstream.upstream), deps.pools)
    return Object.freeze({ route, service, pool: null, poolKey: null, balanced, upstreamHost: '', servicePath: service.path, pathHandling, chain, httpsOnly, metricsSlot, consumerSlots: slots })
  }
  const defaultPort = service.protocol === 'https' ? 443 : 80
  const host = service.host.includes(':') ? `[${service.host}]` : service.host
  const authority = service.port === defaultPort ? host : `${host}:${service.port}`
  const poolOptions = {
    origin: `${service.protocol}://${host}:${service.port}`,
    connectTimeout: service.connect_timeout,
    tls: upstreamTls(service, settings, tls, null)
  }
  return Object.freeze({
    route,
    service,
    pool: deps.pools.get(poolOptions),
    poolKey: UpstreamPools.keyOf(poolOptions),
    balanced: null,
    upstreamHost: authority,
    servicePath: service.path,
    pathHandling,
    chain,
    httpsOnly,
    metricsSlot,
    consumerSlots: slots
  })
}

/** The per_consumer slots of a route: consumers with a username and a series (route-series.ts bounds them). */
function consumerSlots (route: Route, service: Service, consumers: readonly Consumer[],
  metrics: RequestMetricsWriter): ReadonlyMap<string, number> {
  const slots = new Map<string, number>()
  for (const consumer of consumers) {
    if (consumer.username === null) continue
    const slot = metrics.slotOf(route, service, consumer.username)
    if (slot >= 0) slots.set(consumer.id, slot)
  }
  return slots
}

/** Releases what a replaced Runtime holds that the new one does not (plugin timers; pools are shared). */
export function closeRuntime (runtime: Runtime, balancers: WorkerBalancers): void {
  for (const instance of runtime.instances) instance.close()
  balancers.release(runtime.balancers)
}

function trustedIps (entries: readonly string[]): BlockList | null {
  if (entries.length === 0) return null
  const list = new BlockList()
  for (const entry of entries) {
    const [address, bits] = entry.split('/')
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(bits), family)
  }
  return list
}
