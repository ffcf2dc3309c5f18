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

/**
 * Removes hop-by-hop headers and the ones a `Connection` header names. Runs once per message; the
 * loop over Connection tokens only happens when a client sent something other than keep-alive/close.
 */
export function stripHopByHop (headers: Record<string, string | string[] | undefined>): void {
  const connection = headers.connection
  if (connection !== undefined) {
    const value = Array.isArray(connection) ? connection.join(',') : connection
    if (value !== 'keep-alive' && value !== 'close' && value !== 'Keep-Alive' && value !== 'Close') {
      for (const token of value.split(',')) {
        const name = token.trim().toLowerCase()
        if (name !== '') delete headers[name]
      }
    }
  }
  for (const name of HOP_BY_HOP_HEADERS) {
    if (headers[name] !== undefined) delete headers[name]
  }
}
