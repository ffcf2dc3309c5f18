// One JSON line per event on stdout (stderr for warn and above), as a log shipper expects.
// Callers pass an event name and plain fields and never pass secrets; as a last line of defence every string
// (error messages included) goes through redactUrlCredentials, so an issuer, endpoint or upstream URL with
// `user:pass@` in it is printed with its user info redacted, whichever call site logged it.

import { redactUrlCredentials } from './redact-url.ts'

export type LogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit'

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, notice: 2, warn: 3, error: 4, crit: 5 }

export interface Logger {
  readonly level: LogLevel
  enabled (level: LogLevel): boolean
  log (level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>): void
  child (fields: Readonly<Record<string, unknown>>): Logger
}

export interface LogSink { write (line: string): unknown }

class JsonLogger implements Logger {
  readonly level: LogLevel
  readonly #rank: number
  readonly #base: Readonly<Record<string, unknown>> | null
  readonly #out: LogSink
  readonly #err: LogSink

  constructor (level: LogLevel, base: Readonly<Record<string, unknown>> | null, out: LogSink, err: LogSink) {
    this.level = level
    this.#rank = LEVEL_RANK[level]
    this.#base = base
    this.#out = out
    this.#err = err
  }

  enabled (level: LogLevel): boolean {
    return LEVEL_RANK[level] >= this.#rank
  }

  log (level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>): void {
    if (LEVEL_RANK[level] < this.#rank) return
    const entry = { time: new Date().toISOString(), level, event, ...this.#base, ...fields }
    const line = JSON.stringify(entry, errorReplacer) + '\n'
    if (LEVEL_RANK[level] >= LEVEL_RANK.warn) this.#err.write(line)
    else this.#out.write(line)
  }

  child (fields: Readonly<Record<string, unknown>>): Logger {
    return new JsonLogger(this.level, { ...this.#base, ...fields }, this.#out, this.#err)
  }
}

// Errors serialise to their code and message only: a stack or a cause could carry request data.
function errorReplacer (_key: string, value: unknown): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value)
  if (value instanceof Error) {
    // any own or inherited `code`, whatever its type, as before
    const code = 'code' in value ? value.code : undefined
    const message = redactUrlCredentials(value.message)
    return code === undefined ? { message } : { code, message }
  }
  return value
}

export function createLogger (level: LogLevel = 'notice', out: LogSink = process.stdout, err: LogSink = process.stderr): Logger {
  return new JsonLogger(level, null, out, err)
}

export function isLogLevel (value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LEVEL_RANK, value)
}
