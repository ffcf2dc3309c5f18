// An invalid POST /config answered in Kong's declarative error shape (kong/db/errors.lua):
// {"code": 14, "name": "invalid declarative configuration", "message", "fields"}, where `fields` mirrors
// the input (arrays stay arrays, entity-level problems sit under "@entity"), and with ?flatten_errors=1
// a `flattened_errors` list with one entry per invalid entity. Every issue is kept, with its JSON path.
// Echoed entities never carry plugin secrets: plugin configs pass through the plugin's redaction.

import type { ConfigIssue } from '../core/errors.ts'
import { redactUrlCredentialsDeep } from '../core/redact-url.ts'
import { CREDENTIAL_KEYS } from '../config/schema/consumer.ts'
import { isUuid } from '../config/schema/typedefs.ts'
import { joinPath, redact } from '../config/schema/engine.ts'
import { pluginSchemas } from '../plugins/schemas.ts'
import { ERROR_CODES } from './kong-errors.ts'

type Token = string | number
type Tree = Record<string, unknown> | unknown[]

const ENTITY_KINDS: ReadonlySet<Token> = new Set(['services', 'routes', 'consumers', 'plugins'])
/** children an echoed entity leaves out: they are entities of their own (or credentials) */
const CHILD_KEYS: ReadonlySet<string> = new Set(['routes', 'plugins', ...CREDENTIAL_KEYS])
const ENTITY = '@entity'

/** Splits a path made by joinPath ("services[0].routes[1]", 'a["x y"]') back into keys and indexes. */
export function parsePath (path: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < path.length) {
    if (path[i] === '.') {
      i++
    } else if (path.startsWith('["', i)) {
      let end = i + 2
      while (end < path.length && path[end] !== '"') end += path[end] === '\\' ? 2 : 1
      tokens.push(JSON.parse(path.slice(i + 1, end + 1)) as string)
      i = end + 2
    } else if (path[i] === '[') {
      const end = path.indexOf(']', i)
      tokens.push(Number(path.slice(i + 1, end)))
      i = end + 1
    } else {
      let end = i
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++
      tokens.push(path.slice(i, end))
      i = end
    }
  }
  return tokens
}

function child (node: Tree, key: Token): unknown {
  return (node as Record<string, unknown>)[key as string]
}

function setChild (node: Tree, key: Token, value: unknown): void {
  (node as Record<string, unknown>)[key as string] = value
}

/** Adds one message to the `fields` tree at `tokens`, keeping earlier messages at or below that place. */
function addToTree (root: Record<string, unknown>, tokens: readonly Token[], message: string): void {
  let node: Tree = root
  for (let i = 0; i < tokens.length; i++) {
    const key = tokens[i]
    const existing = child(node, key)
    const last = i === tokens.length - 1
    const isEntity = typeof key === 'number' && i > 0 && ENTITY_KINDS.has(tokens[i - 1])
    if (last && !isEntity) {
      if (existing === undefined || existing === null) setChild(node, key, message)
      else if (typeof existing === 'string') setChild(node, key, `${existing}; ${message}`)
      else setChild(node, key, withEntityMessage(existing as Tree, message))
      return
    }
    let next = existing
    if (typeof next === 'string') next = { [ENTITY]: [next] }
    if (next === undefined || next === null) next = !last && typeof tokens[i + 1] === 'number' ? [] : {}
    // an array only holds indexes: a named key or an "@entity" message needs a record
    if (Array.isArray(next) && (last || typeof tokens[i + 1] === 'string')) next = { ...next }
    setChild(node, key, next)
    node = next as Tree
  }
  setChild(node, ENTITY, [...(child(node, ENTITY) as string[] | undefined ?? []), message])
}

