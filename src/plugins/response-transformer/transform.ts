// The transformations of Kong's response-transformer, compiled once per instance from its config:
// headers as header_transformer.lua transform_headers, JSON bodies as body_transformer.lua
// transform_json_body, each in Kong's order remove, rename, replace, add, append.

import { splitPair } from '../request-transformer/pairs.ts'
import { own } from '../request-transformer/transform.ts'

export interface ResponseTransformerConfig {
  readonly remove: { readonly json: readonly string[], readonly headers: readonly string[] }
  readonly rename: { readonly json: readonly string[], readonly headers: readonly string[] }
  readonly replace: Typed
  readonly add: Typed
  readonly append: Typed
}

interface Typed {
  readonly json: readonly string[]
  readonly json_types: readonly string[]
  readonly headers: readonly string[]
}

export type JsonValue = string | number | boolean

interface Entry<T> {
  readonly name: string
  readonly value: T
}

export interface HeaderRules {
  readonly remove: readonly string[]
  readonly rename: ReadonlyArray<Entry<string>>
  readonly replace: ReadonlyArray<Entry<string>>
  readonly add: ReadonlyArray<Entry<string>>
  readonly append: ReadonlyArray<Entry<string>>
}

export interface JsonRules {
  readonly remove: readonly string[]
  readonly rename: ReadonlyArray<Entry<string>>
  readonly replace: ReadonlyArray<Entry<JsonValue>>
  readonly add: ReadonlyArray<Entry<JsonValue>>
  readonly append: ReadonlyArray<Entry<JsonValue>>
  /** body_transformer's is_body_transform_set */
  readonly any: boolean
}

/** Entries without a value are dropped: Kong's iter gives nil for them and every rule then does nothing. */
function pairs (entries: readonly string[], lower: boolean): Array<Entry<string>> {
  const out = []
  for (const entry of entries) {
    const { name, value } = splitPair(entry)
    if (value !== '') out.push({ name: lower ? name.toLowerCase() : name, value })
  }
  return out
}

export function compileHeaderRules (config: ResponseTransformerConfig): HeaderRules {
  return {
    remove: config.remove.headers.map((name) => name.toLowerCase()),
    rename: pairs(config.rename.headers, true).map((e) => ({ name: e.name, value: e.value.toLowerCase() })),
    replace: pairs(config.replace.headers, true),
    add: pairs(config.add.headers, true),
    append: pairs(config.append.headers, true)
  }
}

/**
 * body_transformer.lua json_value: the value as its json_types entry (by position) says. Kong passes the
 * text through cjson and strips the quotes, which leaves ordinary text as it is. A "number" that is not one
 * is nil in Kong, and the entry does nothing: null here, dropped.
 */
export function jsonValue (text: string, type: string | undefined): JsonValue | null {
  if (type === 'boolean') return text === 'true'
  if (type !== 'number') return text
  // Lua's tonumber: decimal or hex, surrounding spaces allowed, nothing else
  const trimmed = text.trim()
  if (trimmed === '') return null
  const number = Number(trimmed)
  return Number.isNaN(number) ? null : number
}

function typed (section: Typed): Array<Entry<JsonValue>> {
  const out = []
  for (let i = 0; i < section.json.length; i++) {
    const { name, value } = splitPair(section.json[i])
    if (value === '') continue
    const converted = jsonValue(value, section.json_types[i])
    if (converted !== null) out.push({ name, value: converted })
  }
  return out
}

export function compileJsonRules (config: ResponseTransformerConfig): JsonRules {
  const rules = {
    remove: config.remove.json,
    rename: pairs(config.rename.json, false),
    replace: typed(config.replace),
    add: typed(config.add),
    append: typed(config.append)
  }
  // is_body_transform_set looks at the arrays as configured, values or not
  const any = config.remove.json.length + config.rename.json.length + config.replace.json.length +
    config.add.json.length + config.append.json.length > 0
  return { ...rules, any }
}

type Headers = Record<string, string | string[]>

/** header_transformer.lua transform_headers on the downstream headers (lower-cased names) */
export function transformHeaders (rules: HeaderRules, headers: Headers): void {
  for (const name of rules.remove) delete headers[name]
  for (const { name, value } of rules.rename) {
    const current = own(headers, name)
    if (current === undefined) continue
    delete headers[name]
    setOwn(headers, value, current)
  }
  for (const { name, value } of rules.replace) if (own(headers, name) !== undefined) setOwn(headers, name, value)
  for (const { name, value } of rules.add) if (own(headers, name) === undefined) setOwn(headers, name, value)
  for (const { name, value } of rules.append) {
    const current = own(headers, name)
    setOwn(headers, name, current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value])
  }
}

/** Lua truthiness of a decoded value: absent and false are false (JSON null is cjson.null: true) */
function truthy (value: unknown): boolean {
  return value !== undefined && value !== false
}

function setOwn (target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true })
}

/** body_transformer.lua transform_json_body on a decoded object (changed in place) */
export function transformJson (rules: JsonRules, body: Record<string, unknown>): void {
  for (const name of rules.remove) delete body[name]
  for (const { name, value } of rules.rename) {
    const current = own(body, name)
    if (current === undefined) continue
    delete body[name]
    setOwn(body, value, current)
  }
  for (const { name, value } of rules.replace) if (truthy(own(body, name))) setOwn(body, name, value)
  for (const { name, value } of rules.add) if (!truthy(own(body, name))) setOwn(body, name, value)
  for (const { name, value } of rules.append) {
    const current = own(body, name)
    // append_value: a string becomes [it, value], an array grows, anything else is replaced by [value]
    setOwn(body, name, typeof current === 'string' ? [current, value] : Array.isArray(current) ? [...current, value] : [value])
  }
}

/**
 * header_transformer.lua is_json_body: one of the comma-separated media types is application/json or
 * application/<anything>+json (kong/tools/mime_type.lua includes).
 */
export function isJsonContentType (contentType: string | string[] | undefined): boolean {
  if (contentType === undefined) return false
  const text = Array.isArray(contentType) ? contentType.join(',') : contentType
  for (const part of text.split(',')) {
    const mediaType = part.split(';', 1)[0].trim().toLowerCase()
    const slash = mediaType.indexOf('/')
    if (slash < 0 || mediaType.slice(0, slash) !== 'application') continue
    const subtype = mediaType.slice(slash + 1)
    if (subtype === 'json' || subtype.endsWith('+json')) return true
  }
  return false
}
