// The Redis counters every proxy worker adds to and the main thread reads for GET /metrics
// (metrics-source.ts): one SharedArrayBuffer per gateway, made by the supervisor and handed to each worker.
// Layout: one BigInt64 lane per counter, added to with Atomics (workers write concurrently); a gauge is
// a lane that goes up and down. A worker that crashes leaves its gauges counted until the gateway restarts
// (the restarted worker's clients are counted again): the gauges are an indication, the counters exact.

/** Lane indices, one BigInt64 each. */
export const CLIENTS_OPEN = 0
export const CLIENTS_READY = 1
export const COMMAND_ERRORS = 2
export const CONNECTION_ERRORS = 3
export const CONNECTIONS_LOST = 4
export const CONNECTIONS_RESTORED = 5
export const LANES = 6

const ONE = 1n
const MINUS_ONE = -1n

export function createRedisStatsBuffer (): SharedArrayBuffer {
  return new SharedArrayBuffer(LANES * BigInt64Array.BYTES_PER_ELEMENT)
}

export class RedisStats {
  readonly #lanes: BigInt64Array

  constructor (buffer: SharedArrayBuffer = createRedisStatsBuffer()) {
    this.#lanes = new BigInt64Array(buffer, 0, LANES)
  }

  add (lane: number): void {
    Atomics.add(this.#lanes, lane, ONE)
  }

  subtract (lane: number): void {
    Atomics.add(this.#lanes, lane, MINUS_ONE)
  }

  read (lane: number): number {
    return Number(Atomics.load(this.#lanes, lane))
  }
}
