// Reusable record checks, the counterparts of Kong's entity_checks (at_least_one_of, mutually_exclusive,
// conditional). Each returns a `checks` function for a record schema; issues are reported on the record
// itself (path ''), with Kong's messages.

import type { ConfigIssue } from '../../core/errors.ts'

export type RecordCheck = (value: Record<string, unknown>) => ConfigIssue[]

/** Set means present and, for strings and arrays, not empty (Kong's is_present). */
export function isSet (value: unknown): boolean {
  if (value === null || value === undefined) return false
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0
  return true
}

function quoted (names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ')
}

export function atLeastOneOf (...names: string[]): RecordCheck {
  return (value) => names.some((name) => isSet(value[name]))
    ? []
    : [{ path: '', message: `at least one of these fields must be non-empty: ${quoted(names)}` }]
}

export function mutuallyExclusive (...names: string[]): RecordCheck {
  return (value) => names.filter((name) => isSet(value[name])).length > 1
    ? [{ path: '', message: `only one or none of these fields must be set: ${quoted(names)}` }]
    : []
}

/** When `name` is set, every one of `needed` must be set too. */
export function requires (name: string, ...needed: string[]): RecordCheck {
  return (value) => isSet(value[name]) && !needed.every((other) => isSet(value[other]))
    ? [{ path: '', message: `'${name}' requires ${quoted(needed)}` }]
    : []
}

/** Runs every check and concatenates their issues. */
export function allOf (...checks: RecordCheck[]): RecordCheck {
  return (value) => checks.flatMap((check) => check(value))
}

/** Kong's only_one_of: exactly one of `names` set. */
export function onlyOneOf (...names: string[]): RecordCheck {
  return (value) => names.filter((name) => isSet(value[name])).length === 1
    ? []
    : [{ path: '', message: `exactly one of these fields must be non-empty: ${quoted(names)}` }]
}
