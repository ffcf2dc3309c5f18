// A cap on how deeply a config's JSON may nest. Validation, substitution, hashing and freezing walk values
// recursively, so a posted `[[[[...]]]]` thousands deep would overflow the stack (a RangeError, an Admin
// 500) instead of giving a config error. Kong parses declarative JSON with lua-cjson, whose
// decode_max_depth defaults to 1000 ("Found too many nested data structures"): the same limit here.

import { joinPath } from './schema/engine.ts'

export const MAX_DEPTH = 1000

/** The path of the first value nested deeper than MAX_DEPTH, or null. Iterative: it must not overflow itself. */
export function tooDeepAt (root: unknown): string | null {
  const stack: Array<[unknown, string, number]> = [[root, '', 1]]
  while (stack.length > 0) {
    const [value, path, depth] = stack.pop()!
    if (typeof value !== 'object' || value === null) continue
    if (depth > MAX_DEPTH) return path
    const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value)
    for (const [key, item] of entries) {
      if (typeof item === 'object' && item !== null) stack.push([item, joinPath(path, key), depth + 1])
    }
  }
  return null
}
