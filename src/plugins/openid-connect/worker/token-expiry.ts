// How long a token stays in the cache (Kong's openid-connect cache.lua and handler.lua), as an absolute time in ms (Date.now() based):
// - expires_in > 0: expires_in, clamped by cache_ttl_min / cache_ttl_max (max wins when they conflict);
// - expires_in == 0: cache_ttl_max when set, otherwise never;
// - expires_in < 0: cache_ttl_min when set, otherwise cache_ttl;
// - no expires_in: the token's own exp, clamped; neither: cache_ttl, clamped.
// Tollgate adds one rule: an entry never outlives the token's exp, so the upstream never gets a token that
// has expired (renewal ahead of that time is the cache's job).

/** The config fields expiry depends on, as the schema validates them. */
export interface ExpiryConfig {
  readonly cache_ttl?: number | null
  readonly cache_ttl_min?: number | null
  readonly cache_ttl_max?: number | null
  readonly leeway?: number | null
}

export interface ExpiryRules {
  /** seconds; all of them */
  readonly ttl: number
  readonly min: number | null
  readonly max: number | null
  readonly leeway: number
}

/** expiresAt of a token that does not expire */
export const NEVER = Number.POSITIVE_INFINITY

export const DEFAULT_CACHE_TTL = 3600

export function createExpiryRules (config: ExpiryConfig): ExpiryRules {
  return {
    ttl: config.cache_ttl ?? DEFAULT_CACHE_TTL,
    min: config.cache_ttl_min ?? null,
    max: config.cache_ttl_max ?? null,
    leeway: config.leeway ?? 0
  }
}

/**
 * Absolute expiry (ms) of a token from the token response's expires_in (seconds, null when absent) and the
 * token's exp claim (seconds, null for an opaque token or no claim). May be NEVER; may be <= now when the
 * token is already past its exp.
 */
export function tokenExpiresAt (rules: ExpiryRules, expiresIn: number | null, tokenExp: number | null,
  nowMs = Date.now()): number {
  const ttl = ttlSeconds(rules, expiresIn, tokenExp, nowMs)
  const expiresAt = ttl === NEVER ? NEVER : nowMs + ttl * 1000
  return tokenExp === null ? expiresAt : Math.min(expiresAt, tokenExp * 1000)
}

function ttlSeconds (rules: ExpiryRules, expiresIn: number | null, tokenExp: number | null, nowMs: number): number {
  if (expiresIn !== null) {
    if (expiresIn > 0) return clamp(rules, expiresIn)
    if (expiresIn === 0) return rules.max ?? NEVER
    return rules.min ?? rules.ttl
  }
  if (tokenExp !== null) return clamp(rules, tokenExp - nowMs / 1000)
  return clamp(rules, rules.ttl)
}

function clamp (rules: ExpiryRules, ttl: number): number {
  let value = ttl
  if (rules.min !== null && value < rules.min) value = rules.min
  if (rules.max !== null && value > rules.max) value = rules.max
  return value
}

/**
 * Kong's check once the tokens are obtained: a token whose exp (+ leeway) has passed is refused with
 * error_description "The access token expired" (there is no refresh token in this grant).
 */
export function isExpiredOnArrival (rules: ExpiryRules, tokenExp: number | null, nowMs = Date.now()): boolean {
  return tokenExp !== null && tokenExp + rules.leeway <= nowMs / 1000
}
