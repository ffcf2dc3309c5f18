// Kong's exact public error texts (kong/error_handlers.lua, runloop/handler.lua) in one place, and the
// writer for responses the gateway makes itself. Bodies are `{"message": ...}` plus `request_id` when the
// X-Kong-Request-Id header is enabled, as Kong 3.5+ does.

import type { ServerResponse } from 'node:http'

export const KONG_MESSAGES = Object.freeze({
  400: 'Bad request',
  404: 'no Route matched with those values',
  405: 'Method not allowed',
  408: 'Request timeout',
  411: 'Length required',
  413: 'Request size limit exceeded',
  414: 'Request-URI too large',
  426: 'Please use HTTPS protocol',
  494: 'Request header or cookie too large',
  500: 'An unexpected error occurred',
  502: 'An invalid response was received from the upstream server',
  503: 'The upstream server is currently unavailable',
  504: 'The upstream server is timing out'
})

export const NO_SERVICE_MESSAGE = 'no Service found with those values'
export const NAME_RESOLUTION_FAILED_MESSAGE = 'name resolution failed'

export function kongMessage (status: number): string {
  return (KONG_MESSAGES as Readonly<Record<number, string>>)[status] ?? `The upstream server responded with ${status}`
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

/** The body Kong writes for its own errors. Strings are escaped by JSON.stringify: messages may be configured. */
export function kongErrorBody (message: string, requestId: string | null): string {
  return requestId === null
    ? JSON.stringify({ message })
    : JSON.stringify({ message, request_id: requestId })
}

/**
 * Writes a complete JSON response. `headers` are already decided by the caller (latency, Server, request id);
 * Content-Length is set so keep-alive survives.
 */
export function writeJsonResponse (res: ServerResponse, status: number, body: string,
  headers: Record<string, string | number | readonly string[]> | null): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.statusCode = status
  res.setHeader('content-type', JSON_CONTENT_TYPE)
  res.setHeader('content-length', Buffer.byteLength(body))
  if (headers !== null) {
    for (const name in headers) res.setHeader(name, headers[name])
  }
  res.end(body)
}
