// Reading claims out of a verified token's payload or an introspection response, as Kong does
// (kong/plugins/openid-connect/claims.lua find). Pure: the values are attacker-influenced JSON, so a step
// reads only own properties (a "__proto__" or "constructor" claim is data, never Object.prototype) and
// nothing here recurses into a claim value except jsonText, which stops at lua-cjson's depth limit.

/** lua-cjson's default encode_max_depth: deeper values are not encoded (cjson.safe answers nil) */
export const MAX_ENCODE_DEPTH = 1000

/** One step of a claim path, parsed once: the key, and the 0-based array index Kong's tonumber finds in it. */
export interface ClaimStep {
  readonly key: string
  /** -1 when the step cannot address an array element */
  readonly index: number
}

export type ClaimPath = readonly ClaimStep[]

// LuaJIT's tonumber(s, 10) reads what a Lua numeral reads: blanks around it, a sign, decimals with a
// fraction or an exponent, or hex. Kong uses it to turn a step such as "1" into an array position (Lua's
// arrays start at 1). Hex fractions and binary exponents ("0x1p4") are left out: a config never needs them.
const DECIMAL = /^[ \t\n\v\f\r]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\v\f\r]*$/
const HEX = /^[ \t\n\v\f\r]*([+-]?)0[xX]([0-9a-fA-F]+)[ \t\n\v\f\r]*$/

function arrayIndex (step: string): number {
  let n: number
  const hex = HEX.exec(step)
  if (hex !== null) n = (hex[1] === '-' ? -1 : 1) * parseInt(hex[2], 16)
  else if (DECIMAL.test(step)) n = Number(step.trim())
  else return -1
  return Number.isSafeInteger(n) && n >= 1 ? n - 1 : -1
}

/** A claim path parsed once per plugin instance (config), for findCompiled. */
export function compileClaimPath (path: readonly string[]): ClaimPath {
  return path.map((key) => ({ key, index: arrayIndex(key) }))
}

/**
 * The raw value at `path`, or undefined. Kong's claims.find with no_transform: each step reads an object's
 * own key; on an array, a step Lua's tonumber reads as a whole number n picks the n-th element (1-based).
 * Kong treats false as absent (Lua truthiness). Where Kong would do something meaningless we answer absent:
 * JSON null (Kong keeps cjson's null sentinel, which later prints as "userdata: NULL"), and a step into a
 * string (Lua finds string library functions there), a number or a boolean (a Lua error, so a 500).
 * A JSON string is never parsed as JSON on the way. An empty path answers the claims object itself, as Kong.
 */
export function findCompiled (claims: Readonly<Record<string, unknown>>, path: ClaimPath): unknown {
  let value: unknown = claims
  for (let i = 0; i < path.length; i++) {
    const step = path[i]
    if (Array.isArray(value)) {
      value = step.index >= 0 && step.index < value.length ? value[step.index] : undefined
    } else if (typeof value === 'object' && value !== null) {
      value = Object.hasOwn(value, step.key) ? (value as Record<string, unknown>)[step.key] : undefined
    } else {
      return undefined
    }
    if (value === undefined || value === null || value === false) return undefined
  }
  return value
}

/** findCompiled with the path parsed on each call; for tests and one-off reads. */
export function findClaim (claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  return findCompiled(claims, compileClaimPath(path))
}

/**
 * A number as Lua prints it (LuaJIT tostring and table.concat, lua-cjson encode: C's "%.14g"): 14
 * significant digits, exponent form below 1e-4 and from 1e14 on, trailing zeros dropped.
 */
