// What a lookup tells its caller. A lookup returns one of these numbers and leaves the value, when
// there is one, in `cache.value`; nothing is allocated for a hit.
//
//   HIT       a ready, unexpired value: `value` is it (the same decoded object every hit of this version)
//   RENEW     as HIT, and this caller won the renew-ahead claim: serve `value`, refresh in the
//             background, then call complete() (or fail(), which keeps the still-valid value)
//   NEGATIVE  the IdP refused this key recently (a negative entry), or, from wait(), the fill failed
//             and nothing may be served: `value` is null
//   STALE     expired, but within the staleness the caller allowed, and the last fill failed
//             (cache_ttl_resurrect): `value` is the expired value
//   FILL      a miss and this caller is now the filler: fetch, then complete() or fail(). `value` is
//             the expired value when one is retained within the allowed staleness (to serve if the
//             fetch fails), else null
//   WAIT      another thread is filling: call wait() at once (same tick), which resolves with the outcome

export const HIT = 1
export const RENEW = 2
export const NEGATIVE = 3
export const STALE = 4
export const FILL = 5
export const WAIT = 6

export type LookupStatus = typeof HIT | typeof RENEW | typeof NEGATIVE | typeof STALE | typeof FILL | typeof WAIT
export type WaitStatus = Exclude<LookupStatus, typeof WAIT>

/** The outcome of wait(): never WAIT. FILL means the filler died or failed over and this caller now fills. */
export interface WaitResult<T> {
  readonly status: WaitStatus
  readonly value: T | null
}

/** Internal: the slot changed under the lookup; look again. */
export const RETRY = 0
