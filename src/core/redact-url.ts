// Credentials in URLs (`https://user:pass@idp.example.com/...`, RFC 3986 §3.2.1 user info) hidden wherever
// text may be shown: Admin API output, error bodies and log lines. One helper, so that every place that
// prints an issuer, an endpoint or an upstream URL hides the same thing the same way. As Kong redacts
// `referenceable`/`encrypted` fields in its Admin output, the value is replaced, not dropped, so an
// operator still sees that the URL carried credentials.

export const REDACTED = '<redacted>'

// scheme "://" then the authority up to its last "@" (a password may hold an unescaped "@"). Linear time
// on any text (it runs on Admin input and log lines): a scheme starts only after a non-scheme character
// and is at most 32 characters, so a long run of letters is not retried from every position.
const USERINFO = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)[^/?#\s"]*@/g

/** `text` with the user info of every URL in it replaced by "<redacted>". */
export function redactUrlCredentials (text: string): string {
  // the common case, no "@" at all, costs one scan and no regex
  if (!text.includes('@')) return text
  return text.replace(USERINFO, `$1${REDACTED}@`)
}

/** A copy of a JSON-like value with redactUrlCredentials applied to every string in it. */
export function redactUrlCredentialsDeep (value: unknown): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value)
  if (Array.isArray(value)) return value.map(redactUrlCredentialsDeep)
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines own properties, so a "__proto__" key stays a plain key
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactUrlCredentialsDeep(item)]))
  }
  return value
}
