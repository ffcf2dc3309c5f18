// Main thread: the upstreams of the config in force, once per gateway. Resolves each target's host to
// addresses (src/dns; an IP address is its own), gives every address a slot in the shared health table
// (health-slots.ts), runs the active health checks (active-checker.ts), and hands workers the resulting
// peer lists (PeerSnapshot): at start, with each config a reload prepares, and again when DNS changes an
// address list. Kong does the same per worker (kong/runloop/balancer/targets.lua, upstreams.lua,
// healthcheckers.lua); here it is done once and shared.
//
// A reload is two-phase (workers/supervisor.ts): `prepare` gives the next config's peers their slots while
// the running config keeps its own, `commit` frees the slots only the old config used, `abort` those only
// the new one would have.

import { isIP } from 'node:net'
import type { LoadedConfig, Target, Upstream } from '../config/types.ts'
import { upstreamsByName } from '../config/upstream-index.ts'
import type { Logger } from '../core/log.ts'
import type { DnsError } from '../core/errors.ts'
import { createDnsResolver } from '../dns/create-resolver.ts'
import type { DnsResolver } from '../dns/resolver.ts'
import type { ResolvedAddress } from '../dns/types.ts'
import { ActiveChecker, type ActiveUpstream } from './active-checker.ts'
import { compileHealthRules, type HealthRules } from './health-rules.ts'
import { HealthSlots, healthSlotKey, type SlotRequest } from './health-slots.ts'
import { splitTarget, type TargetHealthInput, type UpstreamHealthInput } from './health-status.ts'
import { HealthTable } from './health-table.ts'
import type { PeerSnapshot } from './peer-snapshot.ts'
import type { Peer } from './types.ts'

/** One address a target resolved to, before it has a slot. */
interface Address {
  readonly address: string
  readonly port: number
  readonly weight: number
}

interface PlannedTarget {
  readonly target: Target
  /** the host as written (a name or an IP address), without brackets */
  readonly host: string
  readonly addresses: readonly Address[]
  /** Kong's `dns` of the target in the health endpoint: the record type, or why resolution failed */
  readonly dns: string
}

interface PlannedUpstream {
  readonly upstream: Upstream
  readonly rules: HealthRules
  readonly targets: readonly PlannedTarget[]
}

/** What a config's upstreams resolved to: built before its peers get slots. */
export type UpstreamPlan = ReadonlyMap<string, PlannedUpstream>

interface Live {
  readonly config: LoadedConfig
  readonly plan: UpstreamPlan
  readonly peers: PeerSnapshot
  /** per upstream id: its targets with their peers, for the Admin API and /metrics */
  readonly health: ReadonlyMap<string, UpstreamHealthInput>
}

export interface UpstreamRegistryOptions {
  readonly logger: Logger
  /** sends new peers to every worker (after a DNS change) */
  readonly broadcast: (peers: PeerSnapshot) => void
  /** for tests: a resolver of their own */
  readonly resolver?: DnsResolver
}

export class UpstreamRegistry {
  readonly table: HealthTable
  readonly #slots: HealthSlots
  readonly #dns: DnsResolver
  readonly #checker: ActiveChecker
  readonly #options: UpstreamRegistryOptions
  #live: Live | null = null
  #pending: { readonly config: LoadedConfig, readonly plan: UpstreamPlan, readonly peers: PeerSnapshot } | null = null
  #watched = new Set<string>()
  #refreshing: Promise<void> = Promise.resolve()
  readonly #stopWatching: () => void

  constructor (config: LoadedConfig, options: UpstreamRegistryOptions) {
    this.table = HealthTable.create()
    this.#slots = new HealthSlots(this.table)
    this.#dns = options.resolver ?? createDnsResolver(config.settings)
    this.#checker = new ActiveChecker(this.table)
    this.#options = options
    this.#stopWatching = this.#dns.onChange((name) => this.#onDnsChange(name))
  }

  get peers (): PeerSnapshot {
    return this.#live?.peers ?? {}
  }

