// What the load balancer's parts share: the peers a worker picks from (addresses the main thread resolved
// targets to, with a slot in the shared health table) and the read side of that table. Kong's equivalents
// are the balancer's addresses and the health checker's per-address state (kong/runloop/balancer/targets.lua,
// kong/runloop/balancer/healthcheckers.lua).

/** One address a target resolved to: what a worker connects to and how it reports health. */
export interface Peer {
  /** index of this peer's health record in the shared health table (stable across reloads while the key exists) */
  readonly slot: number
  /** what to connect to: an IP address, or the target's name when it was not resolved */
  readonly address: string
  readonly port: number
  /** the target's host as written (name or IP), for the Host header and TLS SNI */
  readonly hostname: string
  /** weight of this address (the target's weight, or the SRV record's weight) */
  readonly weight: number
  /** id of the target entity this address comes from */
  readonly targetId: string
}

/** What workers read about health: one Atomics.load per call. */
export interface HealthView {
  isHealthy (slot: number): boolean
}