function withEntityMessage (node: Tree, message: string): Record<string, unknown> {
  const record: Record<string, unknown> = Array.isArray(node) ? { ...node } : node
  record[ENTITY] = [...(record[ENTITY] as string[] | undefined ?? []), message]
  return record
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function valueAt (input: unknown, tokens: readonly Token[]): unknown {
  let value = input
  for (const token of tokens) value = isRecord(value) || Array.isArray(value) ? child(value, token) : undefined
  return value
}

/** The posted entity as it may be shown back: children left out, a plugin's config redacted. */
function echoEntity (kind: Token, entity: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(entity)) if (!CHILD_KEYS.has(key)) out[key] = value
  if (kind === 'plugins' && 'config' in out && out.config !== null) {
    const info = typeof entity.name === 'string' ? pluginSchemas.get(entity.name) : undefined
    out.config = info !== undefined && isRecord(out.config) ? redact(info.configSchema, out.config) : '<redacted>'
  }
  // a service `url` (or any string) with user:pass@ in it
  return redactUrlCredentialsDeep(out) as Record<string, unknown>
}

interface FlatEntry {
  readonly entity_type: string
  readonly entity_name?: string
  readonly entity_id?: string
  readonly entity_tags?: readonly string[]
  readonly entity: Record<string, unknown>
  readonly errors: Array<{ type: 'field', field: string, message: string } | { type: 'entity', message: string }>
}

/** The innermost entity a path lies in: [its tokens, the rest], or null for paths outside entities. */
function splitAtEntity (tokens: readonly Token[]): [Token[], Token[]] | null {
  for (let i = tokens.length - 2; i >= 0; i--) {
    if (ENTITY_KINDS.has(tokens[i]) && typeof tokens[i + 1] === 'number') return [tokens.slice(0, i + 2), tokens.slice(i + 2)]
  }
  return null
}

function flatEntry (kind: Token, entity: Record<string, unknown>): FlatEntry {
  const tags = entity.tags
  return {
    entity_type: String(kind).slice(0, -1),
    ...(typeof entity.name === 'string' && entity.name !== '' ? { entity_name: entity.name } : {}),
    ...(typeof entity.id === 'string' && isUuid(entity.id) ? { entity_id: entity.id } : {}),
    ...(Array.isArray(tags) && tags.every((t) => typeof t === 'string') ? { entity_tags: tags as string[] } : {}),
    entity: echoEntity(kind, entity),
    errors: [],
  }
}

/** Issues inside entities grouped per entity, in order of first appearance; the others are returned apart. */
function flattenIssues (issues: readonly ConfigIssue[], input: unknown): { flattened: FlatEntry[], rest: ConfigIssue[] } {
  const entries = new Map<string, FlatEntry>()
  const rest: ConfigIssue[] = []
  for (const issue of issues) {
    const split = splitAtEntity(parsePath(issue.path))
    const entity = split === null ? undefined : valueAt(input, split[0])
    if (split === null || !isRecord(entity)) {
      rest.push(issue)
      continue
    }
    const [entityTokens, remainder] = split
    const key = JSON.stringify(entityTokens)
    let entry = entries.get(key)
    if (entry === undefined) {
      entry = flatEntry(entityTokens[entityTokens.length - 2], entity)
      entries.set(key, entry)
    }
    if (remainder.length === 0) entry.errors.push({ type: 'entity', message: issue.message })
    else entry.errors.push({ type: 'field', field: remainder.reduce<string>((path, token) => joinPath(path, token), ''), message: issue.message })
  }
  return { flattened: [...entries.values()], rest }
}

function fieldsTree (issues: readonly ConfigIssue[]): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const issue of issues) addToTree(root, parsePath(issue.path), issue.message)
  return root
}

/** The 400 body for a config that failed validation; `input` is the posted document, for flattening. */
export function declarativeErrorBody (issues: readonly ConfigIssue[], input: unknown, flatten: boolean): Record<string, unknown> {
  const summary = issues.map((issue) => `${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`).join('; ')
  const base = { code: ERROR_CODES.DECLARATIVE_CONFIG, name: 'invalid declarative configuration', message: `declarative config is invalid: ${summary}` }
  if (!flatten) return { ...base, fields: fieldsTree(issues) }
  const { flattened, rest } = flattenIssues(issues, input)
  return { ...base, fields: fieldsTree(rest), flattened_errors: flattened }
}
