// The layout of the shared health table: one SharedArrayBuffer the main thread allocates and every proxy
// worker maps (workerData). Declared as the token cache (src/cache/layout.ts) and the rate-limiting counters
// (src/plugins/rate-limiting/counters/layout.ts) are: every index a named constant here, sizes derived
// from them only. All fields are i32, so indices are in Int32Array units, not bytes.
//
//   [0, HEADER_WORDS)                        header: magic, layout version, capacity
//   [HEADER_WORDS, + capacity*RECORD_WORDS)  one record per peer (an address a target resolved to)
//
// Record (i32 indices from the record's start; RECORD_WORDS = 16 = 64 bytes, one cache line, so workers
// reporting on different peers do not false-share):
//   REC_STATE          (generation << GEN_SHIFT) | FLAG_OVERRIDE? | state. One word, so a transition is one
//                      compare-exchange that fails when another thread moved the state first or when the
//                      slot was handed to another peer meanwhile (its generation changed)
//   REC_SUCCESSES      consecutive successes (lua-resty-healthcheck's CTR_SUCCESS)
//   REC_HTTP_FAILURES  consecutive HTTP failures (CTR_HTTP)
//   REC_TCP_FAILURES   consecutive TCP failures (CTR_TCP)
//   REC_TIMEOUTS       consecutive timeouts (CTR_TIMEOUT)
//
// The four states are lua-resty-healthcheck's internal states (lib/resty/healthcheck.lua INTERNAL_STATES):
// "mostly" states count as their plain state for routing (get_target_status) and say that counting towards
// the other state has begun. The low bit is "unhealthy", so isHealthy is one load and one AND.

export const LAYOUT_MAGIC = 0x48634831 // 'HcH1'
export const LAYOUT_VERSION = 1

export const HEADER_MAGIC = 0
export const HEADER_VERSION = 1
export const HEADER_CAPACITY = 2
export const HEADER_WORDS = 16

export const REC_STATE = 0
export const REC_SUCCESSES = 1
export const REC_HTTP_FAILURES = 2
export const REC_TCP_FAILURES = 3
export const REC_TIMEOUTS = 4
export const RECORD_WORDS = 16

export const STATE_HEALTHY = 0
export const STATE_UNHEALTHY = 1
export const STATE_MOSTLY_HEALTHY = 2
export const STATE_MOSTLY_UNHEALTHY = 3
export const STATE_MASK = 3
/** the routing bit: set in STATE_UNHEALTHY and STATE_MOSTLY_UNHEALTHY */
export const UNHEALTHY_BIT = 1
/** the current healthy/unhealthy state was set by an Admin call (PUT .../healthy|unhealthy), not by counting */
export const FLAG_OVERRIDE = 4
export const GEN_SHIFT = 3
/** generations wrap here, so the state word stays a positive i32 */
export const GEN_LIMIT = 1 << 28

/** Peers one table holds: the gateway's limit on target addresses over all upstreams. */
export const DEFAULT_CAPACITY = 4096

export function tableBytes (capacity: number): number {
  return (HEADER_WORDS + capacity * RECORD_WORDS) * Int32Array.BYTES_PER_ELEMENT
}