export function luaNumberString (n: number): string {
  if (Number.isNaN(n)) return 'nan'
  if (n === Infinity) return 'inf'
  if (n === -Infinity) return '-inf'
  if (n === 0) return Object.is(n, -0) ? '-0' : '0'
  const sign = n < 0 ? '-' : ''
  const [digits, exponent] = significand(Math.abs(n))
  if (exponent < -4 || exponent >= 14) {
    const e = Math.abs(exponent)
    return `${sign}${stripZeros(`${digits[0]}.${digits.slice(1)}`)}e${exponent < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`
  }
  const fixed = exponent >= 0
    ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`
    : `0.${'0'.repeat(-exponent - 1)}${digits}`
  return sign + stripZeros(fixed)
}

// The 14 significant digits of a positive finite number and its decimal exponent, rounded as C's printf
// rounds: to nearest, an exact tie to even. toExponential rounds a tie up, so an exact tie (a value whose
// decimal expansion stops at a 5 in the 15th digit, such as 123456789012345) is found from 100 digits.
function significand (n: number): [string, number] {
  const [mantissa, exponentText] = n.toExponential(13).split('e')
  const [full, fullExponent] = n.toExponential(99).split('e')
  const exact = full.replace('.', '')
  if (exact.charCodeAt(14) === 53 && /^0*$/.test(exact.slice(15)) && (exact.charCodeAt(13) - 48) % 2 === 0) {
    return [exact.slice(0, 14), Number(fullExponent)]
  }
  return [mantissa.replace('.', ''), Number(exponentText)]
}

function stripZeros (text: string): string {
  let end = text.length
  while (text.charCodeAt(end - 1) === 48) end-- // '0'
  if (text.charCodeAt(end - 1) === 46) end-- // '.'
  return text.slice(0, end)
}

/**
 * A found claim as the text Kong's claims.find returns without no_transform (what scopes, audience,
 * groups, roles, consumer mapping and credential_claim read): a string as it is, a number as Lua prints
 * it, true as "true", an array's elements joined by spaces (table.concat), an object as "" (concat reads
 * only a Lua table's array part, which a JSON object has none of). null when absent, and when an array holds
 * anything but strings and numbers (table.concat raises a Lua error there: Kong answers 500, we say absent).
 */
export function claimText (value: unknown): string | null {
  switch (typeof value) {
    case 'string': return value
    case 'number': return luaNumberString(value)
    case 'boolean': return value ? 'true' : null
    case 'object':
      if (value === null) return null
      return Array.isArray(value) ? joinArray(value) : ''
    default: return null
  }
}

function joinArray (values: readonly unknown[]): string | null {
  let text = ''
  for (let i = 0; i < values.length; i++) {
    const element = values[i]
    let part: string
    if (typeof element === 'string') part = element
    else if (typeof element === 'number') part = luaNumberString(element)
    else return null
    text = i === 0 ? part : `${text} ${part}`
  }
  return text
}

/**
 * A value as lua-cjson encodes it (Kong's headers.lua get, for a table): "/" escaped as "\/", numbers
 * "%.14g", control characters as \u00XX except the short escapes, non-ASCII left as it is. null where
 * cjson.safe gives nil: nesting deeper than MAX_ENCODE_DEPTH, or an infinite number (JSON.parse reads
 * 1e999 as Infinity, as cjson reads it as inf, which it then refuses to encode). An object's keys come out
 * in JSON order, where Kong's come in Lua's hash order (unspecified).
 */
export function jsonText (value: unknown): string | null {
  const parts: string[] = []
  return encodeInto(value, parts, 0) ? parts.join('') : null
}

function encodeInto (value: unknown, parts: string[], depth: number): boolean {
  switch (typeof value) {
    case 'string': parts.push(quote(value)); return true
    case 'number':
      if (!Number.isFinite(value)) return false
      parts.push(luaNumberString(value)); return true
    case 'boolean': parts.push(value ? 'true' : 'false'); return true
    case 'object': break
    default: return false
  }
  if (value === null) { parts.push('null'); return true }
  if (depth >= MAX_ENCODE_DEPTH) return false
  if (Array.isArray(value)) {
    parts.push('[')
    for (let i = 0; i < value.length; i++) {
      if (i > 0) parts.push(',')
      if (!encodeInto(value[i], parts, depth + 1)) return false
    }
    parts.push(']')
    return true
  }
  parts.push('{')
  let first = true
  for (const key of Object.keys(value)) {
    if (!first) parts.push(',')
    first = false
    parts.push(quote(key), ':')
    if (!encodeInto((value as Record<string, unknown>)[key], parts, depth + 1)) return false
  }
  parts.push('}')
  return true
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t'
}
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /["\\/\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

function quote (text: string): string {
  return `"${text.replace(NEEDS_ESCAPE, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`
}
