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

/** Reads client_id, client_secret and grant_type out of `a=b&c=d` text without building a full map. */
export function parseCredentialFields (text: string): CredentialFields {
  const fields: CredentialFields = { clientId: null, clientSecret: null, grantType: null }
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('&', start)
    if (end === -1) end = text.length
    const eq = text.indexOf('=', start)
    if (eq !== -1 && eq < end) {
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

/** The text without its client_id, client_secret and grant_type fields (hide_credentials); order kept. */
export function removeCredentialFields (text: string): string {
  const pairs = text.split('&')
  const kept = pairs.filter((pair) => {
    const eq = pair.indexOf('=')
    const name = formUrlDecode(eq === -1 ? pair : pair.slice(0, eq))
    return name !== CLIENT_ID && name !== CLIENT_SECRET && name !== GRANT_TYPE
  })
  return kept.length === pairs.length ? text : kept.join('&')
}
