// A small schema DSL in the spirit of Kong's kong/db/schema (typedefs.lua, init.lua): plugin and entity
// schemas are plain data, validated once at config load. validate() never throws and never stops at the
// first problem: it returns the normalised value (defaults applied, input untouched) and every issue found.
// Messages are Kong's ("required field missing", "expected a string", "unknown field", ...) so that
// operators moving from Kong recognise them.

import type { ConfigIssue } from '../../core/errors.ts'
import { REDACTED, redactUrlCredentials, redactUrlCredentialsDeep } from '../../core/redact-url.ts'
import { expandShorthands, type ConfigNotice, type Shorthand } from './shorthand.ts'

export type { ConfigNotice, Shorthand } from './shorthand.ts'

interface FieldBase<T> {
  readonly required?: boolean
  /**
   * used when the field is absent, and when it is an explicit `null` on a field that is not required (see
   * check()); a required field given `null` is "required field missing", as in Kong
   */
  readonly default?: T | null
  /** redact() replaces the value with "<redacted>"; validation messages never include it */
  readonly secret?: boolean
  /** validated, then left out of the result: a field accepted for compatibility that Tollgate does not use */
  readonly omit?: boolean
  readonly description?: string
}

export interface StringField extends FieldBase<string> {
  readonly type: 'string'
  readonly one_of?: readonly string[]
  /** Kong rejects empty strings unless len_min is 0, so the default is 1 */
  readonly len_min?: number
  readonly len_max?: number
  readonly match?: RegExp
  /** appended to "invalid value: ..." when `match` fails, e.g. "upper-case letters only" */
  readonly match_description?: string
  /** must parse as an absolute http(s) URL with a host */
  readonly url?: boolean
  /** returns an error message, or null when the value is fine */
  readonly custom?: (value: string) => string | null
}

export interface NumberField extends FieldBase<number> {
  readonly type: 'integer' | 'number'
  readonly one_of?: readonly number[]
  /** inclusive */
  readonly between?: readonly [number, number]
  readonly gt?: number
}

export interface BooleanField extends FieldBase<boolean> {
  readonly type: 'boolean'
}

export interface ArrayField extends FieldBase<readonly unknown[]> {
  /** a set silently drops repeated elements (first one kept), as Kong does */
  readonly type: 'array' | 'set'
  /** elements are implicitly required: a null element is an error */
  readonly elements: FieldSchema
  readonly len_min?: number
  readonly len_max?: number
}

export interface RecordField extends FieldBase<Readonly<Record<string, unknown>>> {
  readonly type: 'record'
  readonly fields: Readonly<Record<string, FieldSchema>>
  /**
   * Entity checks (Kong's entity_checks), run on the normalised record only when all its fields are valid.
   * Issue paths are relative to the record ('' for the record itself). See checks.ts for common ones.
   */
  readonly checks?: (value: Record<string, unknown>) => ConfigIssue[]
  /** Kong's shorthand_fields, in Kong's order: see shorthand.ts */
  readonly shorthands?: readonly Shorthand[]
}

export interface MapField extends FieldBase<Readonly<Record<string, unknown>>> {
  readonly type: 'map'
  /** JSON object keys are strings, so this is a string schema in practice */
  readonly keys: FieldSchema
  readonly values: FieldSchema
}

export interface AnyField extends FieldBase<unknown> {
  readonly type: 'any'
  /** returns an error message, or null when the value is fine */
  readonly custom?: (value: unknown) => string | null
}

export type FieldSchema = StringField | NumberField | BooleanField | ArrayField | RecordField | MapField | AnyField

