// The object a request's header fields are built in, by name (the upstream request's, and the response's
// on a route whose header filters read fields by name).
//
// It must not inherit from Object.prototype: a client's field named `constructor` or `__proto__` is a
// field like any other, never a property every object has. `Object.create(null)` gives that, but V8 keeps
// such an object in dictionary mode from the start: every field set is a hash-table insert, and
// undici's Object.keys walk of it is slower too (building and walking a request's dozen fields took about
// twice as long as the same on a fast-properties object, in a micro-benchmark on Node 24). An instance
// of a constructor whose prototype is a null-prototype object keeps fast properties and inherits nothing:
// that prototype has no `constructor` of its own, as a class's would.

/** one field: a value, or the values of a repeated field */
export type HeaderFields = Record<string, string | string[]>

interface HeaderFieldsConstructor {
  new (): HeaderFields
}

function HeaderObjectFunction (): void {}
HeaderObjectFunction.prototype = Object.create(null) as object

/** `new HeaderObject()`: an empty field object that inherits nothing (see above). */
export const HeaderObject = HeaderObjectFunction as unknown as HeaderFieldsConstructor

/** Adds one value of a field: the first is kept as a string, a repeated field becomes an array of its values. */
export function appendField (headers: HeaderFields, name: string, value: string): void {
  const existing = headers[name]
  if (existing === undefined) headers[name] = value
  else if (typeof existing === 'string') headers[name] = [existing, value]
  else existing.push(value)
}
