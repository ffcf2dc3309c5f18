// application/x-www-form-urlencoded, both ways, for the few fields the client credentials grant cares
// about. Decoding is lenient like nginx's arg parsing: a malformed %-escape keeps its raw text rather than
// failing the request.

/** WHATWG form encoding (space as '+', only `*-._` and alphanumerics left as they are), as URLSearchParams. */
export function formUrlEncode (value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}

export function formUrlDecode (value: string): string {
  const text = value.includes('+') ? value.replaceAll('+', ' ') : value
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The credential fields of a query string or form body; a repeated field keeps its first value. */
export interface CredentialFields {
  clientId: string | null
  clientSecret: string | null
  grantType: string | null
}

export const CLIENT_ID = 'client_id'
export const CLIENT_SECRET = 'client_secret'
export const GRANT_TYPE = 'grant_type'

// The longest a credential field name can be on the wire: every character of "client_secret" %-encoded.
// A longer name cannot decode to one of ours, so it is skipped without decoding.
const MAX_ENCODED_NAME = 3 * CLIENT_SECRET.length

/**
 * Reads client_id, client_secret and grant_type out of `a=b&c=d` text without building a full map.
 * Linear in the text: each character is looked at a bounded number of times whatever the mix of '&' and
 * '=' (the next '=' is searched once and reused until the scan passes it).
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
    if (eq < end && eq - start <= MAX_ENCODED_NAME) {
      const name = credentialFieldName(formUrlDecode(text.slice(start, eq)))
      if (name !== null && fields[name] === null) fields[name] = formUrlDecode(text.slice(eq + 1, end))
    }
    start = end + 1
  }
  return fields
}

function credentialFieldName (name: string): keyof CredentialFields | null {
  if (name === CLIENT_ID) return 'clientId'
  if (name === CLIENT_SECRET) return 'clientSecret'
  if (name === GRANT_TYPE) return 'grantType'
  return null
}

/** Whether the field text[start, end) ("name" or "name=value") is client_id, client_secret or grant_type. */
function isCredentialField (text: string, start: number, end: number): boolean {
  let nameEnd = start
  // bounded: past MAX_ENCODED_NAME characters without '=' the name cannot be ours
  const limit = Math.min(end, start + MAX_ENCODED_NAME + 1)
  while (nameEnd < limit && text.charCodeAt(nameEnd) !== 61 /* = */) nameEnd++
  if (nameEnd - start > MAX_ENCODED_NAME) return false
  const name = formUrlDecode(text.slice(start, nameEnd))
  return name === CLIENT_ID || name === CLIENT_SECRET || name === GRANT_TYPE
}

/** The text without its client_id, client_secret and grant_type fields (hide_credentials); order kept. */
export function removeCredentialFields (text: string): string {
  const length = text.length
  const kept: string[] = []
  let removed = false
  let start = 0
  for (;;) {
    let end = text.indexOf('&', start)
    if (end === -1) end = length
    if (isCredentialField(text, start, end)) removed = true
    else kept.push(text.slice(start, end))
    if (end === length) break
    start = end + 1
  }
  return removed ? kept.join('&') : text
}
