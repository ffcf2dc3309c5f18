// Loading a config: read, parse, substitute decK env placeholders, validate against the schema, flatten,
// resolve, hash and freeze. Every problem found is collected and thrown at once in one ConfigError that
// names the source, each JSON path and the rule. The CLI, the supervisor and POST /config all come here.

import { resolve } from 'node:path'
import { ConfigError, type ConfigIssue } from '../core/errors.ts'
import { redactUrlCredentials } from '../core/redact-url.ts'
import type { ConfigDeprecation, LoadedConfig } from './types.ts'
import { applyDeckFile } from './deck-file.ts'
import { buildEntities } from './resolve-entities.ts'
import { flatten } from './flatten.ts'
import { deepFreeze } from './freeze.ts'
import { configHash } from './hash.ts'
import { interpolate } from './interpolate.ts'
import { MAX_DEPTH, tooDeepAt } from './json-depth.ts'
import { listConfigFiles, readConfigFile } from './config-files.ts'
import { formatOfFile, parseConfigText, type ConfigFormat } from './config-text.ts'
import { mergeDocuments, type DocumentPart, type PathInPart } from './merge-documents.ts'
import type { Position } from './yaml-text.ts'
import { withTypedStrings } from './yaml-typed-strings.ts'
import { NOT_BUILT } from './schema/typedefs.ts'
import { document } from './schema/document.ts'
import { validate, type ConfigNotice } from './schema/engine.ts'
import { parseSettings } from './settings.ts'

/** Reads and loads a config file; `source` in errors and in the result is its absolute path. */
export async function loadConfigFile (file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  return await loadConfigFiles([file], env)
}

/**
 * Reads and loads what `--config` names: files (.json, or .yaml/.yml read as decK reads YAML) and folders
 * (their config files in name order), merged as decK merges state files (merge-documents.ts). Every issue
 * names its own file, the path in that file and, for YAML, the line and column. `source` in the result is
 * the file, or the files joined with ", ".
 */
export async function loadConfigFiles (inputs: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  return (await readConfigFiles(inputs, env)).config
}

/**
 * What `tollgate convert` writes: the files merged into one JSON document as written (decK placeholders
 * and secrets kept), or with `defaults` the document as validated (defaults applied, placeholders
 * substituted, `_plugin_configs`, select tags and `_info.defaults` resolved). Either loads to the same hash.
 * Throws the ConfigError loading would: an invalid config is not converted.
 */
export async function convertConfigFiles (inputs: readonly string[], defaults: boolean, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  const read = await readConfigFiles(inputs, env)
  return defaults ? read.normalised : read.document as Record<string, unknown>
}

async function readConfigFiles (inputs: readonly string[], env: NodeJS.ProcessEnv): Promise<{ config: LoadedConfig, document: unknown, normalised: Record<string, unknown> }> {
  const listed = await listConfigFiles(inputs)
  const label = listed.files.length > 0 ? listed.files.join(', ') : inputs.map((input) => resolve(input)).join(', ')
  if (listed.issues.length > 0) throw new ConfigError(label, listed.issues)
  const issues: ConfigIssue[] = []
  const parts: Array<DocumentPart & { positionOf: ((path: string) => Position | null) | null }> = []
  for (const file of listed.files) {
    const read = await readConfigFile(file)
    if ('issue' in read) {
      issues.push(read.issue)
      continue
    }
    const parsed = parseConfigText(read.text, formatOfFile(file))
    if (parsed.ok) parts.push({ source: file, value: parsed.value, positionOf: parsed.positionOf })
    else issues.push({ source: file, path: '', message: parsed.message })
  }
  if (issues.length > 0) throw new ConfigError(label, issues)
  const merged = mergeDocuments(parts)
  if (merged.issues.length > 0) throw new ConfigError(label, merged.issues)
  let document = merged.document
  for (let attempt = 0; ; attempt++) {
    try {
      return { ...loadWithDocument(document, label, env), document }
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      // YAML scalars in string fields read as decK reads them (yaml-typed-strings.ts), then once more
      const retyped = attempt === 0 ? withTypedStrings(document, err.issues, (path) => parts[merged.locate(path).part].positionOf !== null) : null
      if (retyped === null) throw new ConfigError(label, err.issues.map((issue) => inItsFile(issue, parts, merged.locate)))
      document = retyped
    }
  }
}

/** Kong's uniqueness messages end with the path of the first declaration: in the merged document until here. */
const FIRST_DECLARED = /(already (?:declared|configured on this scope) at )(\S+)$/

/** An issue found in the merged document, told in the words of the file it is in: its path there, its line. */
function inItsFile (issue: ConfigIssue, parts: ReadonlyArray<DocumentPart & { positionOf: ((path: string) => Position | null) | null }>, locate: (path: string) => PathInPart): ConfigIssue {
  const here = locate(issue.path)
  const part = parts[here.part]
  const message = issue.message.replace(FIRST_DECLARED, (_, words: string, path: string) => {
    const first = locate(path)
    return first.part === here.part ? `${words}${first.path}` : `${words}${parts[first.part].source}: ${first.path}`
  })
  const at = part.positionOf?.(here.path) ?? null
  const located = { source: part.source, path: here.path, message }
  return at === null ? located : { ...located, line: at.line, column: at.column }
}

/** Loads JSON text; `source` names where it came from (a path, or a label such as "<admin>"). */
export function loadConfigText (text: string, source: string, env: NodeJS.ProcessEnv = process.env, format: ConfigFormat = 'json'): LoadedConfig {
  const parsed = parseConfigText(text, format)
  if (!parsed.ok) throw new ConfigError(source, [{ path: '', message: parsed.message }])
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
  return loadWithDocument(input, source, env).config
}

/** loadConfigObject, and the document as validated: defaults applied, decK's file keys resolved (for `convert`). */
function loadWithDocument (input: unknown, source: string, env: NodeJS.ProcessEnv | null): { config: LoadedConfig, normalised: Record<string, unknown> } {
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
  const config = deepFreeze({
    source,
    format_version: doc._format_version as string,
    settings,
    entities,
    hash: configHash(settings, entities),
    deprecations: onePerField(notices),
  })
  return { config, normalised: doc }
}