export interface ValidationResult {
  readonly value: unknown
  readonly issues: ConfigIssue[]
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/

/** "a" + 0 -> "a[0]", "a" + "b" -> "a.b", "" + "b" -> "b"; keys that are not identifier-like are quoted: a["x y"] */
export function joinPath (base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`
  if (!IDENTIFIER.test(key)) return `${base}[${JSON.stringify(key)}]`
  return base === '' ? key : `${base}.${key}`
}

/** Joins a path relative to a record (as returned by `checks`) onto the record's own path. */
export function joinRelative (base: string, relative: string): string {
  if (relative === '') return base
  if (base === '' || relative.startsWith('[')) return base + relative
  return `${base}.${relative}`
}

/** `notices`, when given, receives a deprecation notice for each deprecated shorthand field used. */
export function validate (schema: FieldSchema, input: unknown, path: string, notices: ConfigNotice[] = []): ValidationResult {
  const issues: ConfigIssue[] = []
  const value = check(schema, input, path, issues, notices)
  return { value, issues }
}

function check (schema: FieldSchema, input: unknown, path: string, issues: ConfigIssue[], notices: ConfigNotice[]): unknown {
  if (input === undefined) return absent(schema, path, issues, notices)
  if (input === null) return explicitNull(schema, path, issues)
  switch (schema.type) {
    case 'string': return checkString(schema, input, path, issues)
    case 'integer':
    case 'number': return checkNumber(schema, input, path, issues)
    case 'boolean':
      if (typeof input === 'boolean') return input
      issues.push({ path, message: 'expected a boolean' })
      return null
    case 'array':
    case 'set': return checkArray(schema, input, path, issues, notices)
    case 'record': return checkRecord(schema, input, path, issues, notices)
    case 'map': return checkMap(schema, input, path, issues, notices)
    case 'any': return checkAny(schema, input, path, issues)
  }
}

/** Absent: the default; else, for a record, its sub-defaults when that is valid (Kong fills nested records); else null. */
function absent (schema: FieldSchema, path: string, issues: ConfigIssue[], notices: ConfigNotice[]): unknown {
  if (schema.default !== undefined) return structuredClone(schema.default)
  if (schema.type === 'record') {
    const filled: ConfigIssue[] = []
    const value = checkRecord(schema, {}, path, filled, notices)
    if (filled.length === 0) return value
  }
  if (schema.required === true) issues.push({ path, message: 'required field missing' })
  return null
}

/**
 * An explicit null. Kong (kong/db/schema/init.lua: adjust_field_for_context, Schema:validate) keeps a null
 * on insert and rejects it only for a `required` field ("required field missing"); on read it gives back
 * nil, which Kong's runtime treats as unset. decK dumps write null for fields that are unset, so null is
 * accepted where Kong accepts it, and a field with a default gets that default: the one value that means
 * "unset" to Tollgate's runtime (a null `timeout` must never reach it as a 0 ms timer).
 */
function explicitNull (schema: FieldSchema, path: string, issues: ConfigIssue[]): unknown {
  if (schema.required === true) {
    issues.push({ path, message: 'required field missing' })
    return null
  }
  return schema.default === undefined ? null : structuredClone(schema.default)
}

function checkAny (schema: AnyField, input: unknown, path: string, issues: ConfigIssue[]): unknown {
  const message = schema.custom === undefined ? null : schema.custom(input)
  if (message !== null) issues.push({ path, message })
  return structuredClone(input)
}

function checkString (schema: StringField, input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (typeof input !== 'string') {
    issues.push({ path, message: 'expected a string' })
    return null
  }
  const message = stringProblem(schema, input)
  // messages may quote the value: a URL's user info never reaches them
  if (message !== null) issues.push({ path, message: redactUrlCredentials(message) })
  return input
}

function stringProblem (schema: StringField, value: string): string | null {
  const lenMin = schema.len_min ?? 1
  if (value.length < lenMin) return `length must be at least ${lenMin}`
  if (schema.len_max !== undefined && value.length > schema.len_max) return `length must be at most ${schema.len_max}`
  if (schema.one_of !== undefined && !schema.one_of.includes(value)) return `expected one of: ${schema.one_of.join(', ')}`
  if (schema.match !== undefined && !schema.match.test(value)) {
    const what = schema.secret === true ? 'invalid value' : `invalid value: ${value}`
    return schema.match_description === undefined ? what : `${what} (${schema.match_description})`
  }
  if (schema.url === true && !isHttpUrl(value)) return schema.secret === true ? 'invalid url' : `invalid url: ${value}`
  return schema.custom === undefined ? null : schema.custom(value)
}

function isHttpUrl (value: string): boolean {
  const url = URL.parse(value)
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
}

function checkNumber (schema: NumberField, input: unknown, path: string, issues: ConfigIssue[]): unknown {
  const isInteger = schema.type === 'integer'
  if (typeof input !== 'number' || !Number.isFinite(input) || (isInteger && !Number.isInteger(input))) {
    issues.push({ path, message: isInteger ? 'expected an integer' : 'expected a number' })
    return null
  }
  const [min, max] = schema.between ?? [-Infinity, Infinity]
  if (schema.one_of !== undefined && !schema.one_of.includes(input)) {
    issues.push({ path, message: `expected one of: ${schema.one_of.join(', ')}` })
  } else if (input < min || input > max) {
    issues.push({ path, message: `value should be between ${min} and ${max}` })
  } else if (schema.gt !== undefined && input <= schema.gt) {
    issues.push({ path, message: `value must be greater than ${schema.gt}` })
  }
  return input
}

function checkArray (schema: ArrayField, input: unknown, path: string, issues: ConfigIssue[], notices: ConfigNotice[]): unknown {
  if (!Array.isArray(input)) {
    issues.push({ path, message: schema.type === 'set' ? 'expected a set' : 'expected an array' })
    return null
  }
  const element: FieldSchema = { ...schema.elements, required: true }
  let out = input.map((item, i) => check(element, item, joinPath(path, i), issues, notices))
  if (schema.type === 'set') out = unique(out)
  if (schema.len_min !== undefined && out.length < schema.len_min) {
    issues.push({ path, message: `length must be at least ${schema.len_min}` })
  }
  if (schema.len_max !== undefined && out.length > schema.len_max) {
    issues.push({ path, message: `length must be at most ${schema.len_max}` })
  }
  return out
}

function unique (values: unknown[]): unknown[] {
  const seen = new Set<string>()
  return values.filter((value) => {
    const key = typeof value === 'string' ? `s${value}` : `j${JSON.stringify(value)}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkRecord (schema: RecordField, raw: unknown, path: string, issues: ConfigIssue[], notices: ConfigNotice[]): unknown {
  if (!isPlainObject(raw)) {
    issues.push({ path, message: 'expected a record' })
    return null
  }
  const before = issues.length
  const input = schema.shorthands === undefined
    ? raw
    : expandShorthands(schema.shorthands, raw, issues, notices, (field, value, at) => {
      const found = issues.length
      check(field, value, at, issues, notices)
      return issues.length === found
    }, (name) => joinPath(path, name))
  // as Kong (process_auto_fields returns the shorthand errors alone): the fields it would have set are not reported missing
  if (issues.length > before) return null
  const out: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(schema.fields)) {
    const value = check(field, input[name], joinPath(path, name), issues, notices)
    if (field.omit !== true) out[name] = value
  }
  for (const name of Object.keys(input)) {
    if (!Object.hasOwn(schema.fields, name)) issues.push({ path: joinPath(path, name), message: 'unknown field' })
  }
  if (schema.checks !== undefined && issues.length === before) {
    for (const issue of schema.checks(out)) issues.push({ path: joinRelative(path, issue.path), message: issue.message })
  }
  return out
}

function checkMap (schema: MapField, input: unknown, path: string, issues: ConfigIssue[], notices: ConfigNotice[]): unknown {
  if (!isPlainObject(input)) {
    issues.push({ path, message: 'expected a map' })
    return null
  }
  const keySchema: FieldSchema = { ...schema.keys, required: true }
  const valueSchema: FieldSchema = { ...schema.values, required: true }
  // fromEntries defines own properties, so a "__proto__" key stays a plain key
  return Object.fromEntries(Object.entries(input).map(([key, item]) => {
    const at = joinPath(path, key)
    check(keySchema, key, at, issues, notices)
    return [key, check(valueSchema, item, at, issues, notices)]
  }))
}

/**
 * A copy of a validated value with every `secret` field's value (when not null) replaced by "<redacted>",
 * and the user info of any URL in any string (an issuer or endpoint with `user:pass@`) as well.
 */
export function redact (schema: FieldSchema, value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null
  if (schema.secret === true) return REDACTED
  if (typeof value === 'string') return redactUrlCredentials(value)
  switch (schema.type) {
    case 'array':
    case 'set':
      return Array.isArray(value) ? value.map((item) => redact(schema.elements, item)) : value
    case 'record':
      return isPlainObject(value) ? redactRecord(schema, value) : value
    case 'map':
      return isPlainObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(schema.values, v)]))
        : value
    case 'any':
      return redactUrlCredentialsDeep(value)
    default:
      return value
  }
}

function redactRecord (schema: RecordField, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, item] of Object.entries(value)) {
    // a shorthand (session_redis_password) is redacted by its own schema
    const field = schema.fields[name] ?? schema.shorthands?.find((shorthand) => shorthand.name === name)?.schema
    out[name] = field === undefined ? redactUrlCredentialsDeep(item) : redact(field, item)
  }
  return out
}
