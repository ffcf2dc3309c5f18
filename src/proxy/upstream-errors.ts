// The one place an upstream failure becomes Kong's status and message. Matches on `err.code`, and on
// undici's HTTPParserError brand where undici leaves the code out.
//
// A failed TLS handshake with the upstream, a certificate that does not verify included, is nginx's
// NGX_HTTP_UPSTREAM_FT_ERROR (ngx_http_upstream_ssl_handshake: "upstream SSL certificate verify error"):
// tried again up to the service's retries, then 502 with Kong's body for it (kong/error_handlers.lua).

import { errors } from 'undici'
import { errorCode } from '../core/errors.ts'
import { KONG_MESSAGES, NAME_RESOLUTION_FAILED_MESSAGE } from '../core/kong-responses.ts'
import { WRITE_TIMEOUT_CODE } from './write-timeout.ts'

export interface UpstreamFailure {
  readonly status: 500 | 502 | 503 | 504
  readonly message: string
  /** the request never reached the upstream, so trying again cannot repeat a side effect */
  readonly notSent: boolean
}

const TIMEOUT: UpstreamFailure = { status: 504, message: KONG_MESSAGES[504], notSent: false }
const CONNECT_TIMEOUT: UpstreamFailure = { status: 504, message: KONG_MESSAGES[504], notSent: true }
const REFUSED: UpstreamFailure = { status: 502, message: KONG_MESSAGES[502], notSent: true }
const INVALID: UpstreamFailure = { status: 502, message: KONG_MESSAGES[502], notSent: false }
const UNAVAILABLE: UpstreamFailure = { status: 503, message: KONG_MESSAGES[503], notSent: true }
const NO_NAME: UpstreamFailure = { status: 503, message: NAME_RESOLUTION_FAILED_MESSAGE, notSent: true }
const TLS_FAILED: UpstreamFailure = { status: 502, message: KONG_MESSAGES[502], notSent: true }
const UNEXPECTED: UpstreamFailure = { status: 500, message: KONG_MESSAGES[500], notSent: false }
/** a DNS failure other than "name not found" (kong/runloop/balancer/init.lua execute: `return nil, port, 500`) */
const DNS_FAILED: UpstreamFailure = { status: 500, message: KONG_MESSAGES[500], notSent: true }

/**
 * OpenSSL's certificate verification results as Node names them (X509_V_ERR_* without the prefix: Node's
 * errors documentation, "X509 certificate error codes"; upstream-tls.ts reuses CERT_CHAIN_TOO_LONG for
 * tls_verify_depth), and Node's own name mismatch.
 */
const TLS_VERIFY_CODES = [
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_CRL', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'CRL_NOT_YET_VALID', 'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD', 'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_CHAIN_TOO_LONG', 'CERT_REVOKED',
  'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID'
]

const BY_CODE: ReadonlyMap<string, UpstreamFailure> = new Map([
  ['UND_ERR_CONNECT_TIMEOUT', CONNECT_TIMEOUT],
  ['UND_ERR_HEADERS_TIMEOUT', TIMEOUT],
  ['UND_ERR_BODY_TIMEOUT', TIMEOUT],
  ['ETIMEDOUT', TIMEOUT],
  [WRITE_TIMEOUT_CODE, TIMEOUT],
  ['ECONNREFUSED', REFUSED],
  ['ECONNRESET', INVALID],
  ['EPIPE', INVALID],
  ['UND_ERR_SOCKET', INVALID],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', INVALID],
  ['UND_ERR_RES_EXCEEDED_MAX_SIZE', INVALID],
  ['UND_ERR_INFO', INVALID],
  ['HPE_INVALID_CONSTANT', INVALID],
  ['HPE_INVALID_STATUS', INVALID],
  ['HPE_INVALID_VERSION', INVALID],
  ['HPE_INVALID_HEADER_TOKEN', INVALID],
  ['HPE_INVALID_CONTENT_LENGTH', INVALID],
  ['HPE_UNEXPECTED_CONTENT_LENGTH', INVALID],
  ['HPE_INVALID_CHUNK_SIZE', INVALID],
  ['HPE_INVALID_TRANSFER_ENCODING', INVALID],
  ['HPE_HEADER_OVERFLOW', INVALID],
  // a status an HTTP/2 client cannot be sent (node:http2 takes 200 to 599 only): the upstream's answer
  // cannot be passed on, nginx's NGX_HTTP_UPSTREAM_FT_INVALID_HEADER (502), not a gateway fault (500)
  ['ERR_HTTP2_STATUS_INVALID', INVALID],
  ['EHOSTUNREACH', UNAVAILABLE],
  ['ENETUNREACH', UNAVAILABLE],
  ['EADDRNOTAVAIL', UNAVAILABLE],
  ['UND_ERR_DESTROYED', UNAVAILABLE],
  ['UND_ERR_CLOSED', UNAVAILABLE],
  ['ENOTFOUND', NO_NAME],
  ['EAI_AGAIN', NO_NAME],
  // src/dns: Kong's "3 name error" / "101 empty record received" are 503 name resolution failed
  ['DNS_NAME_NOT_FOUND', NO_NAME],
  ['DNS_QUERY_FAILED', DNS_FAILED],
  ...TLS_VERIFY_CODES.map((code) => [code, TLS_FAILED] as const)
])

export function classifyUpstreamError (err: unknown): UpstreamFailure {
  const code = errorCode(err)
  if (code !== null) {
    const known = BY_CODE.get(code)
    if (known !== undefined) return known
    if (code.startsWith('HPE_')) return INVALID
    // a handshake that failed before any certificate was judged (an alert, no shared protocol, not TLS)
    if (code.startsWith('ERR_SSL_')) return TLS_FAILED
  }
  // undici 7.30 builds this error with code undefined (client-h1.js createError indexes llhttp's
  // name-to-number ERROR map with the number), so an invalid response would otherwise read as a 500
  if (err instanceof errors.HTTPParserError) return INVALID
  return UNEXPECTED
}
