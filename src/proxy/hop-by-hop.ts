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

/**
 * Removes the `names` from a flat [name, value, ...] header list (names there in any case), between
 * indexes `from` and `to` (an HTTP/2 list's leading :status pair is not a field a Connection header can
 * name; fields a plugin appended after `to` stay).
 */
export function removeFromFlat (flat: string[], names: readonly string[], from = 0, to = flat.length): void {
  for (let i = to - 2; i >= from; i -= 2) {
    if (names.includes(flat[i].toLowerCase())) flat.splice(i, 2)
  }
}
