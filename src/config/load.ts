// Loading a config: read, parse, substitute decK env placeholders, validate against the schema, flatten,
// resolve, hash and freeze. Every problem found is collected and thrown at once in one ConfigError that
// names the source, each JSON path and the rule. The CLI, the supervisor and POST /config all come here.

import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ConfigError, errorCode, type ConfigIssue } from '../core/errors.ts'
import { redactUrlCredentials } from '../core/redact-url.ts'
import type { ConfigDeprecation, LoadedConfig } from './types.ts'
import { applyDeckFile } from './deck-file.ts'
import { buildEntities } from './resolve-entities.ts'
import { flatten } from './flatten.ts'
import { deepFreeze } from './freeze.ts'
import { configHash } from './hash.ts'
import { interpolate } from './interpolate.ts'
import { MAX_DEPTH, tooDeepAt } from './json-depth.ts'
import { parseJsonText } from './json-text.ts'
import { NOT_BUILT } from './schema/typedefs.ts'
import { document } from './schema/document.ts'
import { validate, type ConfigNotice } from './schema/engine.ts'
import { parseSettings } from './settings.ts'

/** Reads and loads a config file; `source` in errors and in the result is its absolute path. */
export async function loadConfigFile (file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const source = resolve(file)
  let text: string
  try {
    text = await readFile(source, 'utf8')
  } catch (err) {
    const code = errorCode(err) ?? (err as Error).message
    throw new ConfigError(source, [{ path: '', message: `cannot read the file (${code})` }])
  }
  return loadConfigText(text, source, env)
}

/** Loads JSON text; `source` names where it came from (a path, or a label such as "<admin>"). */
export function loadConfigText (text: string, source: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const parsed = parseJsonText(text)
  if (!parsed.ok) {
    throw new ConfigError(source, [{ path: '', message: `invalid JSON at line ${parsed.line} column ${parsed.column}: ${parsed.message}` }])
  }
  return loadConfigObject(parsed.value, source, env)
}

/** An issue at a path whose env placeholder failed says nothing new: the placeholder's error is enough. */
function withoutEchoes (issues: readonly ConfigIssue[], failed: ReadonlySet<string>, first: number): ConfigIssue[] {
  return issues.filter((issue, i) => i < first || ![...failed].some((path) =>
    issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`)))
}

/** Kong logs a deprecation each time a field is validated; Tollgate says it once per field per load. */
function onePerField (notices: readonly ConfigNotice[]): ConfigDeprecation[] {
  const byMessage = new Map<string, ConfigDeprecation>()
  for (const { message, path } of notices) {
    const seen = byMessage.get(message)
    byMessage.set(message, { message, path: seen?.path ?? path, uses: (seen?.uses ?? 0) + 1 })
  }
  return [...byMessage.values()]
}

/**
 * A feature Tollgate has not built is named once per file, at its first use, not at each of its uses (40
 * routes with snis make one error): issues with the same "not supported" message at the same field (the
 * path after its last index) are one, saying how many more there are.
 */
export function oncePerFeature (issues: readonly ConfigIssue[]): ConfigIssue[] {
  const first = new Map<string, { issue: ConfigIssue, more: number }>()
  const out: Array<ConfigIssue | { issue: ConfigIssue, more: number }> = []
  for (const issue of issues) {
    if (!issue.message.includes(NOT_BUILT)) {
      out.push(issue)
      continue
    }
    const key = `${issue.message}|${issue.path.slice(issue.path.lastIndexOf(']') + 1)}`
    const seen = first.get(key)
    if (seen !== undefined) seen.more++
    else {
      const entry = { issue, more: 0 }
      first.set(key, entry)
      out.push(entry)
    }
  }
  return out.map((entry) => {
    if (!('more' in entry)) return entry
    return entry.more === 0 ? entry.issue : { path: entry.issue.path, message: `${entry.issue.message} (and ${entry.more} more)` }
  })
}

/** decK's `_info.skip_hash_for_basic_auth: true`: the file's basic-auth passwords are hashes already. */
function skipsBasicAuthHash (input: unknown): boolean {
  const info = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)._info : null
  return typeof info === 'object' && info !== null && (info as Record<string, unknown>).skip_hash_for_basic_auth === true
}

/** Issues are shown (Admin 400s, logs, the CLI): a message or key that quotes a URL never shows its user info. */
function shown (issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.map((issue) => ({ path: redactUrlCredentials(issue.path), message: redactUrlCredentials(issue.message) }))
}

/**
 * Loads an already parsed JSON value. The result is deep-frozen. `env` is where decK placeholders are
 * read from; null leaves them as written: the Admin API passes null, because decK substitutes on the
 * client before it sends a config and Kong's Admin API never reads the gateway's environment (else a
 * posted `${{ env "DECK_..." }}` could read a secret of the gateway back).
 */
export function loadConfigObject (input: unknown, source: string, env: NodeJS.ProcessEnv | null = process.env): LoadedConfig {
  const deep = tooDeepAt(input)
  if (deep !== null) throw new ConfigError(source, shown([{ path: deep, message: `nested too deeply (more than ${MAX_DEPTH} levels)` }]))
  const issues: ConfigIssue[] = []
  const failed = new Set<string>()
  const substituted = env === null ? input : interpolate(input, env, '', issues, failed)
  const substitutionIssues = issues.length
  const notices: ConfigNotice[] = []
  const checked = validate(document, applyDeckFile(substituted, issues), '', notices)
  issues.push(...checked.issues)
  const doc = checked.value as Record<string, unknown> | null
  if (doc === null) {
    // null itself is a valid value of the (optional) document record: say what was expected
    if (issues.length === 0) issues.push({ path: '', message: 'expected a record' })
    throw new ConfigError(source, shown(issues))
  }
  const settings = parseSettings(doc, issues)
  const hashPasswords = doc._transform !== false && !skipsBasicAuthHash(substituted)
  const entities = buildEntities(flatten(doc, issues), Math.floor(Date.now() / 1000), issues, notices, { hashPasswords })
  if (issues.length > 0) throw new ConfigError(source, shown(oncePerFeature(withoutEchoes(issues, failed, substitutionIssues))))
  return deepFreeze({
    source,
    format_version: doc._format_version as string,
    settings,
    entities,
    hash: configHash(settings, entities),
    deprecations: onePerField(notices),
  })
}
