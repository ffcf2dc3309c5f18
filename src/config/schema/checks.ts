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

/** What a conditional check asks of its `then` field: to be set, or to hold one of some values. */
export type ThenMatch = { readonly required: true } | { readonly oneOf: readonly string[] }

/**
 * Kong's conditional: when `ifField` equals `ifValue`, `thenField` must match. As Kong (init.lua
 * run_entity_check), the field gets the reason and the record "failed conditional validation ...".
 */
export function conditional (ifField: string, ifValue: string, thenField: string, then: ThenMatch): RecordCheck {
  return (value) => {
    if (value[ifField] !== ifValue) return []
    const then_ = value[thenField]
    let message: string | null = null
    if ('required' in then) message = then_ === null || then_ === undefined ? 'required field missing' : null
    else if (then_ !== null && then_ !== undefined && !then.oneOf.includes(then_ as string)) message = `expected one of: ${then.oneOf.join(', ')}`
    if (message === null) return []
    return [{ path: thenField, message }, { path: '', message: `failed conditional validation given value of field '${ifField}'` }]
  }
}

/** Kong's distinct: the fields that are set hold different values. */
export function distinct (...names: string[]): RecordCheck {
  return (value) => {
    const set = names.map((name) => value[name]).filter(isSet)
    return new Set(set).size === set.length
      ? []
      : [{ path: '', message: `values of these fields must be distinct: ${quoted(names)}` }]
  }
}
