// Every error class Tollgate throws, each with a stable `code` (tests assert the code, not the text),
// the HTTP `status` it maps to and whether its message may be shown to a client (`expose`).
// A structured clone of an Error (postMessage) keeps only name, message, stack and cause in Node 24, so an
// error that crosses threads travels as a plain { code, status, message } object and is rebuilt on the
// other side (src/workers/signer-client.ts does this).

/**
 * Every code a Tollgate error class is built with, in one list (test/unit/core/error-codes.test.ts holds
 * src to it). Codes of Node, OpenSSL and undici errors (ECONNRESET, CERT_HAS_EXPIRED, UND_ERR_*) are not
 * ours: they stay plain strings where they are matched (src/proxy/upstream-errors.ts).
 */
export const ERROR_CODES = [
  // config
  'CONFIG_INVALID',
  // client requests (src/proxy/read-body.ts)
  'BODY_TOO_LARGE', 'BODY_INCOMPLETE',
  // upstream requests (src/proxy/write-timeout.ts)
  'UPSTREAM_WRITE_TIMEOUT',
  // the client-assertion signer (src/workers/signer-client.ts)
  'SIGNER_TIMEOUT', 'SIGNER_QUEUE_FULL', 'SIGNER_CLOSED', 'SIGNER_FAILED', 'SIGNER_NO_KEY',
  // identity providers (src/plugins/openid-connect/token-errors.ts, discovery-fetch.ts, token-flow.ts)
  'IDP_UNREACHABLE', 'IDP_TIMEOUT', 'IDP_STATUS', 'IDP_BAD_RESPONSE', 'IDP_BAD_TOKEN_TYPE', 'IDP_DISCOVERY_MISSING',
  // access tokens (src/plugins/openid-connect/verify-token.ts)
  'JWKS_KID_UNKNOWN', 'TOKEN_MALFORMED', 'TOKEN_ALG_NOT_ALLOWED', 'TOKEN_SIGNATURE_INVALID', 'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID', 'TOKEN_ISSUER_INVALID',
  // the gateway's own openid-connect signing keys (src/plugins/openid-connect/keys.ts)
  'OIDC_KEY_MISSING', 'OIDC_KEYS_INVALID', 'OIDC_KEYS_WRITE_FAILED',
  // name resolution (src/dns/resolver.ts)
  'DNS_NAME_NOT_FOUND', 'DNS_QUERY_FAILED',
] as const

export type ErrorCode = typeof ERROR_CODES[number]

declare const relayed: unique symbol

/**
 * A code relayed from another thread as text (src/workers/signer-client.ts): one of ours, or the code of a
 * library error thrown there (jose's ERR_*), kept as it was. Branded so that a literal typo cannot pass
 * for one: only relayedCode() makes it.
 */
export type RelayedCode = string & { readonly [relayed]: true }

export function relayedCode (code: string): ErrorCode | RelayedCode {
  return code as RelayedCode
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES)

export function isErrorCode (value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value)
}

/**
 * The `code` of anything thrown, when it is a string: one of ours (ErrorCode), or Node's, OpenSSL's or
 * undici's (ECONNRESET, UND_ERR_*); null otherwise. The one place that reads `code` off an unknown value.
 */
export function errorCode (err: unknown): ErrorCode | (string & {}) | null {
  if (err === null || err === undefined) return null
  const code = (err as { readonly code?: unknown }).code
  return typeof code === 'string' ? code : null
}

/** True when `err` carries `code` (the way to test for one of Tollgate's codes). */
export function hasCode (err: unknown, code: ErrorCode): boolean {
  return errorCode(err) === code
}

export class TollgateError extends Error {
  code: ErrorCode | RelayedCode
  status: number
  expose: boolean

  constructor (message: string, code: ErrorCode | RelayedCode, status: number, options?: { cause?: unknown, expose?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TollgateError'
    this.code = code
    this.status = status
    this.expose = options?.expose ?? false
  }
}

/** One problem found in a config: where (JSON path such as `services[0].routes[1].paths[0]`) and what. */
export interface ConfigIssue {
  readonly path: string
  readonly message: string
  /** the file, where a config was read from several (else the ConfigError's source) */
  readonly source?: string
  /** where the path is in a YAML file (1-based) */
  readonly line?: number
  readonly column?: number
}

/** A config that cannot be used: names the source file and lists every issue found, not just the first. */
export class ConfigError extends TollgateError {
  readonly source: string
  readonly issues: readonly ConfigIssue[]

  constructor (source: string, issues: readonly ConfigIssue[]) {
    super(formatConfigIssues(source, issues), 'CONFIG_INVALID', 400, { expose: true })
    this.name = 'ConfigError'
    this.source = source
    this.issues = issues
  }
}

export function formatConfigIssues (source: string, issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => {
    const at = issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`
    return `${issue.source ?? source}${at}: ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`
  })
  return `invalid configuration (${issues.length} error${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`
}

/** An upstream (service) request failed; `status` is Kong's (502/503/504/500), mapped in proxy/upstream-errors.ts. */
export class UpstreamError extends TollgateError {
  constructor (message: string, code: ErrorCode, status: number, cause?: unknown) {
    super(message, code, status, { cause })
    this.name = 'UpstreamError'
  }
}

/** An identity-provider call failed (discovery, JWKS or token endpoint). Never carries a secret or token. */
export class IdpError extends TollgateError {
  constructor (message: string, code: ErrorCode, cause?: unknown) {
    super(message, code, 401, { cause })
    this.name = 'IdpError'
  }
}

/** The client sent something the gateway refuses (malformed, too large, too slow). */
export class ClientError extends TollgateError {
  constructor (message: string, code: ErrorCode, status: number) {
    super(message, code, status, { expose: true })
    this.name = 'ClientError'
  }
}

/**
 * A name did not resolve (src/dns/resolver.ts). DNS_NAME_NOT_FOUND (NXDOMAIN, or no record of any type
 * tried) is Kong's 503 "name resolution failed"; DNS_QUERY_FAILED (SERVFAIL and other server errors, no
 * answer from any server) is Kong's 500: kong/runloop/balancer/init.lua execute gives the 503 only for
 * "3 name error" and "101 empty record received".
 */
export class DnsError extends TollgateError {
  /** the name as asked (lower-cased) */
  readonly hostname: string

  constructor (message: string, code: 'DNS_NAME_NOT_FOUND' | 'DNS_QUERY_FAILED', hostname: string, cause?: unknown) {
    super(message, code, code === 'DNS_NAME_NOT_FOUND' ? 503 : 500, { cause })
    this.name = 'DnsError'
    this.hostname = hostname
  }
}
