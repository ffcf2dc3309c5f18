// application/x-www-form-urlencoded, both ways, for the few fields the client credentials grant cares
// about. Decoding is lenient like nginx's arg parsing: a malformed %-escape keeps its raw text rather than
// failing the request (../../url-decode.ts).

import { formUrlDecode } from '../../url-decode.ts'

/** WHATWG form encoding (space as '+', only `*-._` and alphanumerics left as they are), as URLSearchParams. */
export function formUrlEncode (value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}

export { formUrlDecode }

/** The credential fields of a query string or form body; a repeated field keeps its first value. */
export interface CredentialFields {
  clientId: string | null
  clientSecret: string | null
  grantType: string | null
}

export const CLIENT_ID = 'client_id'
export const CLIENT_SECRET = 'client_secret'
export const GRANT_TYPE = 'grant_type'

/**
 * Reads client_id, client_secret and grant_type out of `a=b&c=d` text without building a full map.
 * Linear in the text: the next '=' is searched once and reused until the scan passes it (searching it
 * from every field start made a body of '&' quadratic), and a name is compared as it is decoded, giving
 * up at the first character that differs, so no name is copied or decoded whole.
 */
export function parseCredentialFields (text: string): CredentialFields {
  const fields: CredentialFields = { clientId: null, clientSecret: null, grantType: null }
  const length = text.length
  let start = 0
  let eq = -1
  while (start < length) {
    let end = text.indexOf('&', start)
    if (end === -1) end = length
    if (eq !== length && eq < start) {
      eq = text.indexOf('=', start)
      if (eq === -1) eq = length
    }
    if (eq < end) {
      const name = credentialFieldName(text, start, eq)
      if (name !== null && fields[name] === null) fields[name] = formUrlDecode(text.slice(eq + 1, end))
    }
    start = end + 1
  }
  return fields
}

/** Which credential field the name at text[start, end) (up to a '=') decodes to, if any. */
function credentialFieldName (text: string, start: number, end: number): keyof CredentialFields | null {
  if (nameIs(text, start, end, CLIENT_ID)) return 'clientId'
  if (nameIs(text, start, end, CLIENT_SECRET)) return 'clientSecret'
  if (nameIs(text, start, end, GRANT_TYPE)) return 'grantType'
  return null
}

/**
 * Whether the field name starting at `start` (ending at a '=' or at `end`) form-decodes to `name`, an
 * ASCII name, exactly as formUrlDecode would decode it: '+' is a space, %XX a byte. A malformed escape
 * leaves formUrlDecode's raw text with its '%', and a byte over 0x7f is not ASCII: neither can match.
 * Stops at the first difference, so it looks at no more than 3 × name.length characters.
 */
function nameIs (text: string, start: number, end: number, name: string): boolean {
  let j = 0
  for (let i = start; i < end; i++, j++) {
    let c = text.charCodeAt(i)
    if (c === 61 /* = */) break
    if (j === name.length) return false
    if (c === 43 /* + */) {
      c = 32
    } else if (c === 37 /* % */) {
      c = i + 2 < end ? hexByte(text.charCodeAt(i + 1), text.charCodeAt(i + 2)) : -1
      if (c < 0 || c > 0x7f) return false
      i += 2
    }
    if (c !== name.charCodeAt(j)) return false
  }
  return j === name.length
}

function hexByte (high: number, low: number): number {
  const h = hexDigit(high)
  const l = hexDigit(low)
  return h < 0 || l < 0 ? -1 : h * 16 + l
}

function hexDigit (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const lower = c | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

const CREDENTIAL_FIELDS = [CLIENT_ID, CLIENT_SECRET, GRANT_TYPE]

function isOneOf (text: string, start: number, end: number, names: readonly string[]): boolean {
  for (const name of names) if (nameIs(text, start, end, name)) return true
  return false
}

/**
 * The first value of the field `name` (ASCII) in `a=b&c=d` text, decoded; null when absent. Linear in the
 * text, as parseCredentialFields.
 */
export function formField (text: string, name: string): string | null {
  const length = text.length
  let start = 0
  while (start < length) {
    let end = text.indexOf('&', start)
    if (end === -1) end = length
    if (nameIs(text, start, end, name)) {
      const eq = text.indexOf('=', start)
      return eq === -1 || eq > end ? '' : formUrlDecode(text.slice(eq + 1, end))
    }
    start = end + 1
  }
  return null
}

/** The text without its client_id, client_secret and grant_type fields (hide_credentials); order kept. */
export function removeCredentialFields (text: string): string {
  return removeFormFields(text, CREDENTIAL_FIELDS)
}

/** The text without the fields named `names` (ASCII names, compared decoded); order kept. */
export function removeFormFields (text: string, names: readonly string[]): string {
  const length = text.length
  // the kept fields are copied as runs (text between two removed fields), joined with '&': nothing is
  // allocated per field, and a text with nothing to remove comes back as it is
  let out = ''
  let runs = 0
  let runStart = 0
  let start = 0
  for (;;) {
    let end = text.indexOf('&', start)
    if (end === -1) end = length
    if (isOneOf(text, start, end, names)) {
      if (runStart < start) {
        const run = text.slice(runStart, start - 1)
        out = runs === 0 ? run : `${out}&${run}`
        runs++
      }
      runStart = end + 1
    }
    if (end === length) break
    start = end + 1
  }
  if (runStart === 0) return text
  if (runStart > length) return out
  return runs === 0 ? text.slice(runStart) : `${out}&${text.slice(runStart)}`
}
