// Claims copied into headers: upstream_headers_names/_claims and downstream_headers_names/_claims of Kong's
// openid-connect (handler.lua access, "setting upstream and downstream headers"), and the rendering Kong's
// headers.lua get gives any value it puts in a header (upstream_introspection_header and its kin too).
// A claim here is ONE top-level claim name (Kong reads introspection_data[claim], no path and no array
// step); Kong pairs the i-th claim with the i-th name and skips a pair with either one missing or empty.
// Kong tries the introspection response, then the access token, then the id token, then user info, claim
// by claim: a caller with several sources applies one ClaimHeaders to each and keeps, per name, the first.
//
// Header values: nginx (lua-nginx-module's header escaping, since 0.10.16) percent-escapes CR, LF and NUL
// in a value set from Lua, and node:http throws on any control character but tab and on characters above
// U+00FF. So a value goes out as its UTF-8 bytes in a latin1 string (what Tollgate's proxy writes as bytes:
// the same bytes Kong sends), every control byte but tab percent-escaped (%0D, %0A, %00, and also the ones
// nginx would pass as they are and node refuses: a documented difference).

import { jsonText, luaNumberString } from './claims.ts'

/** [lower-cased header name, value] for each configured claim present */
export type ClaimHeaders = (claims: Readonly<Record<string, unknown>>) => ReadonlyArray<readonly [string, string]>

// RFC 9110 token characters, for header names (the schema checks them too; a name that is not one here
// would throw in node:http on every request)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const SAFE_VALUE = /^[\t\x20-\x7e]*$/

// Kong's set_upstream_header / set_downstream_header: these pseudo names write an Authorization header
const AUTHORIZATION_PREFIXES: Readonly<Record<string, string>> = {
  'authorization:bearer': 'Bearer ',
  'authorization:basic': 'Basic ',
  'authorization:dpop': 'DPoP '
}

/**
 * A value as Kong's headers.lua get renders it, made safe for node:http (see above): a string as it is, a
 * number as Lua prints it, true as "true", an array or object as lua-cjson's JSON in base64 (standard
 * alphabet, padded: ngx.encode_base64). null where Kong sets no header: undefined, null, false, and a table
 * cjson cannot encode.
 */
export function encodeHeaderValue (value: unknown): string | null {
  let text: string | null
  switch (typeof value) {
    case 'string': text = value; break
    case 'number': text = luaNumberString(value); break
    case 'boolean': text = value ? 'true' : null; break
    case 'object': {
      if (value === null) return null
      const json = jsonText(value)
      text = json === null ? null : Buffer.from(json, 'utf8').toString('base64')
      break
    }
    default: text = null
  }
  return text === null ? null : headerSafe(text)
}

/** The UTF-8 bytes of `text` as a latin1 string, control bytes but tab percent-escaped. */
export function headerSafe (text: string): string {
  if (SAFE_VALUE.test(text)) return text
  const bytes = Buffer.from(text, 'utf8')
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    out += (b < 0x20 && b !== 0x09) || b === 0x7f
      ? `%${b.toString(16).toUpperCase().padStart(2, '0')}`
      : String.fromCharCode(b)
  }
  return out
}

// Kong's arguments.lua get_value: nil, null, "" and an empty table count as unset
function isUnset (value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true
  if (typeof value !== 'object') return false
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0
}

interface Pair { readonly claim: string, readonly name: string, readonly prefix: string }

/**
 * The headers for names[i] ← claims[claimNames[i]], or null when none are configured (Kong: either list
 * unset). The pairs come out in config order; for a name given twice Kong's upstream set_header keeps the
 * last, its downstream one appends both.
 */
export function createClaimHeaders (names: readonly string[] | null, claimNames: readonly string[] | null): ClaimHeaders | null {
  if (names === null || claimNames === null) return null
  const pairs: Pair[] = []
  for (let i = 0; i < claimNames.length && i < names.length; i++) {
    const claim = claimNames[i]
    const raw = names[i]
    if (claim === '' || raw === '') continue
    const lower = raw.toLowerCase()
    const prefix = AUTHORIZATION_PREFIXES[lower]
    if (prefix === undefined && !TOKEN.test(raw)) throw new TypeError(`header name ${JSON.stringify(raw)} is not an HTTP token`)
    pairs.push({ claim, name: prefix === undefined ? lower : 'authorization', prefix: prefix ?? '' })
  }
  if (pairs.length === 0) return null
  return (claims) => {
    const out: Array<readonly [string, string]> = []
    for (const pair of pairs) {
      const value = Object.hasOwn(claims, pair.claim) ? claims[pair.claim] : undefined
      if (isUnset(value)) continue
      const text = encodeHeaderValue(value)
      if (text !== null) out.push([pair.name, pair.prefix === '' ? text : pair.prefix + text])
    }
    return out
  }
}
