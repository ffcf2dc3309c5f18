// The Kong openid-connect fields Tollgate does not implement, as schema fields: a decK dump lists every
// one of them (null or at Kong's default), so those values pass; any other value is a config error, never
// silently ignored. Nested records are checked member by member so that the error names the member.

import type { FieldSchema, RecordField } from '../../../config/schema/engine.ts'
import { isKongRecord, type KongField, type KongLeaf, type KongValue } from './kong-fields.ts'

export const NOT_SUPPORTED = 'not supported by Tollgate yet (the auth methods implemented are client_credentials, bearer and introspection)'

/** Arrays compare as multisets: Kong's published schema sorts array defaults, Kong's own order can differ. */
function sameMembers (value: readonly unknown[], expected: readonly unknown[]): boolean {
  if (value.length !== expected.length) return false
  const sorted = (items: readonly unknown[]) => items.map((item) => JSON.stringify(item)).sort().join('\n')
  return sorted(value) === sorted(expected)
}

/** null never reaches here: the schema DSL accepts null for any field that is not required. */
function atDefault (field: KongLeaf, value: unknown): boolean {
  if (!Array.isArray(value)) return value === field.default || (field.also?.includes(value as KongValue) ?? false)
  if (value.length === 0 && (field.array === true || Array.isArray(field.default))) return true
  return Array.isArray(field.default) && sameMembers(value, field.default)
}

function leafSchema (field: KongLeaf): FieldSchema {
  // no `default` here: an absent field must stay null so that it can be dropped from the loaded config
  return {
    type: 'any',
    omit: true,
    secret: field.secret === true,
    custom: (value) => atDefault(field, value) ? null : NOT_SUPPORTED
  }
}

function fieldSchema (field: KongField): FieldSchema {
  if (!isKongRecord(field)) return leafSchema(field)
  const fields = kongFieldSchemas(field.fields)
  const record: RecordField = field.shorthands === undefined
    ? { type: 'record', omit: true, fields }
    : { type: 'record', omit: true, fields, shorthands: field.shorthands }
  return record
}

/** Schemas for `fields`, leaving out the names in `except` (the fields Tollgate implements itself). */
export function kongFieldSchemas (
  fields: readonly KongField[], except: ReadonlySet<string> = new Set()
): Record<string, FieldSchema> {
  return Object.fromEntries(fields.filter((field) => !except.has(field.name)).map((field) => [field.name, fieldSchema(field)]))
}
