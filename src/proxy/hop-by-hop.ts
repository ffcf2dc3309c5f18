// Headers that describe one connection, not the message (RFC 9110 §7.6.1): never forwarded in either
// direction. undici also refuses some of them (connection, keep-alive, upgrade, transfer-encoding, expect).

export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect'
])

/** The header names a `Connection` value lists besides keep-alive/close (lower-cased), or null for none. */
export function connectionListed (value: string): string[] | null {
  if (value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close') return null
  let names: string[] | null = null
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase()
    if (name !== '' && name !== 'keep-alive' && name !== 'close') (names ??= []).push(name)
  }
  return names
}

/** Removes the `names` from a flat [name, value, ...] header list (names there in any case). */
export function removeFromFlat (flat: string[], names: readonly string[]): void {
  for (let i = flat.length - 2; i >= 0; i -= 2) {
    if (names.includes(flat[i].toLowerCase())) flat.splice(i, 2)
  }
}

/**
 * Removes hop-by-hop headers and the ones a `Connection` header names. Runs once per message; the
 * loop over Connection tokens only happens when a client sent something other than keep-alive/close.
 */
export function stripHopByHop (headers: Record<string, string | string[] | undefined>): void {
  const connection = headers.connection
  if (connection !== undefined) {
    const listed = connectionListed(Array.isArray(connection) ? connection.join(',') : connection)
    if (listed !== null) {
      for (const name of listed) delete headers[name]
    }
  }
  for (const name of HOP_BY_HOP_HEADERS) {
    if (headers[name] !== undefined) delete headers[name]
  }
}
