// A JWT's three segments as kong/plugins/jwt/jwt_parser.lua decode_token reads them, on attacker input.
// Kong splits at the first two dots (tokenize(token, ".", 3): the third part keeps any further dot), decodes
// each part as base64url (ngx.base64 decode_base64url) and JSON-decodes the first two. Buffer's base64url
// decoder skips characters outside the alphabet, so each segment is checked first: only A-Z a-z 0-9 - _
// and a length that is not 1 modulo 4 (what ngx's decoder refuses too). Kong's decoder also stops at the
// first '=' and ignores what follows; Tollgate refuses '=' (JWS segments are unpadded, RFC 7515 §2).
// JSON parsing is what a token is: it runs once per new token (verified tokens are memoised, handler.ts).

/** jwt_parser.lua alg_verify: the algorithms Kong 3.9 verifies */
export const ALGORITHMS: ReadonlySet<string> = new Set([
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'
])

export interface ParsedToken {
  readonly header: Readonly<Record<string, unknown>>
  readonly claims: Readonly<Record<string, unknown>>
  readonly alg: string
  /** the JWS signing input: `header.claims` as sent */
  readonly input: Buffer
  readonly signature: Buffer
}

/** decode_token's errors ("Bad token; " + this), and one of Tollgate's for claims that are not an object */
export const INVALID_JSON = 'invalid JSON'
export const INVALID_ALG = 'invalid alg'
export const INVALID_CLAIMS = 'invalid claims'
export const INVALID_SIGNATURE = 'invalid signature'

/** Whether `text[start, end)` is unpadded base64url that ngx's decoder accepts. */
export function isBase64Url (text: string, start: number, end: number): boolean {
  if ((end - start) % 4 === 1) return false
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    // charCode ranges rather than a regex: this runs on every byte of every new token
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95
    if (!ok) return false
  }
  return true
}

function jsonObject (text: string, start: number, end: number): Record<string, unknown> | null | undefined {
  if (!isBase64Url(text, start, end)) return undefined
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(text.slice(start, end), 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
}

/** The token's parts, or the reason decode_token gives for refusing it. */
export function parseToken (token: string): ParsedToken | string {
  const first = token.indexOf('.')
  const second = first < 0 ? -1 : token.indexOf('.', first + 1)
  // fewer than three parts: Kong's pcall fails on base64_decode(nil)
  if (second < 0) return INVALID_JSON
  const header = jsonObject(token, 0, first)
  const claims = jsonObject(token, first + 1, second)
  if (header === undefined || claims === undefined) return INVALID_JSON
  // a header that is not an object has no alg (Kong: nil for a string or array, a 500 for a number)
  const alg = header === null ? undefined : own(header, 'alg')
  if (header === null || typeof alg !== 'string' || !ALGORITHMS.has(alg)) return INVALID_ALG
  // Tollgate's: Kong indexes whatever cjson gave (a 500, or no key claim)
  if (claims === null) return INVALID_CLAIMS
  if (!isBase64Url(token, second + 1, token.length)) return INVALID_SIGNATURE
  return {
    header,
    claims,
    alg,
    input: Buffer.from(token.slice(0, second), 'latin1'),
    signature: Buffer.from(token.slice(second + 1), 'base64url'),
  }
}

/** An own member of a decoded JSON object: never one inherited from Object.prototype (a claim named "constructor"). */
export function own (object: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined
}

/**
 * jwt_parser.lua verify_registered_claims: for each claim to verify, "must be a number" or its check's error
 * (exp <= now: "token expired"; nbf > now: "token not valid yet"); null when all pass. `now` in seconds (ngx.time()).
 */
export function claimErrors (claimsToVerify: readonly string[], exp: unknown, nbf: unknown, now: number): Record<string, string> | null {
  let errors: Record<string, string> | null = null
  for (let i = 0; i < claimsToVerify.length; i++) {
    const name = claimsToVerify[i]
    const value = name === 'exp' ? exp : nbf
    let error: string | null = null
    if (typeof value !== 'number') error = 'must be a number'
    else if (name === 'exp' ? value <= now : value > now) error = name === 'exp' ? 'token expired' : 'token not valid yet'
    if (error !== null) (errors ??= {})[name] = error
  }
  return errors
}

/** jwt_parser.lua check_maximum_expiration (maximum > 0; exp already checked to be a number) */
export function exceedsMaximum (exp: unknown, maximum: number, now: number): boolean {
  return maximum > 0 && (typeof exp !== 'number' || exp - now > maximum)
}
