// Main thread: active health checks, once per gateway (Kong runs them in one worker per node, holding a
// periodic lock: lua-resty-healthcheck get_periodic_lock). For each upstream with healthchecks.active
// healthy.interval or unhealthy.interval > 0, two rounds repeat: every healthy.interval the peers that are
// routed now (healthy, mostly_healthy) are probed, every unhealthy.interval the others; the first round
// comes one interval after start (checker:start). A round that is still running when its next turn comes
// is not started twice (checker_callback's callback lock). Within a round at most `concurrency` probes run
// at once (active_check_targets). Results go through the active thresholds into the same health table the
// workers' passive reports use. Peers of weight 0 are not checked (healthcheckers.lua
// populate_healthchecker adds only addresses with weight > 0).

import type { Socket } from 'node:net'
import type { HealthTable } from './health-table.ts'
import { applyOutcome, OUTCOME_NONE, type ActiveRules, type HealthRules } from './health-rules.ts'
import { probe, type ProbeOptions } from './active-probe.ts'
import type { Peer } from './types.ts'
import type { ClientPem } from './active-probe.ts'

export interface ActiveUpstream {
  readonly id: string
  readonly rules: HealthRules
  /** the upstream's host_header: the probes' Host header when set */
  readonly hostHeader: string | null
  /** the upstream's client_certificate, presented by https probes (as its proxied requests do); null: none */
  readonly clientCertificate: ClientPem | null
  readonly peers: readonly Peer[]
}

const HEALTHY_ROUND = 0
const UNHEALTHY_ROUND = 1

class UpstreamChecks {
  upstream: ActiveUpstream
  readonly timers: Array<ReturnType<typeof setInterval> | null> = [null, null]
  readonly running: Array<Promise<void> | null> = [null, null]

  constructor (upstream: ActiveUpstream) {
    this.upstream = upstream
  }
}

export class ActiveChecker {
  readonly #table: HealthTable
  readonly #options: ProbeOptions
  readonly #checks = new Map<string, UpstreamChecks>()
  readonly #sockets = new Set<Socket>()
  #closed = false

  constructor (table: HealthTable, options: ProbeOptions = {}) {
    this.#table = table
    this.#options = options
  }

  /**
   * The upstreams of the config now live. An upstream whose intervals did not change keeps its timers
   * (its next round probes the new peer list); one whose intervals changed restarts them; upstreams gone,
   * or without active checks now, stop.
   */
  update (upstreams: readonly ActiveUpstream[]): void {
    if (this.#closed) throw new Error('active checker is closed')
    const live = new Set<string>()
    for (const upstream of upstreams) {
      if (!hasActiveChecks(upstream.rules)) continue
      live.add(upstream.id)
      const existing = this.#checks.get(upstream.id)
      if (existing === undefined) {
        const checks = new UpstreamChecks(upstream)
        this.#checks.set(upstream.id, checks)
        this.#startTimers(checks)
      } else {
        const restart = !sameTiming(existing.upstream.rules.active, upstream.rules.active)
        existing.upstream = upstream
        if (restart) {
          stopTimers(existing)
          this.#startTimers(existing)
        }
      }
    }
    for (const [id, checks] of this.#checks) {
      if (live.has(id)) continue
      stopTimers(checks)
      this.#checks.delete(id)
    }
  }

  /** Runs one round for an upstream now (tests, and an Admin-triggered check); resolves when it is done. */
  checkNow (upstreamId: string, round: 'healthy' | 'unhealthy'): Promise<void> {
    const checks = this.#checks.get(upstreamId)
    if (checks === undefined) return Promise.resolve()
    return this.#round(checks, round === 'healthy' ? HEALTHY_ROUND : UNHEALTHY_ROUND)
  }

  /** Stops every timer, ends probes in flight (their results are dropped) and waits for the rounds. */
  async close (): Promise<void> {
    this.#closed = true
    const rounds: Array<Promise<void>> = []
    for (const checks of this.#checks.values()) {
      stopTimers(checks)
      for (const running of checks.running) if (running !== null) rounds.push(running)
    }
    this.#checks.clear()
    for (const socket of this.#sockets) socket.destroy()
    await Promise.all(rounds)
  }

  #startTimers (checks: UpstreamChecks): void {
    const active = checks.upstream.rules.active
    const intervals = [active.healthyIntervalMs, active.unhealthyIntervalMs]
    for (const round of [HEALTHY_ROUND, UNHEALTHY_ROUND]) {
      if (intervals[round] <= 0) continue
      const timer = setInterval(() => { this.#round(checks, round).catch(ignore) }, intervals[round])
      // probes must not keep a stopping gateway alive
      timer.unref()
      checks.timers[round] = timer
    }
  }

  #round (checks: UpstreamChecks, round: number): Promise<void> {
    const running = checks.running[round]
    if (running !== null) return running
    const done = this.#probeAll(checks.upstream, round === HEALTHY_ROUND).finally(() => { checks.running[round] = null })
    checks.running[round] = done
    return done
  }

  async #probeAll (upstream: ActiveUpstream, healthy: boolean): Promise<void> {
    const due = upstream.peers.filter((peer) => peer.weight > 0 && this.#table.isHealthy(peer.slot) === healthy)
    let next = 0
    const runner = async (): Promise<void> => {
      while (next < due.length && !this.#closed) {
        const peer = due[next++]
        const outcome = await probe({ address: peer.address, port: peer.port, host: upstream.hostHeader ?? peer.hostname, clientCertificate: upstream.clientCertificate }, upstream.rules.active, this.#options, this.#sockets)
        if (!this.#closed && outcome !== OUTCOME_NONE) applyOutcome(this.#table, peer.slot, upstream.rules.active, outcome)
      }
    }
    const runners: Array<Promise<void>> = []
    for (let i = 0; i < Math.min(upstream.rules.active.concurrency, due.length); i++) runners.push(runner())
    await Promise.all(runners)
  }
}

/** Kong runs active probes when either interval is set (checker:start). */
export function hasActiveChecks (rules: HealthRules): boolean {
  return rules.active.healthyIntervalMs > 0 || rules.active.unhealthyIntervalMs > 0
}

function sameTiming (a: ActiveRules, b: ActiveRules): boolean {
  return a.healthyIntervalMs === b.healthyIntervalMs && a.unhealthyIntervalMs === b.unhealthyIntervalMs
}

/** A round does not reject (a probe resolves with an outcome); this only keeps an unforeseen bug from an unhandled rejection. */
function ignore (): void {}

function stopTimers (checks: UpstreamChecks): void {
  for (let round = 0; round < checks.timers.length; round++) {
    const timer = checks.timers[round]
    if (timer !== null) clearInterval(timer)
    checks.timers[round] = null
  }
}
