// Every error class Tollgate throws, each with a stable `code` (tests assert the code, not the text),
// the HTTP `status` it maps to and whether its message may be shown to a client (`expose`).
// A structured clone of an Error (postMessage) keeps only name, message, stack and cause in Node 24, so an
// error that crosses threads travels as a plain { code, status, message } object and is rebuilt on the
// other side (src/workers/signer-client.ts does this).

export class TollgateError extends Error {
  code: string
  status: number
  expose: boolean

  constructor (message: string, code: string, status: number, options?: { cause?: unknown, expose?: boolean }) {
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
  const lines = issues.map((issue) => `${source}: ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`)
  return `invalid configuration (${issues.length} error${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`
}

/** An upstream (service) request failed; `status` is Kong's (502/503/504/500), mapped in proxy/upstream-errors.ts. */
export class UpstreamError extends TollgateError {
  constructor (message: string, code: string, status: number, cause?: unknown) {
    super(message, code, status, { cause })
    this.name = 'UpstreamError'
  }
}

/** An identity-provider call failed (discovery, JWKS or token endpoint). Never carries a secret or token. */
export class IdpError extends TollgateError {
  constructor (message: string, code: string, cause?: unknown) {
    super(message, code, 401, { cause })
    this.name = 'IdpError'
  }
}

/** The client sent something the gateway refuses (malformed, too large, too slow). */
export class ClientError extends TollgateError {
  constructor (message: string, code: string, status: number) {
    super(message, code, status, { expose: true })
    this.name = 'ClientError'
  }
}
