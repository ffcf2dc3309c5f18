// Kong's shorthand_fields (kong/db/schema/init.lua, Schema:process_auto_fields): a record may accept extra
// input fields that are not its own; each is validated by its own schema and then expanded into the
// record's real fields before those are validated. A service's `url` is one (it wins over protocol, host,
// port and path); Kong's deprecated fields are others (session_redis_host, a redis record's `timeout`): for
// those the real field wins, giving both with different values is an error, and each use is a deprecation.

import type { ConfigIssue } from '../../core/errors.ts'
import type { FieldSchema } from './engine.ts'

/** A deprecated shorthand field that was used, Kong's message saying what replaces it. */
export interface ConfigNotice {
  /** JSON path of the use */
  readonly path: string
  /** Kong's deprecation message, e.g. "openid-connect: config.session_redis_host is deprecated, please use config.redis.host instead" */
  readonly message: string
}

export interface Deprecation {
  /** Kong's message, logged at load once per load */
  readonly message: string
  /**
   * Kong's `replaced_with`: paths (inside the record) of the fields that replace it. When one of them is
   * set to another value, the record is refused, as Kong does; `reverse` gives the value to compare with
   * (Kong's reverse_mapping_function), else the field's own value is compared.
   */
  readonly replacedWith?: ReadonlyArray<{ readonly path: readonly string[], readonly reverse?: (record: Readonly<Record<string, unknown>>) => unknown }>
}

export interface Shorthand {
  readonly name: string
  /** the shorthand's own value type; a `secret` one is never quoted in a message */
  readonly schema: FieldSchema
  /** the record fields it writes; null writes nothing (a deprecated field that Kong now ignores) */
  readonly expand: (value: unknown) => Readonly<Record<string, unknown>> | null
  readonly deprecation?: Deprecation
}

/** Validates a value against a schema at a path, reporting issues; true when it is valid. */
export type CheckValue = (schema: FieldSchema, value: unknown, path: string) => boolean

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Set in Lua's sense as init.lua tests it (`v and v ~= null`): false counts as unset. */
function isGiven (value: unknown): boolean {
  return value !== undefined && value !== null && value !== false
}

function deepEqual (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]))
  if (!isRecord(a) || !isRecord(b)) return false
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => deepEqual(a[key], b[key]))
}

function tablePath (record: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = record
  for (const key of path) value = isRecord(value) ? value[key] : undefined
  return value
}

function shown (value: unknown, secret: boolean): string {
  if (secret) return '<redacted>'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Kong's validate_deprecation_exclusiveness: the message when a replacing field holds another value. */
function mismatch (shorthand: Shorthand, value: unknown, record: Readonly<Record<string, unknown>>): string | null {
  for (const replaced of shorthand.deprecation?.replacedWith ?? []) {
    const other = replaced.reverse === undefined ? tablePath(record, replaced.path) : replaced.reverse(record)
    if (!isGiven(other) || deepEqual(other, value)) continue
    const secret = shorthand.schema.secret === true
    return `both deprecated and new field are used but their values mismatch: ${shorthand.name} = ${shown(value, secret)} vs ` +
      `${replaced.path.join('.')} = ${shown(other, secret)}`
  }
  return null
}

/** kong/tools/table.lua null_aware_table_merge: the second table's values win unless they are null. */
function nullAwareMerge (first: Readonly<Record<string, unknown>>, second: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...first }
  for (const [key, value] of Object.entries(second)) {
    if (out[key] === undefined || value !== null) out[key] = value
  }
  return out
}

/** Writes one expansion into the record as process_auto_fields does. */
function apply (record: Record<string, unknown>, expansion: Readonly<Record<string, unknown>>, deprecated: boolean): void {
  for (const [key, value] of Object.entries(expansion)) {
    if (isRecord(value)) {
      const current = isRecord(record[key]) ? record[key] : {}
      // a deprecated form never overrides the real field; a plain shorthand (url) always does
      record[key] = deprecated ? nullAwareMerge(value, current) : { ...current, ...value }
    } else if (!deprecated || record[key] === undefined || record[key] === null) {
      record[key] = value
    }
  }
}

/**
 * The record with its shorthand fields replaced by what they expand to (the input is not modified).
 * A null shorthand writes nothing: Kong's dumps write null for a deprecated field whose replacement is unset.
 */
export function expandShorthands (
  shorthands: readonly Shorthand[], input: Readonly<Record<string, unknown>>, issues: ConfigIssue[],
  notices: ConfigNotice[], checkValue: CheckValue, at: (name: string) => string
): Record<string, unknown> {
  const record: Record<string, unknown> = { ...input }
  for (const shorthand of shorthands) {
    const value = record[shorthand.name]
    if (value === undefined) continue
    delete record[shorthand.name]
    if (value === null || !checkValue(shorthand.schema, value, at(shorthand.name))) continue
    const conflict = mismatch(shorthand, value, record)
    if (conflict !== null) {
      issues.push({ path: at(shorthand.name), message: conflict })
      continue
    }
    if (shorthand.deprecation !== undefined) notices.push({ path: at(shorthand.name), message: shorthand.deprecation.message })
    const expansion = shorthand.expand(value)
    if (expansion !== null) apply(record, expansion, shorthand.deprecation !== undefined)
  }
  return record
}
