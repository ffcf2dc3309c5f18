// The HEADERS frame of a proxied HTTP/2 response, sent through the stream (node:http2's core API) rather
// than the compatibility response's writeHead. writeHead takes a header list by removing every name from
// its own header object, appending each again (two validations a field), copying that object once more
// into the stream's, and asks for trailers (waitForTrailers), which ends every response with an extra
// empty frame; stream.respond takes the list as it is (lib/internal/http2/core.js,
// prepareResponseHeadersArray) and ends the stream on the last DATA frame. Body, end and the response's
// state stay the compatibility object's: it reads headersSent from the stream, and statusCode is set here.

import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'

/**
 * Fields a response may not carry on HTTP/2 besides the hop-by-hop ones (hop-by-hop.ts), which
 * node:http2 refuses with an error (RFC 9113 §8.2.2: connection-specific fields; HTTP2-Settings is the
 * HTTP/1.1 upgrade's, RFC 7540 §3.2.1).
 */
export const HTTP2_SETTINGS = 'http2-settings'

/**
 * Sends `status` and `headers` on the response's stream. `headers` is either a flat [name, value, ...]
 * list that starts with the `:status` pair, or an object of lower-case names (`:status` is set here).
 * A stream already closed gets nothing, as writeHead does; a status node:http2 cannot send (outside
 * 200-599) throws, as writeHead's own respond call does.
 */
export function respondHttp2 (res: ServerResponse, status: number, headers: string[] | Record<string, string | string[]>): void {
  const response = res as unknown as Http2ServerResponse
  const stream = response.stream
  if (stream.destroyed || stream.closed) return
  response.statusCode = status
  if (!Array.isArray(headers)) headers[':status'] = String(status)
  stream.respond(headers as unknown as Record<string, string | string[]>)
}
