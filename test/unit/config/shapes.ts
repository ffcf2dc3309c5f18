// Test helper: a tiny description of a config type that is both a value (so a test can hold it to a schema
// and to loaded values) and a type (TypeOf, so tsc can hold src/config/types.ts to it). Each shape renders
// to the same text as describe() gives for a FieldSchema, so the two compare as strings.

import type { FieldSchema } from '../../../src/config/schema/engine.ts'

export interface Shape<T> {
  /** what the schema produces for the field, as describe() renders it */
  readonly text: string
  /** every value this shape allows (holds a loaded value to the type) */
  readonly accepts: (value: unknown) => boolean
  /**
   * how the loaded value relates to the schema's: 'schema' (the same), 'filled' (the schema may give null,
   * entity-records.ts puts a value there: the test loads a config to see it), 'built' (entity-records.ts makes it from an
   * `any` field or from nothing; only the loaded value is checked)
   */
  readonly origin: 'schema' | 'filled' | 'built'
  /** a string schema (or its elements) whose `custom` check admits exactly these values (tested by validating each) */
  readonly restricted?: readonly string[]
  /** phantom: never set, carries T for TypeOf */
  readonly type?: T
}

export type TypeOf<S> = S extends Shape<infer T> ? T : never

/** Exact type equality (readonly and optional modifiers included). */
export type IsExact<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false
export type Assert<T extends true> = T

/** A shape of its own: `text` is what describe() gives for its schema field (e.g. "record", "any"). */
export function shape<T> (text: string, accepts: (value: unknown) => boolean): Shape<T> {
  return { text, accepts, origin: 'schema' }
}

export const string = shape<string>('string', (v) => typeof v === 'string')
export const integer = shape<number>('integer', (v) => Number.isInteger(v))
export const number = shape<number>('number', (v) => typeof v === 'number' && Number.isFinite(v))
export const boolean = shape<boolean>('boolean', (v) => typeof v === 'boolean')
export const unknown = shape<unknown>('any', () => true)

export function oneOf<const V extends ReadonlyArray<string | number>> (...values: V): Shape<V[number]> {
  return shape(`one_of(${values.join(',')})`, (v) => values.includes(v as V[number]))
}

/** Typed `string` on purpose while the schema lists the values (a one_of array not typed as literals). */
export function oneOfText (...values: readonly string[]): Shape<string> {
  return shape(`one_of(${values.join(',')})`, (v) => typeof v === 'string' && values.includes(v))
}

export const object = shape<Readonly<Record<string, unknown>>>('record', (v) => isObject(v))

/** A string field whose custom check admits only `values` (Kong's protocol checks are written so). */
export function restricted<const V extends readonly string[]> (...values: V): Shape<V[number]> {
  return { ...shape<V[number]>('string', (v) => values.includes(v as V[number])), restricted: values }
}

export function array<T> (elements: Shape<T>): Shape<readonly T[]> {
  return { ...shape(`array(${elements.text})`, (v) => Array.isArray(v) && v.every(elements.accepts)), restricted: elements.restricted }
}

/** A Kong set: an array without repeats. */
export function set<T> (elements: Shape<T>): Shape<readonly T[]> {
  return { ...shape(`set(${elements.text})`, (v) => Array.isArray(v) && v.every(elements.accepts)), restricted: elements.restricted }
}

export function map<T> (values: Shape<T>): Shape<Readonly<Record<string, T>>> {
  return shape(`map(${values.text})`, (v) => isObject(v) && Object.values(v).every(values.accepts))
}

export function nullable<T> (inner: Shape<T>): Shape<T | null> {
  return { ...inner, text: `${inner.text} | null`, accepts: (v) => v === null || inner.accepts(v) }
}

/** The schema may give null; entity-records.ts fills a value, so the loaded type is not nullable. */
export function filled<T> (inner: Shape<T>): Shape<T> {
  return { ...inner, text: `${inner.text} | null`, origin: 'filled' }
}

/** Made by entity-records.ts (a resolved reference, a validated plugin config): only the loaded value is checked. */
export function built<T> (inner: Shape<T>): Shape<T> {
  return { ...inner, origin: 'built' }
}

export type Fields = Readonly<Record<string, Shape<unknown>>>
export type RecordOf<F extends Fields> = { readonly [K in keyof F]: TypeOf<F[K]> }

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * What a field of a validated config can hold, as text: its type, and " | null" when it may be null, that is
 * when it has no default and is not required (typedefs.ts absent() and explicitNull()). A record field
 * without a default is filled with its sub-defaults when those are valid, so it may still be null.
 */
export function describe (field: FieldSchema): string {
  const nullable = field.default === undefined && field.required !== true
  const text = baseText(field)
  return nullable ? `${text} | null` : text
}

function baseText (field: FieldSchema): string {
  switch (field.type) {
    case 'string':
    case 'integer':
    case 'number':
      return field.one_of === undefined ? field.type : `one_of(${field.one_of.join(',')})`
    case 'array':
    case 'set':
      return `${field.type}(${baseText(field.elements)})`
    case 'map':
      return `map(${baseText(field.values)})`
    default:
      return field.type
  }
}
