// One upstream as a proxy worker balances it: the algorithm over its current peers, the passive health
// rules, and (consistent-hashing only) how to find the value to hash. Built once per config compile and
// shared by every route whose service names the upstream (Kong keeps one balancer per upstream:
// kong/runloop/balancer/balancers.lua); its peers are swapped in place when DNS changes an address list.

import type { Upstream } from '../config/types.ts'
import { createBalancer, type Balancer } from './balancer.ts'
import { compileHashSpec, hashValue, type HashInput, type HashSpec } from './hash-value.ts'
import { compileHealthRules, type HealthRules } from './health-rules.ts'
import type { HealthTable } from './health-table.ts'
import { samePeers } from './peer-snapshot.ts'
import type { Peer } from './types.ts'

export class UpstreamBalancer {
  readonly upstream: Upstream
  readonly rules: HealthRules
  readonly health: HealthTable
  /** consistent-hashing's hash_on / hash_fallback; null for the other algorithms, which hash nothing */
  readonly hash: HashSpec | null
  /** the spec reads a uri_capture: the routes to this upstream keep their regexes for it */
  readonly needsCaptures: boolean
  peers: readonly Peer[]
  balancer: Balancer
  /** bumped when the peers change, so routes rebuild their per-peer connection pools */
  version: number
  /** reused for every request: hashValue is synchronous and a worker runs one request at a time */
  readonly #input: HashInput

  constructor (upstream: Upstream, peers: readonly Peer[], health: HealthTable) {
    this.upstream = upstream
    this.rules = compileHealthRules(upstream.healthchecks)
    this.health = health
    this.hash = upstream.algorithm === 'consistent-hashing' ? compileHashSpec(upstream) : null
    this.needsCaptures = this.hash !== null && this.hash.sources.some((s) => s.kind === 'uri_capture')
    this.peers = peers
    this.balancer = createBalancer(upstream.algorithm, peers, upstream.slots, health)
    this.version = 0
    this.#input = {
      consumerId: null, credentialId: null, clientIp: '', headers: {}, path: '', query: null, uriCaptures: null, setCookie: null
    }
  }

  /** New peers from the main thread; the same list keeps the balancer (and its counts) as it is. */
  setPeers (peers: readonly Peer[]): void {
    if (samePeers(this.peers, peers)) return
    this.peers = peers
    this.balancer = createBalancer(this.upstream.algorithm, peers, this.upstream.slots, this.health)
    this.version++
  }

  /** Fills the reused input for hashValue: callers set its fields, then call valueToHash. */
  get hashInput (): HashInput {
    return this.#input
  }

  valueToHash (): string | null {
    const value = hashValue(this.hash!, this.#input)
    // the input holds request objects until the next request: drop them
    this.#input.headers = EMPTY_HEADERS
    this.#input.uriCaptures = null
    return value
  }
}

const EMPTY_HEADERS = Object.freeze({})