  /** The first config: resolved, given slots, checked. */
  async start (config: LoadedConfig): Promise<PeerSnapshot> {
    const plan = await this.plan(config)
    const peers = this.#assign([plan])[0]
    this.#goLive(config, plan, peers)
    return peers
  }

  /** Resolves every target of `config` (no slots yet): the slow part of a reload, done before it starts. */
  async plan (config: LoadedConfig): Promise<UpstreamPlan> {
    const upstreams = [...upstreamsByName(config).values()]
    const resolved = await Promise.all(upstreams.map(async (upstream) =>
      await Promise.all(upstream.targets.map(async (target) => await this.#resolveTarget(target)))))
    // in config order, whichever name resolved first
    const plan = new Map<string, PlannedUpstream>()
    upstreams.forEach((upstream, i) => plan.set(upstream.id, { upstream, rules: compileHealthRules(upstream.healthchecks), targets: resolved[i] }))
    return plan
  }

  /** A reload's first phase: the next config's peers, with slots that leave the running config's alone. */
  prepare (config: LoadedConfig, plan: UpstreamPlan): PeerSnapshot {
    const live = this.#live === null ? [] : [this.#live.plan]
    const peers = this.#assign([...live, plan]).at(-1)!
    this.#pending = { config, plan, peers }
    return peers
  }

  /** Every worker switched to the prepared config. */
  commit (): void {
    const pending = this.#pending
    if (pending === null) return
    this.#pending = null
    this.#assign([pending.plan])
    this.#goLive(pending.config, pending.plan, pending.peers)
  }

  /** The reload failed: the slots only the prepared config used are freed. */
  abort (): void {
    if (this.#pending === null) return
    this.#pending = null
    if (this.#live !== null) this.#assign([this.#live.plan])
  }

  /** An upstream of the running config, by id or name, with its targets' peers. */
  upstreamHealth (idOrName: string): UpstreamHealthInput | null {
    const live = this.#live
    if (live === null) return null
    const byId = live.health.get(idOrName)
    if (byId !== undefined) return byId
    for (const upstream of live.health.values()) if (upstream.name === idOrName) return upstream
    return null
  }

  /** Every upstream of the running config with its targets' peers (kong_upstream_target_health). */
  upstreamsHealth (): readonly UpstreamHealthInput[] {
    return this.#live === null ? [] : [...this.#live.health.values()]
  }

  async close (): Promise<void> {
    this.#stopWatching()
    for (const name of this.#watched) this.#dns.unwatch(name)
    this.#watched.clear()
    await this.#checker.close()
    this.#dns.close()
  }

  async #resolveTarget (target: Target): Promise<PlannedTarget> {
    const { host: written, port } = splitTarget(target.target)
    const host = written.startsWith('[') ? written.slice(1, -1) : written
    const family = isIP(host)
    if (family !== 0) {
      return { target, host, addresses: [{ address: host, port, weight: target.weight }], dns: family === 6 ? 'AAAA' : 'A' }
    }
    try {
      const resolved = await this.#dns.resolve(host)
      return { target, host, addresses: resolved.map((entry) => addressOf(entry, target, port)), dns: recordType(resolved) }
    } catch (err) {
      // Kong keeps such a target with no addresses and reports it as DNS_ERROR (balancers.lua getTargetStatus)
      this.#options.logger.log('warn', 'upstream_target_unresolved', { target: target.target, error: (err as DnsError).message })
      return { target, host, addresses: [], dns: (err as Error).message }
    }
  }

  /**
   * Gives slots to the peers of each plan at once (a key in several plans keeps one slot) and frees the
   * rest; returns each plan's peers.
   */
  #assign (plans: readonly UpstreamPlan[]): PeerSnapshot[] {
    const requests: SlotRequest[] = []
    for (const plan of plans) {
      for (const planned of plan.values()) {
        for (const target of planned.targets) {
          for (const address of target.addresses) {
            requests.push({ key: healthSlotKey(planned.upstream.id, target.target.target, address.address, address.port), checked: planned.rules.enabled })
          }
        }
      }
    }
    const slots = this.#slots.sync(requests)
    return plans.map((plan) => {
      const snapshot: Record<string, readonly Peer[]> = {}
      for (const planned of plan.values()) {
        const peers: Peer[] = []
        for (const target of planned.targets) {
          for (const address of target.addresses) {
            peers.push(Object.freeze({
              slot: slots.get(healthSlotKey(planned.upstream.id, target.target.target, address.address, address.port))!,
              address: address.address,
              port: address.port,
              hostname: target.host,
              weight: address.weight,
              targetId: target.target.id
            }))
          }
        }
        snapshot[planned.upstream.id] = Object.freeze(peers)
      }
      return Object.freeze(snapshot)
    })
  }

  #goLive (config: LoadedConfig, plan: UpstreamPlan, peers: PeerSnapshot): void {
    const health = new Map<string, UpstreamHealthInput>()
    const active: ActiveUpstream[] = []
    for (const planned of plan.values()) {
      const upstreamPeers = peers[planned.upstream.id] ?? []
      const targets: TargetHealthInput[] = planned.targets.map((target) => ({
        entity: { ...target.target },
        peers: upstreamPeers.filter((peer) => peer.targetId === target.target.id),
        dns: target.dns
      }))
      health.set(planned.upstream.id, { id: planned.upstream.id, name: planned.upstream.name, rules: planned.rules, targets })
      const client = planned.upstream.client_certificate
      const clientCertificate = client === null ? null : config.entities.certificates.find((c) => c.id === client.id) ?? null
      active.push({ id: planned.upstream.id, rules: planned.rules, hostHeader: planned.upstream.host_header, clientCertificate, peers: upstreamPeers })
    }
    this.#live = { config, plan, peers, health }
    this.#checker.update(active)
    this.#watch(plan)
  }

  /** DNS names of the live targets are refreshed in the background; the others are let go. */
  #watch (plan: UpstreamPlan): void {
    const names = new Set<string>()
    for (const planned of plan.values()) {
      for (const target of planned.targets) if (isIP(target.host) === 0) names.add(target.host)
    }
    for (const name of names) if (!this.#watched.has(name)) this.#dns.watch(name)
    for (const name of this.#watched) if (!names.has(name)) this.#dns.unwatch(name)
    this.#watched = names
  }

  /** A watched name's addresses changed: the running config's peers again, sent to every worker. */
  #onDnsChange (name: string): void {
    if (!this.#watched.has(name)) return
    this.#refreshing = this.#refreshing.then(async () => await this.#refresh()).catch((err: unknown) => {
      this.#options.logger.log('error', 'upstream_dns_refresh_failed', { name, error: err })
    })
  }

  async #refresh (): Promise<void> {
    const live = this.#live
    // a reload in progress brings its own resolution; its commit goes live with it
    if (live === null || this.#pending !== null) return
    const plan = await this.plan(live.config)
    if (this.#live !== live || this.#pending !== null) return
    const peers = this.#assign([plan])[0]
    this.#goLive(live.config, plan, peers)
    this.#options.broadcast(peers)
  }
}

/**
 * kong/runloop/balancer/targets.lua update_dns_result: every address of a name gets the target's weight;
 * an SRV record gives its own port (0: the target's) and weight (0 counts as 1). A target of weight 0
 * stays out of rotation whatever its records say.
 */
function addressOf (entry: ResolvedAddress, target: Target, port: number): Address {
  const weight = target.weight === 0 ? 0 : entry.weight === null ? target.weight : Math.max(1, entry.weight)
  return { address: entry.address, port: entry.port === null || entry.port === 0 ? port : entry.port, weight }
}

function recordType (resolved: readonly ResolvedAddress[]): string {
  if (resolved.some((entry) => entry.port !== null)) return 'SRV'
  return resolved.length > 0 && resolved[0].family === 6 ? 'AAAA' : 'A'
}
