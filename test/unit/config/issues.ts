// Test helper: load a config that must fail and return its issues, checking the error is a ConfigError.

import { ConfigError, type ConfigIssue } from '../../../src/core/errors.ts'
import { loadConfigObject } from '../../../src/config/load.ts'

export const SOURCE = '/etc/tollgate/config.json'

/**
 * The issues of loading `input`, sorted by path then message so tests do not depend on discovery order;
 * throws if it loads (a test expecting errors must not pass on success).
 */
export function issuesOf (input: unknown, env: NodeJS.ProcessEnv | null = {}): readonly ConfigIssue[] {
  try {
    loadConfigObject(input, SOURCE, env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    if (err.source !== SOURCE) throw new Error(`unexpected source ${err.source}`)
    return sortIssues(err.issues)
  }
  throw new Error('the config loaded, but errors were expected')
}

/** A minimal valid document plus `extra`. */
export function doc (extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { _format_version: '3.0', ...extra }
}

export function sortIssues (issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.path.localeCompare(b.path) || a.message.localeCompare(b.message))
}
